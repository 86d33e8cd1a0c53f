#!/usr/bin/env node
// `pnpm infra:synth`: synthesizes every environment's stack and runs the security checks.
import { ensureFreshBuild } from './ensure-fresh-build.js';

ensureFreshBuild();
await import('../dist/synth-main.js');
