#!/usr/bin/env node
// The airspark side of the whole-process comparison with kubeconform (validate-throughput.mjs): one
// process that does what `kubeconform -strict DIR` does — read every YAML file of a folder, parse
// it, check each object against the schemas of one Kubernetes version — start-up, loading the
// compiled validators and exit included. The benchmark runs it as an esbuild bundle, the way the
// `airspark` command ships (dist/airspark.bundle.mjs), so that module loading costs what it costs
// users.
//
//   node validate-files.mjs [--kubernetes 1.35] [--every-check] [--cache-dir DIR] [--no-precompiled] DIR
//
// Prints `{ objects, invalid: ["<file> <kind> <name>", ...] }` on stdout. With
// --every-check it runs every check of @airspark/validate (policies, cross-references) and reports
// the objects with a schema finding (by name, not by file position). --no-precompiled ignores the
// code generated at build time (to measure a first run that must compile; schema checks only),
// --cache-dir replaces the user's cache.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { parseManifests } from '../dist/manifests.js';
import { loadKubernetesApi, loadPinnedCrds, SchemaCatalog } from '../dist/schema/catalog.js';
import { SchemaChecker } from '../dist/schema/check-schemas.js';
import { ValidatorCache } from '../dist/schema/compile.js';
import { defaultCacheDir, EnvironmentValidator } from '../dist/validate.js';

const { values, positionals } = parseArgs({
  options: {
    kubernetes: { type: 'string', default: '1.35' },
    'every-check': { type: 'boolean', default: false },
    'cache-dir': { type: 'string' },
    'no-precompiled': { type: 'boolean', default: false },
  },
  allowPositionals: true,
});
const dir = positionals[0];
if (!dir) {
  process.stderr.write('usage: validate-files.mjs [--kubernetes 1.35] [--every-check] DIR\n');
  process.exit(2);
}
const cacheDir = values['cache-dir'] ?? defaultCacheDir();
const cache = new ValidatorCache(cacheDir, values['no-precompiled'] ? [] : undefined);

/** Each file's objects as rendered objects, named `<file> <kind> <name>`. */
function readObjects(name) {
  const file = path.join(dir, name);
  const { manifests, findings } = parseManifests(readFileSync(file, 'utf8'), file);
  if (findings.length > 0) throw new Error(`${file}: ${findings[0]?.message}`);
  return manifests.map((m) => ({
    env: 'bench',
    app: 'bench',
    object: m.object,
    renderedPath: file,
    source: m.source,
    locate: m.locate,
    id: `${name} ${m.object.kind} ${m.object.metadata?.name}`,
  }));
}
const names = readdirSync(dir)
  .filter((name) => /\.ya?ml$/.test(name))
  .sort();

const invalid = new Set();
let count = 0;
if (values['every-check']) {
  // Cross-object checks need the whole environment in memory at once.
  const objects = names.flatMap(readObjects);
  count = objects.length;
  const validator = new EnvironmentValidator({ cacheDir });
  const findings = validator.validateEnvironment({
    env: 'bench',
    kubernetesVersion: values.kubernetes,
    objects,
  });
  // Findings name their object (`Kind namespace/name`); count the objects with a schema finding.
  for (const f of findings)
    if (f.rule.startsWith('schema/')) invalid.add(f.resource ?? `${f.file}:${f.line}`);
} else {
  const api = loadKubernetesApi(values.kubernetes);
  if (!api) throw new Error(`no schemas for Kubernetes ${values.kubernetes}`);
  const checker = new SchemaChecker(new SchemaCatalog(api, loadPinnedCrds()), cache);
  // Like kubeconform, one file at a time: nothing is kept but the verdicts.
  for (const name of names) {
    for (const o of readObjects(name)) {
      count++;
      if (checker.check(o).length > 0) invalid.add(o.id);
    }
  }
  cache.persistCodeCaches();
}
process.stdout.write(`${JSON.stringify({ objects: count, invalid: [...invalid].sort() })}\n`);
