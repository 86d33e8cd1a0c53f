import { mkdtempSync } from 'node:fs';
import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CliContext } from '@airspark/cli-kit';
import { type LoadedEnvironment, loadEnvironments } from '@airspark/config';
import { Testing } from 'cdktf';
import type { SynthesizedStack } from '../src/checks/synthesized-stack.js';
import { AirsparkStack } from '../src/stack/airspark-stack.js';
import { synthesizeStacks } from '../src/synth/synthesize.js';

/**
 * Synthesized Terraform JSON as the tests read it. Its shape is exactly what the tests assert, so it
 * is not typed beforehand: one deliberate `any` here instead of a cast at every property access.
 */
// biome-ignore lint/suspicious/noExplicitAny: see the comment above
export type Json = any;

const temporaryDirectories: string[] = [];

/** A fresh temporary directory, removed after the test file (see setup.ts). */
export async function temporaryDirectory(prefix: string): Promise<string> {
  return temporaryDirectorySync(prefix);
}

function temporaryDirectorySync(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  temporaryDirectories.push(dir);
  return dir;
}

export async function removeTemporaryDirectories(): Promise<void> {
  await Promise.all(temporaryDirectories.splice(0).map((d) => rm(d, { recursive: true, force: true })));
}

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

let cached: Promise<LoadedEnvironment[]> | undefined;

/** The repository's real environments, loaded once per test file. */
export function realEnvironments(): Promise<LoadedEnvironment[]> {
  cached ??= loadEnvironments(repoRoot).then((r) => {
    if (r.findings.length > 0) throw new Error(`environments have findings: ${JSON.stringify(r.findings)}`);
    // The AWS environments: a local cluster (cluster.provider: local) has no infrastructure.
    return r.environments.filter((e) => e.environment.cluster.provider !== 'local');
  });
  return cached;
}

export async function realEnvironment(name: string): Promise<LoadedEnvironment> {
  const env = (await realEnvironments()).find((e) => e.name === name);
  if (!env) throw new Error(`no environment ${name}`);
  return env;
}

/** One environment's stack through cdktf's Testing app: the JSON string the matchers read, and parsed. */
export function synthStack(env: LoadedEnvironment): {
  synthesized: string;
  json: Json;
} {
  const app = Testing.app({ outdir: temporaryDirectorySync('airspark-testing-') });
  const stack = new AirsparkStack(app, env.name, env.environment);
  const synthesized = Testing.synth(stack);
  return { synthesized, json: JSON.parse(synthesized) };
}

/** Resources of one type in a parsed stack, as [name, body] pairs. */
export function resourcesOf(json: Json, type: string): Array<[string, Json]> {
  return Object.entries(json.resource?.[type] ?? {});
}

export const ref = (type: string, name: string, attribute = 'id') => `\${${type}.${name}.${attribute}}`;

/** Full synthesis as `pnpm infra:synth` does it (metadata kept), into a temporary directory. */
export async function synthesizeForChecks(envs: readonly LoadedEnvironment[]): Promise<SynthesizedStack[]> {
  const root = await temporaryDirectory('airspark-infra-');
  const result = await synthesizeStacks(root, path.join(root, 'cdktf.out'), envs);
  return result.stacks;
}

/** A throw-away repository with copies of the real environments and allow-list. */
export async function temporaryRepository(): Promise<string> {
  const root = await temporaryDirectory('airspark-repo-');
  await writeFile(path.join(root, 'pnpm-workspace.yaml'), 'packages: []\n');
  await cp(path.join(repoRoot, 'clusters'), path.join(root, 'clusters'), {
    recursive: true,
    filter: (source) => !source.endsWith('infra-outputs.json'),
  });
  await mkdir(path.join(root, 'infra'));
  await cp(
    path.join(repoRoot, 'infra', 'security-allowlist.yaml'),
    path.join(root, 'infra', 'security-allowlist.yaml'),
  );
  return root;
}

/** Replaces text in a file of a temporary repository; fails loudly when the text is not there. */
export async function editFile(file: string, from: string | RegExp, to: string): Promise<void> {
  const text = await readFile(file, 'utf8');
  const next = text.replace(from, to);
  if (next === text) throw new Error(`${String(from)} not found in ${file}`);
  await writeFile(file, next);
}

/** A CLI context writing into strings. */
export function captureContext(
  cwd: string,
  env: NodeJS.ProcessEnv = {},
): CliContext & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  const stream = (append: (s: string) => void) =>
    ({
      write(chunk: string | Uint8Array) {
        append(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
        return true;
      },
    }) as unknown as NodeJS.WritableStream;
  return {
    cwd,
    env: { NO_COLOR: '1', ...env },
    stdout: stream((s) => {
      out += s;
    }),
    stderr: stream((s) => {
      err += s;
    }),
    out: () => out,
    err: () => err,
  };
}
