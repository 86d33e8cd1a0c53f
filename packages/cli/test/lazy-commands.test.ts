import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { captureContext } from './capture.js';

const exec = promisify(execFile);
const PACKAGE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const capture = () => captureContext(os.tmpdir(), { NO_COLOR: '1' });

/** A stack trace line, as Node prints them. */
const STACK_LINE = /^\s+at .+/m;

// ADR 0063: command modules are imported when their command runs; what users see must not change.
describe('lazy command modules', () => {
  afterEach(() => {
    vi.doUnmock('../src/commands/images.js');
    vi.resetModules();
  });

  it('an unknown command is still a usage error: exit 2, the list of commands, no stack trace', async () => {
    const { main } = await import('../src/main.js');
    for (const name of ['valdiate', 'constructor', '__proto__', 'hasOwnProperty']) {
      const c = capture();
      expect(await main([name], c.ctx)).toBe(2);
      expect(c.err()).toContain(`airspark: unknown command "${name}".`);
      expect(c.err()).toContain('  pre-commit  validate what the staged files touch (the git hook)');
      expect(c.err()).not.toMatch(STACK_LINE);
      expect(c.out()).toBe('');
    }
  });

  it('usage lists every command without loading any command module', async () => {
    const { main, commandNames } = await import('../src/main.js');
    const c = capture();
    expect(await main(['--help'], c.ctx)).toBe(0);
    for (const name of commandNames) expect(c.out()).toMatch(new RegExp(`^  ${name} +\\S`, 'm'));
    const none = capture();
    expect(await main([], none.ctx)).toBe(2);
    expect(none.err()).toBe(c.out());
  });

  it("a command's option mistake is reported as before: exit 2 and the hint, no stack trace", async () => {
    const { main } = await import('../src/main.js');
    const c = capture();
    expect(await main(['validate', '--no-such-option'], c.ctx)).toBe(2);
    expect(c.err()).toMatch(/^airspark validate: .*--no-such-option.*Run `airspark validate --help`/);
    expect(c.err()).not.toMatch(STACK_LINE);
  });

  it('a command module that cannot be loaded is an unexpected error without a stack trace', async () => {
    vi.doMock('../src/commands/images.js', () => {
      throw new Error('chunk missing');
    });
    const { main } = await import('../src/main.js');
    const c = capture();
    expect(await main(['images', 'list'], c.ctx)).toBe(2);
    // (vitest wraps the factory's error in its own message; Node's would name the missing file)
    expect(c.err()).toMatch(/^airspark images: unexpected error: /);
    expect(c.err()).toContain('Run again with --debug for the stack trace');
    expect(c.err()).not.toMatch(STACK_LINE);
  });

  it('main.ts imports no command module statically', async () => {
    const source = await readFile(path.join(PACKAGE, 'src/main.ts'), 'utf8');
    expect(source).not.toMatch(/^import .* from '\.\/commands\//m);
  });
});

/** The chunk files a bundle file imports statically, transitively (what Node loads with it). */
async function staticClosure(file: string, seen = new Set<string>()): Promise<Set<string>> {
  if (seen.has(file)) return seen;
  seen.add(file);
  const text = await readFile(file, 'utf8');
  for (const match of text.matchAll(
    /^(?:import|export)\b[^;]*?from "(\.[^"]+)";?$|^import "(\.[^"]+)";$/gms,
  )) {
    const target = match[1] ?? match[2];
    if (target) await staticClosure(path.resolve(path.dirname(file), target), seen);
  }
  return seen;
}

describe('the bundle splits per command (scripts/bundle.mjs)', () => {
  it('validate loads neither the Kubernetes client nor the image tooling; images does', async () => {
    const out = await mkdtemp(path.join(os.tmpdir(), 'airspark-bundle-'));
    try {
      const outfile = path.join(out, 'airspark.bundle.mjs');
      await exec(process.execPath, [
        path.join(PACKAGE, 'scripts/bundle.mjs'),
        '--entry',
        path.join(PACKAGE, 'src/main.ts'),
        '--outfile',
        outfile,
      ]);
      const chunks = await readdir(path.join(out, 'airspark.bundle.chunks'));
      const entryOf = (command: string) => {
        const chunk = chunks.find((c) => c.startsWith(`${command}-`));
        if (!chunk) throw new Error(`no chunk for ${command} in ${chunks.join(', ')}`);
        return path.join(out, 'airspark.bundle.chunks', chunk);
      };
      const textOf = async (command: string) => {
        const files = await staticClosure(outfile, await staticClosure(entryOf(command)));
        return (await Promise.all([...files].map((f) => readFile(f, 'utf8')))).join('\n');
      };
      // esbuild names every bundled module's path in a comment: the packages show by name.
      const validate = await textOf('validate');
      expect(validate).toContain('packages/validate/dist/');
      expect(validate).not.toContain('@kubernetes+client-node');
      expect(validate).not.toContain('dockerfile-ast');
      const images = await textOf('images');
      expect(images).toContain('dockerfile-ast');
      // No chunk is left over from the folder's earlier builds, and the entry has its list of builds.
      expect(await readdir(out)).toEqual(
        expect.arrayContaining(['airspark.bundle.mjs', 'airspark.bundle.mjs.builds.json']),
      );
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  }, 120_000);
});
