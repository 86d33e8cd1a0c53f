#!/usr/bin/env node
// `pnpm infra:handoff --env E`: writes clusters/E/infra-outputs.json from the stack's outputs.
import { ensureFreshBuild } from './ensure-fresh-build.js';

ensureFreshBuild();
await import('../dist/handoff-main.js');
