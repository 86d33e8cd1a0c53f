// Build step: generates the standalone validators of every pinned schema of this package (the
// Kubernetes kinds of each committed version, each pinned CRD, external-resources.yaml) into
// dist/precompiled, so that a fresh clone never compiles them at run time (ADR 0044). Code already
// there and intact is kept; the missing bundles are compiled in parallel, one worker thread per core.
import os from 'node:os';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { writeCompiledSource, writePrecompiledDir } from '@airspark/config';
import { VALIDATE_PRECOMPILED_DIR } from '../dist/schema/compile.js';
import { pinnedSchemaRequests } from '../dist/schema/pinned-bundles.js';

const requests = () => pinnedSchemaRequests();

if (isMainThread) {
  const started = performance.now();
  const all = requests();
  const { existsSync } = await import('node:fs');
  const { compiledSchemaKey } = await import('@airspark/config');
  const path = await import('node:path');
  const missing = all.filter(
    ({ request }) =>
      !existsSync(path.join(VALIDATE_PRECOMPILED_DIR, `${compiledSchemaKey(request.keyParts)}.cjs`)),
  );
  const threads = Math.min(missing.length, os.availableParallelism());
  // Largest first (the built-in kinds), spread round-robin over the workers.
  const shares = Array.from({ length: threads }, (_, i) => missing.filter((_, j) => j % threads === i));
  await Promise.all(
    shares.map(
      (ids) =>
        new Promise((resolve, reject) => {
          const worker = new Worker(new URL(import.meta.url), { workerData: ids.map((r) => r.id) });
          worker.on('error', reject);
          worker.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`worker exited ${code}`))));
        }),
    ),
  );
  // Verifies every file (checksum) and removes code of schemas no longer pinned.
  const files = writePrecompiledDir(
    VALIDATE_PRECOMPILED_DIR,
    all.map((r) => r.request),
  );
  process.stderr.write(
    `@airspark/validate: ${files.length} precompiled validators in dist/precompiled (${missing.length} compiled, ${((performance.now() - started) / 1000).toFixed(1)} s)\n`,
  );
} else {
  const wanted = new Set(workerData);
  for (const { id, request } of requests())
    if (wanted.has(id)) writeCompiledSource(VALIDATE_PRECOMPILED_DIR, request);
  parentPort?.close();
}
