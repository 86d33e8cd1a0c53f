import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileBundleSource, loadBundleSource } from '../src/schema/compile.js';
import { convertSchema } from '../src/schema/convert.js';
import { EnvironmentValidator } from '../src/validate.js';
import { environment, external, files, replaceOnce } from './fixtures/platform.js';
import { lineOf, objectsFromYaml, only, ruleIds, validate } from './helpers.js';

const run = (edit: Parameters<typeof environment>[0]) =>
  validate(environment(edit), { externalResources: external });

describe('built-in kinds against Kubernetes 1.35', () => {
  it('reports a wrong type, an invalid quantity and a missing required field at their lines', () => {
    const findings = run({
      livy: (t) =>
        replaceOnce(replaceOnce(t, 'replicas: 1', 'replicas: "one"'), 'memory: 2Gi', 'memory: 2GB'),
    });
    expect(ruleIds(findings)).toEqual(['schema/invalid']);
    expect(findings.map((f) => f.line).sort()).toEqual(
      [lineOf(files.livy.text, 'replicas: 1'), lineOf(files.livy.text, 'memory: 2Gi')].sort(),
    );
    expect(findings.find((f) => f.message.includes('2GB'))?.message).toMatch(/invalid value "2GB"/);
    const missing = run({
      livy: (t) => replaceOnce(t, '            - containerPort: 8998\n', '            - protocol: TCP\n'),
    });
    expect(only(missing, 'schema/invalid')[0]?.message).toContain('required field "containerPort"');
  });

  it('reports a wrong type under nullable fields once, at the field, with no bogus finding for its parents', () => {
    for (const edit of [
      { livy: (t: string) => replaceOnce(t, 'runAsUser: 185', 'runAsUser: "root-ish"') },
      { livy: (t: string) => replaceOnce(t, 'readOnlyRootFilesystem: true', 'readOnlyRootFilesystem: {}') },
      { karpenter: (t: string) => t.replace('values: ["on-demand"]', 'values: "on-demand"') },
    ]) {
      const findings = run(edit).filter((f) => f.rule.startsWith('schema/'));
      expect(findings.length, JSON.stringify(findings)).toBeGreaterThan(0);
      for (const f of findings) expect(f.message).not.toMatch(/must be ,|must be {2}/);
      expect(new Set(findings.map((f) => f.line)).size).toBe(findings.length);
      expect(
        findings.every((f) => !/^(spec|spec\.template|spec\.template\.spec) must be/.test(f.message)),
      ).toBe(true);
    }
  });

  it('accepts numbers for quantities and null for optional fields, as the API server does', () => {
    expect(
      run({ livy: (t) => replaceOnce(replaceOnce(t, 'cpu: 500m', 'cpu: 1'), 'emptyDir: {}', 'emptyDir: ') }),
    ).toEqual([]);
  });

  it('reports list-map duplicates (two containers or ports with one key) as schema/duplicate-key', () => {
    const findings = run({
      livy: (t) =>
        replaceOnce(
          t,
          '            - containerPort: 8998\n              name: http\n',
          '            - containerPort: 8998\n              name: http\n            - containerPort: 8998\n              name: http2\n',
        ),
    });
    expect(ruleIds(findings)).toEqual(['schema/duplicate-key']);
    expect(findings[0]?.message).toContain('containerPort=8998');
  });

  it('reports an object without apiVersion/kind or name', () => {
    const objects = objectsFromYaml(
      'x.yaml',
      'metadata:\n  name: x\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {}\n',
    );
    expect(ruleIds(validate(objects))).toEqual(['schema/missing-type']);
  });
});

