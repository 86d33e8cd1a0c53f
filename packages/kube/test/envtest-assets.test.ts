import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { airsparkCacheDir } from '../src/cache-dir.js';
import {
  defaultEnvtestDir,
  EnvtestAssetsMissingError,
  pinnedEnvtestVersions,
  resolveEnvtestBinaries,
} from '../src/index.js';

describe('airsparkCacheDir', () => {
  it('prefers AIRSPARK_CACHE_DIR, then XDG_CACHE_HOME/airspark, then ~/.cache/airspark', () => {
    expect(airsparkCacheDir({ AIRSPARK_CACHE_DIR: '/c/airspark', XDG_CACHE_HOME: '/x' })).toBe('/c/airspark');
    expect(airsparkCacheDir({ XDG_CACHE_HOME: '/x' })).toBe('/x/airspark');
    expect(airsparkCacheDir({})).toBe(path.join(os.homedir(), '.cache', 'airspark'));
  });
});

describe('defaultEnvtestDir', () => {
  it('is <cache>/envtest/<pinned Kubernetes version>', () => {
    expect(defaultEnvtestDir({ AIRSPARK_CACHE_DIR: '/c' })).toBe(
      `/c/envtest/${pinnedEnvtestVersions().kubernetes}`,
    );
  });

  it('pins Kubernetes 1.35 (every environment) and the etcd that release pairs with', () => {
    expect(pinnedEnvtestVersions()).toEqual({ kubernetes: '1.35.4', etcd: '3.6.6' });
  });
});

describe('resolveEnvtestBinaries', () => {
  let root: string;
  let complete: string;
  let empty: string;
  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'airspark-assets-'));
    complete = path.join(root, 'complete');
    empty = path.join(root, 'empty');
    await mkdir(complete);
    await mkdir(empty);
    for (const name of ['kube-apiserver', 'etcd']) {
      await writeFile(path.join(complete, name), '#!/bin/sh\n');
      await chmod(path.join(complete, name), 0o755);
    }
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('uses KUBEBUILDER_ASSETS when set', () => {
    expect(resolveEnvtestBinaries(undefined, { KUBEBUILDER_ASSETS: complete })).toEqual({
      kubeApiserver: path.join(complete, 'kube-apiserver'),
      etcd: path.join(complete, 'etcd'),
    });
  });

  it('lets TEST_ASSET_* name single binaries, as envtest does', () => {
    const apiserver = path.join(complete, 'kube-apiserver');
    expect(
      resolveEnvtestBinaries(undefined, {
        KUBEBUILDER_ASSETS: empty,
        TEST_ASSET_KUBE_APISERVER: apiserver,
        TEST_ASSET_ETCD: path.join(complete, 'etcd'),
      }),
    ).toEqual({ kubeApiserver: apiserver, etcd: path.join(complete, 'etcd') });
  });

  it('prefers an explicit folder over the environment', () => {
    expect(resolveEnvtestBinaries(complete, { KUBEBUILDER_ASSETS: empty }).etcd).toBe(
      path.join(complete, 'etcd'),
    );
  });

  it('falls back to the airspark cache and tells how to fill it', () => {
    const cache = path.join(root, 'cache');
    let error: unknown;
    try {
      resolveEnvtestBinaries(undefined, { AIRSPARK_CACHE_DIR: cache });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(EnvtestAssetsMissingError);
    expect((error as Error).message).toBe(
      `The envtest binaries are missing: no executable ${cache}/envtest/1.35.4/kube-apiserver or ${cache}/envtest/1.35.4/etcd ` +
        `(looked in ${cache}/envtest/1.35.4, from the airspark cache). Run \`node scripts/setup-envtest.mjs\` from the repository root ` +
        'to build them (a few minutes, once per machine), or set KUBEBUILDER_ASSETS to a folder that has them.',
    );
  });

  it('blames KUBEBUILDER_ASSETS when it points at a folder without the binaries', () => {
    expect(() => resolveEnvtestBinaries(undefined, { KUBEBUILDER_ASSETS: empty })).toThrow(
      /from KUBEBUILDER_ASSETS\)\. Point KUBEBUILDER_ASSETS at a folder with kube-apiserver and etcd, or unset it/,
    );
  });
});
