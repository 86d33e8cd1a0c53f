#!/usr/bin/env node
// Runs a command, retrying it when it fails: for downloads that one dropped connection can fail
// (uv sync from PyPI, the Spark jars from Maven Central) inside the test command itself, so that
// CI needs to prepare nothing the README does not say. `node scripts/retry.mjs [--attempts N] cmd args…`
import { spawnSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';

const args = process.argv.slice(2);
let attempts = 3;
if (args[0] === '--attempts') {
  attempts = Number(args[1]);
  args.splice(0, 2);
}
const [command, ...rest] = args;
if (!command || !Number.isInteger(attempts) || attempts < 1) {
  process.stderr.write('usage: retry.mjs [--attempts N] <command> [args…]\n');
  process.exit(2);
}
for (let attempt = 1; ; attempt++) {
  const result = spawnSync(command, rest, { stdio: 'inherit' });
  if (result.error) {
    process.stderr.write(`retry: cannot run ${command}: ${result.error.message}\n`);
    process.exit(127);
  }
  if (result.status === 0) process.exit(0);
  if (attempt >= attempts) {
    process.stderr.write(
      `retry: ${[command, ...rest].join(' ')} failed ${attempts} times (exit ${result.status}); giving up.\n`,
    );
    process.exit(result.status ?? 1);
  }
  const wait = 10 * attempt;
  process.stderr.write(
    `retry: ${command} failed (exit ${result.status}, attempt ${attempt} of ${attempts}); again in ${wait} s\n`,
  );
  await sleep(wait * 1000);
}
