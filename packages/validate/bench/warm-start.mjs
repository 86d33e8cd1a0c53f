// One process as `pnpm validate` starts it: load the catalog and the cached validators, validate one
// environment's worth of objects, exit. Prints `{ ms, objects, findings }`. Run by validate-throughput.mjs.
import { defaultCacheDir, EnvironmentValidator } from '../dist/index.js';
import { generateCorpus } from './corpus.mjs';

const count = Number(process.argv[2] ?? 500);
const { objects } = generateCorpus(count, 7);
const started = performance.now();
const validator = new EnvironmentValidator({ cacheDir: defaultCacheDir() });
const findings = validator.validateEnvironment({
  env: 'bench',
  kubernetesVersion: '1.35',
  objects: objects.map((object, i) => ({
    env: 'bench',
    app: 'bench',
    object,
    renderedPath: `${i}`,
    source: { file: `${i}`, line: 1, column: 1 },
  })),
});
console.log(
  JSON.stringify({ ms: Math.round(performance.now() - started), objects: count, findings: findings.length }),
);
