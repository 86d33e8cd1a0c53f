// Build step: bundles the command (dist/main.js, the workspace packages and their dependencies) into
// dist/airspark.bundle.mjs, which bin/airspark.js runs. Node then reads a few files instead of
// resolving and loading some three hundred modules: that was half of a warm `pnpm validate` (ADR 0045).
// Code splitting (ADR 0063): each command module that main.js imports dynamically, with what only it
// needs, goes to its own chunk in dist/airspark.bundle.chunks/, so `validate` loads about a third of
// the code instead of all of it.
//
// Every module keeps its own `import.meta.url` (the file it was bundled from), so the paths the
// packages compute from it (committed schemas, precompiled validators, build info) stay what they
// are unbundled. The bundle therefore only runs in place, inside this repository's packages/.
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import { buildsFileOf, digestOf } from '../lib/fresh-bundle.js';

// `--entry FILE --outfile FILE` bundles another entry the same way (the validation benchmark's
// whole-process entry, so that it starts like the command does).
const { values } = parseArgs({ options: { entry: { type: 'string' }, outfile: { type: 'string' } } });
const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const entry = path.resolve(values.entry ?? path.join(packageDir, 'dist', 'main.js'));
const outfile = path.resolve(values.outfile ?? path.join(packageDir, 'dist', 'airspark.bundle.mjs'));
// esbuild writes the entry and its chunks into a fresh folder; the chunks (content-hashed names) are
// moved into place first and the entry last, so a running command never sees an entry whose chunks
// are missing.
const outName = path.basename(outfile).replace(/\.mjs$/, '');
const chunksName = `${outName}.chunks`;
const temporary = path.join(path.dirname(outfile), `.${outName}.${process.pid}.tmp`);

/** Replaces `import.meta.url` in each bundled module by the URL of the file it came from. */
const keepModuleUrls = {
  name: 'keep-module-urls',
  setup(esbuild) {
    esbuild.onLoad({ filter: /\.(m?js)$/ }, async (args) => {
      const { readFile } = await import('node:fs/promises');
      const text = await readFile(args.path, 'utf8');
      if (!text.includes('import.meta.url')) return undefined;
      return {
        contents: text.replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href)),
        loader: 'js',
      };
    });
  },
};

await rm(temporary, { recursive: true, force: true });
const result = await build({
  entryPoints: [{ in: entry, out: outName }],
  metafile: true,
  outdir: temporary,
  outExtension: { '.js': '.mjs' },
  splitting: true,
  chunkNames: `${chunksName}/[name]-[hash]`,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // CommonJS dependencies call `require` for Node's built-ins; give each ES module file one.
  banner: {
    js: "import { createRequire as __airsparkCreateRequire } from 'node:module'; const require = __airsparkCreateRequire(import.meta.url);",
  },
  plugins: [keepModuleUrls],
  logLevel: 'warning',
  legalComments: 'none',
});
const chunksDir = path.join(path.dirname(outfile), chunksName);
await mkdir(chunksDir, { recursive: true });
const chunks = await readdir(path.join(temporary, chunksName)).catch(() => []);
for (const chunk of chunks)
  await rename(path.join(temporary, chunksName, chunk), path.join(chunksDir, chunk));
await rename(path.join(temporary, `${outName}.mjs`), outfile);
await rm(temporary, { recursive: true, force: true });
// Chunks of earlier builds are never loaded again (the names carry their content hash).
const current = new Set(chunks);
for (const chunk of await readdir(chunksDir))
  if (!current.has(chunk)) await rm(path.join(chunksDir, chunk), { force: true });

// The builds this bundle holds: the digest of each bundled workspace package's build info, which
// bin/airspark.js compares before it runs the bundle (lib/fresh-bundle.js). Written after the bundle,
// so that a bundle never stands beside the list of newer builds.
const packagesDir = path.resolve(packageDir, '..');
const bundled = new Set();
for (const input of Object.keys(result.metafile.inputs)) {
  const relative = path.relative(packagesDir, path.resolve(input));
  const match = /^([^/\\]+)[/\\]dist[/\\]/.exec(relative);
  if (match) bundled.add(match[1]);
}
const builds = {};
for (const name of [...bundled].sort())
  builds[name] = digestOf(await readFile(path.join(packagesDir, name, 'dist', '.tsbuildinfo')));
await writeFile(`${buildsFileOf(outfile)}.${process.pid}.tmp`, `${JSON.stringify({ builds }, null, 2)}\n`);
await rename(`${buildsFileOf(outfile)}.${process.pid}.tmp`, buildsFileOf(outfile));
