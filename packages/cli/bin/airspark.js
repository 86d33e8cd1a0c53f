#!/usr/bin/env node
// Entry point of the `airspark` command. The workspace packages run from their compiled dist/;
// when a source file is newer than its build, rebuild first so that `pnpm validate` never runs
// stale code.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureFreshBuild } from '@airspark/cli-kit/ensure-fresh-build';

ensureFreshBuild({
  repoDir: path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..'),
  filter: '@airspark/cli...',
  label: 'airspark',
});
const { main } = await import('../dist/main.js');
process.exitCode = await main(process.argv.slice(2));
