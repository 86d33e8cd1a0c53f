import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ClusterModeError,
  clusterModeFromEnv,
  KindUnavailableError,
  startTestCluster,
} from '../src/index.js';

describe('clusterModeFromEnv', () => {
  it('defaults to envtest', () => {
    expect(clusterModeFromEnv({})).toBe('envtest');
    expect(clusterModeFromEnv({ AIRSPARK_CLUSTER: '' })).toBe('envtest');
  });

  it('reads AIRSPARK_CLUSTER, forgiving case and spaces', () => {
    expect(clusterModeFromEnv({ AIRSPARK_CLUSTER: 'kind' })).toBe('kind');
    expect(clusterModeFromEnv({ AIRSPARK_CLUSTER: ' Envtest ' })).toBe('envtest');
  });

  it('rejects anything else, naming the valid modes', () => {
    expect(() => clusterModeFromEnv({ AIRSPARK_CLUSTER: 'minikube' })).toThrow(ClusterModeError);
    expect(() => clusterModeFromEnv({ AIRSPARK_CLUSTER: 'minikube' })).toThrow(
      'AIRSPARK_CLUSTER=minikube is not a cluster mode; use one of: envtest, kind.',
    );
  });
});

// Docker cannot run on this machine, so kind mode is exercised up to its prerequisite checks:
// with no kind CLI at all, and with a stand-in kind CLI but no Docker.
describe('startTestCluster in kind mode without Docker', () => {
  let emptyBin: string;
  let standInBin: string;
  beforeAll(async () => {
    emptyBin = await mkdtemp(path.join(os.tmpdir(), 'airspark-no-kind-'));
    standInBin = await mkdtemp(path.join(os.tmpdir(), 'airspark-stand-in-kind-'));
    const kind = path.join(standInBin, 'kind');
    await writeFile(kind, '#!/bin/sh\necho "kind v0.0.0-stand-in"\n');
    await chmod(kind, 0o755);
  });
  afterAll(async () => {
    await rm(emptyBin, { recursive: true, force: true });
    await rm(standInBin, { recursive: true, force: true });
  });

  it('selected by AIRSPARK_CLUSTER=kind, says that the kind CLI is missing and how to fall back', async () => {
    const started = startTestCluster({ env: { AIRSPARK_CLUSTER: 'kind', PATH: emptyBin } });
    await expect(started).rejects.toThrow(KindUnavailableError);
    await expect(startTestCluster({ env: { AIRSPARK_CLUSTER: 'kind', PATH: emptyBin } })).rejects.toThrow(
      /needs the kind CLI, but `kind version` failed \(not found on PATH\)[\s\S]*unset AIRSPARK_CLUSTER to use envtest/,
    );
  });

  it('with a stand-in kind CLI, says that Docker is missing', async () => {
    await expect(startTestCluster({ mode: 'kind', env: { PATH: standInBin } })).rejects.toThrow(
      /needs a running Docker engine, but `docker info` failed \(not found on PATH\)/,
    );
  });
});
