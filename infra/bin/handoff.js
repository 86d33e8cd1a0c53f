#!/usr/bin/env node
// `pnpm infra:handoff --env E`: runs the compiled hand-off (the root script builds infra first).
await import('../dist/handoff-main.js');
