#!/usr/bin/env node
// Entry point of `pnpm e2e`. Rebuilds the workspace packages it runs when a source file is newer
// than its build (as the airspark command does), then runs the compiled CLI.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureFreshBuild } from '@airspark/cli-kit/ensure-fresh-build';

const repoDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
ensureFreshBuild({ repoDir, filter: '@airspark/e2e...', label: 'airspark e2e' });
const { main } = await import('../dist/cli.js');
process.exitCode = await main(process.argv.slice(2));
