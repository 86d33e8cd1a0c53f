// `airspark cluster` and `airspark images` as a user meets them: usage errors, recipe errors with
// file and line, and a real (small) image build that is cached the second time. The cluster
// itself is exercised by packages/kube/test/cluster.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/main.js';
import { captureContext } from './capture.js';

const execFileAsync = promisify(execFile);
let root: string;
let cache: string;
const savedCache = process.env.AIRSPARK_CACHE_DIR;

async function airspark(...args: string[]) {
  const { ctx, out, err } = captureContext(root, { ...process.env, NO_COLOR: '1' });
  const code = await main(args, ctx);
  return { code, out: out(), err: err() };
}

async function write(file: string, text: string): Promise<void> {
  await mkdir(path.dirname(path.join(root, file)), { recursive: true });
  await writeFile(path.join(root, file), text);
}

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'airspark-images-'));
  cache = await mkdtemp(path.join(os.tmpdir(), 'airspark-images-cache-'));
  process.env.AIRSPARK_CACHE_DIR = cache;
  await write('pnpm-workspace.yaml', 'packages: []\n');
  await mkdir(path.join(root, 'clusters'));
  await execFileAsync('git', ['init', '-q'], { cwd: root });
});

afterAll(async () => {
  if (savedCache === undefined) delete process.env.AIRSPARK_CACHE_DIR;
  else process.env.AIRSPARK_CACHE_DIR = savedCache;
  await rm(root, { recursive: true, force: true });
  await rm(cache, { recursive: true, force: true });
});

describe('airspark cluster', () => {
  it('explains itself and rejects an unknown action with exit 2', async () => {
    const help = await airspark('cluster', '--help');
    expect(help.code).toBe(0);
    expect(help.out).toContain('Usage: airspark cluster <up|down|status|prepare>');
    const wrong = await airspark('cluster', 'start');
    expect(wrong.code).toBe(2);
    expect(wrong.err).toContain('expected "up", "down", "status" or "prepare"');
  });
});

describe('airspark images', () => {
  it('reports a bad recipe with its file and line, exit 2', async () => {
    await write(
      'apps/bad/images/bad/image.yaml',
      'name: bad\ntag: "1"\nsteps:\n  - copy: { from: x, to: relative }\n',
    );
    const result = await airspark('images', 'list');
    expect(result.code).toBe(2);
    expect(result.err).toContain(
      `${path.join(root, 'apps/bad/images/bad/image.yaml')}:4: "relative" must be an absolute path inside the image`,
    );
    await rm(path.join(root, 'apps/bad'), { recursive: true });
  });

  it('names the known images when asked for an unknown one', async () => {
    await write(
      'apps/hello/images/hello/image.yaml',
      'name: hello\ntag: "1"\nsteps:\n  - copy: { from: hello.txt, to: /hello.txt }\n',
    );
    await write('apps/hello/images/hello/hello.txt', `hello ${Date.now()}\n`);
    const result = await airspark('images', 'build', 'nope', '--no-import');
    expect(result.code).toBe(2);
    expect(result.err).toContain('no image recipe named nope; known: hello');
    const list = await airspark('images', 'list');
    expect(list.out).toContain('airspark.local/hello:1');
  });

  it.skipIf(process.platform !== 'linux' || process.getuid?.() !== 0)(
    'builds an image from a recipe, then takes it from the cache (needs root: umoci, skopeo)',
    async () => {
      const first = await airspark('images', 'build', 'hello', '--no-import');
      expect(first.code, first.err).toBe(0);
      expect(first.out).toMatch(/^airspark\.local\/hello:1 {2}built {2}\S+image\.tar$/m);
      const archive = first.out.trim().split(/\s+/).at(-1) ?? '';
      const { stdout } = await execFileAsync('tar', ['-xOf', archive, 'manifest.json']);
      expect(JSON.parse(stdout)[0].RepoTags).toEqual(['airspark.local/hello:1']);
      const second = await airspark('images', 'build', 'hello', '--no-import');
      expect(second.out).toMatch(/^airspark\.local\/hello:1 {2}cached {2}/m);
    },
    300_000,
  );
});
