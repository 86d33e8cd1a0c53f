#!/usr/bin/env node
// `pnpm infra:synth`: runs the compiled synth (the root script builds infra first).
await import('../dist/synth-main.js');
