import { mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { LoadedEnvironment } from '@airspark/config';
import { App } from 'cdktf';
import type { SynthesizedStack, TerraformJson } from '../checks/synthesized-stack.js';
import { temporarySibling, writeFileAtomic } from '../fs/atomic-write.js';
import { stackName } from '../handoff/stack-outputs.js';
import { AirsparkStack } from '../stack/airspark-stack.js';

export interface StackTiming {
  env: string;
  stack: string;
  /** Building the construct tree of the stack. */
  constructMs: number;
  resources: number;
}

export interface SynthResult {
  stacks: SynthesizedStack[];
  timings: StackTiming[];
  /** Resolving and writing every stack (cdktf's `app.synth()`). */
  writeMs: number;
}

interface Manifest {
  version: string;
  stacks: Record<string, unknown>;
}

const countResources = (json: TerraformJson): number =>
  Object.values(json.resource ?? {}).reduce((n, byName) => n + Object.keys(byName).length, 0);

/**
 * Moves the files cdktf wrote for one stack into its folder, each by an atomic rename. The folder
 * itself stays: `cdktf deploy` and `terraform init` keep `.terraform/` and the lock file there.
 */
async function moveStackFiles(from: string, to: string): Promise<void> {
  await mkdir(to, { recursive: true });
  for (const entry of await readdir(from, { withFileTypes: true })) {
    if (!entry.isFile()) throw new Error(`unexpected ${entry.name} in synthesized stack ${from}`);
    await rename(path.join(from, entry.name), path.join(to, entry.name));
  }
}

/**
 * Synthesizes one stack per environment into `outdir` (`<outdir>/stacks/airspark-<env>/cdk.tf.json`)
 * without terraform or network. cdktf writes into a temporary sibling directory first, so a failure
 * half-way leaves the previous output whole; each file then replaces its previous version by rename,
 * and the manifest keeps the stacks not synthesized this time (`--env dev` leaves prod's as it was).
 */
export async function synthesizeStacks(
  root: string,
  outdir: string,
  environments: readonly LoadedEnvironment[],
  onStack: (timing: StackTiming) => void = () => {},
): Promise<SynthResult> {
  const staging = temporarySibling(outdir);
  await mkdir(path.dirname(outdir), { recursive: true });
  try {
    const app = new App({ outdir: staging });
    const built: Array<{ env: LoadedEnvironment; constructMs: number }> = [];
    for (const env of environments) {
      const start = performance.now();
      new AirsparkStack(app, env.name, env.environment);
      built.push({ env, constructMs: performance.now() - start });
    }
    const writeStart = performance.now();
    app.synth();
    const writeMs = performance.now() - writeStart;

    const stacks: SynthesizedStack[] = [];
    const timings: StackTiming[] = [];
    for (const { env, constructMs } of built) {
      const stack = stackName(env.name);
      await moveStackFiles(path.join(staging, 'stacks', stack), path.join(outdir, 'stacks', stack));
      const absolute = path.join(outdir, 'stacks', stack, 'cdk.tf.json');
      const text = await readFile(absolute, 'utf8');
      const json = JSON.parse(text) as TerraformJson;
      const file = path.relative(root, absolute).split(path.sep).join('/');
      stacks.push({ env: env.name, file, text, json });
      const timing = { env: env.name, stack, constructMs, resources: countResources(json) };
      timings.push(timing);
      onStack(timing);
    }
    await mergeManifest(path.join(staging, 'manifest.json'), path.join(outdir, 'manifest.json'));
    return { stacks, timings, writeMs };
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

async function mergeManifest(fresh: string, target: string): Promise<void> {
  const next = JSON.parse(await readFile(fresh, 'utf8')) as Manifest;
  const previous = await readFile(target, 'utf8').then(
    (text) => JSON.parse(text) as Manifest,
    () => undefined,
  );
  const stacks = { ...(previous?.stacks ?? {}), ...next.stacks };
  await writeFileAtomic(target, `${JSON.stringify({ ...next, stacks }, null, 2)}\n`);
}