describe('custom resources', () => {
  it('validate against the pinned CRDs (Argo CD, Spark Operator, Karpenter)', () => {
    const findings = run({ sparkJob: (t) => replaceOnce(t, 'type: Python', 'type: Perl') });
    expect(ruleIds(findings)).toEqual(['schema/invalid']);
    expect(findings[0]?.message).toMatch(/"Java", "Python", "Scala", "R"|must be one of/);
    const app = run({
      root: (t) =>
        replaceOnce(t, '    path: apps/livy\n', '    path: apps/livy\n    helm:\n      valueFile: [a]\n'),
    });
    expect(ruleIds(app)).toEqual(['schema/unknown-field']);
  });

  it('a kind with no schema is a finding, not a silent skip', () => {
    const objects = objectsFromYaml(
      'apps/x/widget.yaml',
      'apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n',
    );
    const findings = validate(objects);
    expect(ruleIds(findings)).toEqual(['schema/unknown-kind']);
    expect(findings[0]).toMatchObject({ file: 'apps/x/widget.yaml', line: 2 });
  });

  it('CRDs rendered in the environment validate their resources, honouring preserve-unknown-fields and int-or-string', () => {
    const crd = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
  annotations: {argocd.argoproj.io/sync-wave: "-1"}
spec:
  group: example.com
  scope: Namespaced
  names: {kind: Widget, plural: widgets}
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              properties:
                size: {x-kubernetes-int-or-string: true}
                extra: {type: object, x-kubernetes-preserve-unknown-fields: true}
    - name: v1beta1
      served: true
      storage: false
      deprecated: true
      deprecationWarning: example.com/v1beta1 Widget is going away
      schema:
        openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}
---
apiVersion: example.com/v1
kind: Widget
metadata: {name: ok, namespace: default}
spec: {size: 3, extra: {anything: [1, 2]}}
---
apiVersion: example.com/v1
kind: Widget
metadata: {name: also-ok, namespace: default}
spec: {size: 50%}
---
apiVersion: example.com/v1
kind: Widget
metadata: {name: bad, namespace: default}
spec: {size: 3, colour: red}
---
apiVersion: example.com/v1beta1
kind: Widget
metadata: {name: old, namespace: default}
spec: {whatever: true}
---
apiVersion: example.com/v2
kind: Widget
metadata: {name: future, namespace: default}
`;
    const findings = validate(objectsFromYaml('apps/x/widgets.yaml', crd));
    expect(findings.map((f) => [f.rule, f.resource])).toEqual([
      ['schema/unknown-field', 'Widget/default/bad'],
      ['api/deprecated', 'Widget/default/old'],
      ['api/removed', 'Widget/default/future'],
    ]);
    const unreadable = validate(
      objectsFromYaml(
        'c.yaml',
        'apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: x}\nspec: {group: x}\n',
      ),
    );
    expect(ruleIds(unreadable)).toContain('schema/invalid-crd');
  });
});

describe('schema conversion', () => {
  const crd = (schema: unknown) => convertSchema(schema, { mode: 'crd', refPrefix: '#/definitions/' });
  it('closes objects unless they preserve unknown fields', () => {
    expect(crd({ type: 'object', properties: { a: { type: 'string' } } }).additionalProperties).toBe(false);
    expect(
      crd({
        type: 'object',
        'x-kubernetes-preserve-unknown-fields': true,
        properties: { a: { type: 'string' } },
      }).additionalProperties,
    ).toBeUndefined();
  });
  it('turns formats into plain keywords', () => {
    expect(crd({ type: 'integer', format: 'int32' })).toMatchObject({
      minimum: -2147483648,
      maximum: 2147483647,
    });
    expect(crd({ type: 'string', format: 'byte' }).pattern).toBeDefined();
    expect(crd({ type: 'number', minimum: 0, exclusiveMinimum: true })).toEqual({
      type: 'number',
      exclusiveMinimum: 0,
    });
  });
  it('embedded resources accept apiVersion, kind and metadata', () => {
    const schema = crd({
      type: 'object',
      'x-kubernetes-embedded-resource': true,
      properties: { spec: { type: 'object' } },
    });
    expect(Object.keys(schema.properties as object).sort()).toEqual([
      'apiVersion',
      'kind',
      'metadata',
      'spec',
    ]);
  });
  it('compiled standalone code validates like the schema', () => {
    const validators = loadBundleSource(
      compileBundleSource({
        definitions: {},
        entries: { e: crd({ type: 'object', properties: { n: { type: 'integer', format: 'int32' } } }) },
      }),
    );
    expect(validators.e?.({ n: 1 })).toBe(true);
    expect(validators.e?.({ n: 2 ** 31 })).toBe(false);
  });
});

describe('compiled validators are cached on disk', () => {
  it('writes the compiled code once and reads it back in a new process-like validator', () => {
    const cacheDir = mkdtempSync(path.join(os.tmpdir(), 'airspark-cache-'));
    const objects = environment();
    new EnvironmentValidator({ cacheDir }).validateEnvironment({
      env: 'dev',
      kubernetesVersion: '1.35',
      objects,
      externalResources: external,
    });
    const written = readdirSync(path.join(cacheDir, 'validators'));
    expect(written.filter((f) => f.endsWith('.cjs')).length).toBeGreaterThan(0);
    // V8's code cache of each loaded bundle is kept beside it, so that a warm start compiles nothing.
    expect(written.filter((f) => f.endsWith('.cjs.v8')).length).toBe(
      written.filter((f) => f.endsWith('.cjs')).length,
    );
    const started = performance.now();
    const again = new EnvironmentValidator({ cacheDir }).validateEnvironment({
      env: 'dev',
      kubernetesVersion: '1.35',
      objects,
      externalResources: external,
    });
    expect(again).toEqual([]);
    expect(readdirSync(path.join(cacheDir, 'validators'))).toEqual(written);
    expect(existsSync(cacheDir)).toBe(true);
    // Informative only: a warm run loads compiled code instead of compiling.
    expect(performance.now() - started).toBeLessThan(60_000);
  });

  it('recompiles a damaged cache file and ignores a damaged code cache', () => {
    const cacheDir = mkdtempSync(path.join(os.tmpdir(), 'airspark-cache-'));
    const objects = environment();
    const input = { env: 'dev', kubernetesVersion: '1.35', objects, externalResources: external };
    new EnvironmentValidator({ cacheDir }).validateEnvironment(input);
    const dir = path.join(cacheDir, 'validators');
    for (const f of readdirSync(dir))
      writeFileSync(path.join(dir, f), f.endsWith('.v8') ? 'garbage' : 'module.exports = {');
    const broken = environment({ livy: (t) => replaceOnce(t, 'replicas: 1', 'replicas: "1"') });
    expect(
      ruleIds(new EnvironmentValidator({ cacheDir }).validateEnvironment({ ...input, objects: broken })),
    ).toEqual(['schema/invalid']);
  });

  it('reports an environment whose Kubernetes version has no schemas', () => {
    expect(ruleIds(validate([], { kubernetesVersion: '1.29' }))).toEqual(['schema/kubernetes-version']);
  });
});

describe('metadata the API server checks beyond the schema', () => {
  it('schema/invalid-name: names per kind', () => {
    expect(
      ruleIds(
        run({
          livy: (t) =>
            replaceOnce(
              t,
              'kind: Deployment\nmetadata:\n  name: livy',
              'kind: Deployment\nmetadata:\n  name: Livy_Server',
            ),
        }),
      ),
    ).toEqual(['schema/invalid-name']);
    const longService = objectsFromYaml(
      's.yaml',
      `apiVersion: v1\nkind: Service\nmetadata: {name: ${'a'.repeat(64)}, namespace: default}\nspec: {ports: [{port: 80}]}\n`,
    );
    expect(ruleIds(validate(longService))).toEqual(['schema/invalid-name']);
    const rbac = objectsFromYaml(
      'r.yaml',
      'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: "system:airspark:reader"}\nrules: []\n',
    );
    expect(validate(rbac)).toEqual([]);
  });

  it('schema/invalid-label: long or malformed label values and keys', () => {
    const findings = run({
      livy: (t) =>
        replaceOnce(
          t,
          '  name: livy-spark-defaults\n  namespace: livy\n',
          `  name: livy-spark-defaults\n  namespace: livy\n  labels:\n    release: ${'x'.repeat(64)}\n    "bad key!": v\n`,
        ),
    });
    expect(only(findings, 'schema/invalid-label')).toHaveLength(2);
    expect(findings.every((f) => f.rule === 'schema/invalid-label')).toBe(true);
  });
});
