import { mkdtempSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writePrecompiledDir } from '@airspark/config';
import { describe, expect, it } from 'vitest';
import { loadKubernetesApi, loadPinnedCrds, SchemaCatalog } from '../src/schema/catalog.js';
import { bundleRequest, ValidatorCache } from '../src/schema/compile.js';
import { pinnedSchemaRequests } from '../src/schema/pinned-bundles.js';
import { EnvironmentValidator } from '../src/validate.js';
import { environment, external, replaceOnce } from './fixtures/platform.js';

const tempDir = () => mkdtempSync(path.join(os.tmpdir(), 'airspark-precompiled-'));

/** The platform fixture, clean and with schema mistakes in a built-in kind and in CRDs. */
const corpus = () => [
  environment(),
  environment({ livy: (t) => replaceOnce(t, 'replicas: 1', 'replicas: "1"') }),
  environment({
    karpenter: (t) =>
      replaceOnce(t, '  role: airspark-dev-karpenter-node', '  rol: airspark-dev-karpenter-node'),
  }),
  environment({ sparkJob: (t) => replaceOnce(t, 'NodeGroupType: spark-driver', 'NodeGroupType: 7') }),
];

describe('validators generated at build time', () => {
  it('give the same findings as validators compiled at run time, and compile nothing', () => {
    // What the package build does (scripts/precompile-validators.mjs), into a folder of the test's own,
    // for the Kubernetes version and CRDs the fixture uses.
    const precompiled = tempDir();
    const requests = pinnedSchemaRequests()
      .filter(({ id }) => id === 'external-resources' || id.startsWith('1.35/'))
      .map((r) => r.request);
    writePrecompiledDir(precompiled, requests);
    expect(readdirSync(precompiled).length).toBe(requests.length);

    const fromBuild = new EnvironmentValidator({ precompiledDirs: [precompiled] });
    const atRunTime = new EnvironmentValidator({ cacheDir: tempDir(), precompiledDirs: [] });
    let schemaFindings = 0;
    for (const objects of corpus()) {
      const input = { env: 'dev', kubernetesVersion: '1.35', objects, externalResources: external };
      const expected = atRunTime.validateEnvironment(input);
      expect(fromBuild.validateEnvironment(input)).toEqual(expected);
      schemaFindings += expected.filter((f) => f.rule.startsWith('schema/')).length;
    }
    // The corpus does exercise the validators: the mistakes are found.
    expect(schemaFindings).toBeGreaterThanOrEqual(3);
    expect(fromBuild.compiledSchemaStatistics).toMatchObject({ compiled: 0, rejected: 0 });
    expect(fromBuild.compiledSchemaStatistics.precompiled).toBeGreaterThan(0);
    expect(atRunTime.compiledSchemaStatistics.compiled).toBeGreaterThan(0);
  });

  it('a changed pinned schema is compiled afresh, not served by the code generated for the old one', () => {
    const precompiled = tempDir();
    const api = loadKubernetesApi('1.35');
    if (!api) throw new Error('no 1.35 schemas');
    const catalog = new SchemaCatalog(api, loadPinnedCrds());
    const nodePool = catalog.crdFor('karpenter.sh', 'NodePool');
    if (!nodePool) throw new Error('NodePool is pinned');
    const bundle = catalog.crdBundle(nodePool);
    writePrecompiledDir(precompiled, [bundleRequest(bundle)]);

    const cache = new ValidatorCache(undefined, [precompiled]);
    cache.get(bundle);
    expect(cache.compiled.statistics).toMatchObject({ precompiled: 1, compiled: 0 });
    const [version] = Object.keys(bundle.entries);
    const changed = {
      ...bundle,
      entries: { ...bundle.entries, [version ?? '']: { type: 'object', required: ['spec'] } },
    };
    const validators = cache.get(changed);
    expect(cache.compiled.statistics).toMatchObject({ precompiled: 1, compiled: 1 });
    expect(validators[version ?? '']?.({ kind: 'NodePool' })).toBe(false);
  });
});
