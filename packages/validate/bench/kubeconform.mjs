// kubeconform v0.7.0, the peer validator of the throughput benchmark, given airspark's own generated
// schemas in a layout it reads.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { reachableDefinitions, referencedNames } from '../dist/schema/kubernetes-spec.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/**
 * The kubeconform binary, built from the Go module proxy into the shared cache when absent by
 * scripts/setup-kubeconform.mjs (which prints its path).
 */
export function ensureKubeconform(log) {
  log('kubeconform: scripts/setup-kubeconform.mjs (builds it once, about a minute)');
  const result = spawnSync(process.execPath, [path.join(repoRoot, 'scripts', 'setup-kubeconform.mjs')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const binary = result.stdout.trim().split('\n').at(-1);
  if (result.status !== 0 || !binary || !existsSync(binary)) {
    throw new Error(`scripts/setup-kubeconform.mjs failed (exit ${result.status})`);
  }
  return binary;
}

/**
 * Writes every schema of the catalog as a self-contained JSON Schema file at
 * `<dir>/<group>/<kind>_<version>.json`, read by kubeconform through
 * `-schema-location '<dir>/{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json'`
 * (kubeconform's `.Group` is the whole group, or `v1` for the core group). The content is exactly
 * what airspark compiles: the same entry schema with the definitions it reaches.
 */
export function writeKubeconformSchemas(dir, catalog) {
  rmSync(dir, { recursive: true, force: true });
  const write = (group, kind, version, entry, definitions) => {
    const reach = reachableDefinitions(definitions, referencedNames(entry, '#/definitions/'));
    const doc = {
      $schema: 'http://json-schema.org/draft-07/schema#',
      definitions: Object.fromEntries([...reach].sort().map((n) => [n, definitions[n]])),
      allOf: [entry],
    };
    const file = path.join(dir, group === '' ? version : group, `${kind.toLowerCase()}_${version}.json`);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify(doc));
  };
  const builtin = catalog.builtinBundle();
  for (const r of catalog.api.resources) {
    write(
      r.group,
      r.kind,
      r.version,
      builtin.entries[`${r.group}/${r.version}/${r.kind}`],
      builtin.definitions,
    );
  }
  for (const crd of catalog.crdsList()) {
    const bundle = catalog.crdBundle(crd);
    for (const v of crd.versions)
      write(crd.group, crd.kind, v.name, bundle.entries[v.name], bundle.definitions);
  }
  return `${dir}/{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json`;
}
