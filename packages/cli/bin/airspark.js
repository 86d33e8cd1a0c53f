#!/usr/bin/env node
// Entry point of the `airspark` command. The workspace packages run from their compiled dist/;
// when a source file is newer than its build (a developer edited a package and did not build),
// rebuild first so that `pnpm validate` never runs stale code.
import { ensureFreshBuild } from './ensure-fresh-build.js';

await ensureFreshBuild();
const { main } = await import('../dist/main.js');
process.exitCode = await main(process.argv.slice(2));
