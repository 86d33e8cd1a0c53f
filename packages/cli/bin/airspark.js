#!/usr/bin/env node
// Entry point of the `airspark` command. The workspace packages run from their compiled dist/;
// when a source file is newer than its build, rebuild first so that `pnpm validate` never runs
// stale code.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureFreshBuild } from '@airspark/cli-kit/ensure-fresh-build';
import { freshBundle } from '../lib/fresh-bundle.js';

const repoDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
ensureFreshBuild({ repoDir, filter: '@airspark/cli...', label: 'airspark' });
// The one-file bundle of dist/ (scripts/bundle.mjs) loads in a fraction of the time; it is used only
// when no package was built after it, otherwise the modules themselves run.
const { main } = await import(freshBundle(repoDir) ? '../dist/airspark.bundle.mjs' : '../dist/main.js');
process.exitCode = await main(process.argv.slice(2));
