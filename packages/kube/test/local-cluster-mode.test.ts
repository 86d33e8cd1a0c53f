// Which cluster `airspark cluster up` drives: kind only where a Docker engine answers.
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalClusterModeError, localClusterMode } from '../src/index.js';

let bin: string;

async function fakeTool(name: string, script: string): Promise<void> {
  await writeFile(path.join(bin, name), `#!/bin/sh\n${script}\n`);
  await chmod(path.join(bin, name), 0o755);
}

beforeAll(async () => {
  bin = await mkdtemp(path.join(os.tmpdir(), 'airspark-mode-'));
});
afterAll(async () => {
  await rm(bin, { recursive: true, force: true });
});

describe('localClusterMode', () => {
  it('honours AIRSPARK_LOCAL_CLUSTER and rejects other values', async () => {
    expect(await localClusterMode({ AIRSPARK_LOCAL_CLUSTER: 'kind' })).toBe('kind');
    expect(await localClusterMode({ AIRSPARK_LOCAL_CLUSTER: ' Node ' })).toBe('node');
    await expect(localClusterMode({ AIRSPARK_LOCAL_CLUSTER: 'minikube' })).rejects.toThrow(
      LocalClusterModeError,
    );
  });

  it('stays in node mode when docker answers --version but no engine runs (this machine kind)', async () => {
    await fakeTool(
      'docker',
      'case "$1" in --version) echo "Docker version 27";; *) echo "Cannot connect to the Docker daemon" >&2; exit 1;; esac',
    );
    await fakeTool('kind', 'echo kind v0.30.0');
    expect(await localClusterMode({ PATH: bin })).toBe('node');
  });

  it('uses kind when `docker info` answers and kind is installed, and not without kind', async () => {
    await fakeTool('docker', 'echo 27.0.0');
    expect(await localClusterMode({ PATH: bin })).toBe('kind');
    await rm(path.join(bin, 'kind'));
    expect(await localClusterMode({ PATH: bin })).toBe('node');
  });
});
