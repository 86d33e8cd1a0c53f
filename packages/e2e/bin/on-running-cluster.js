#!/usr/bin/env node
// Scenarios against the cluster as it is (src/on-running-cluster.ts): for developing scenarios only.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureFreshBuild } from '@airspark/cli-kit/ensure-fresh-build';

const repoDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
ensureFreshBuild({ repoDir, filter: '@airspark/e2e...', label: 'airspark e2e' });
const { onRunningClusterMain } = await import('../dist/on-running-cluster.js');
process.exitCode = await onRunningClusterMain(process.argv.slice(2));
