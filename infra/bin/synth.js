#!/usr/bin/env node
// `pnpm infra:synth`: synthesizes every environment's stack and runs the security checks.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureFreshBuild } from '@airspark/cli-kit/ensure-fresh-build';

const infraDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
ensureFreshBuild({
  repoDir: path.resolve(infraDir, '..'),
  filter: '@airspark/infra',
  label: 'infra',
  extraPackageDirs: [infraDir],
});
await import('../dist/synth-main.js');
