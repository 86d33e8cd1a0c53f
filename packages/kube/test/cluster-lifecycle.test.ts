import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { CoreV1Api, VersionApi } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { pinnedEnvtestVersions, startTestCluster } from '../src/index.js';

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function anonymousStatus(server: string, caData: string | undefined): Promise<number> {
  const ca = Buffer.from(caData ?? '', 'base64');
  return new Promise((resolve, reject) => {
    https
      .request(`${server}/api/v1/namespaces`, { ca }, (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      })
      .on('error', reject)
      .end();
  });
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** PIDs of processes with `needle` in their command line (Linux /proc). */
async function childPids(needle: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8');
      if (cmdline.includes(needle)) pids.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return pids;
}

describe('startTestCluster (envtest)', () => {
  it('serves the pinned Kubernetes version to an admin only, and stop() removes every trace', async () => {
    const cluster = await startTestCluster({ mode: 'envtest' });
    const workDir = path.dirname(cluster.kubeconfigPath);
    const port = Number(new URL(cluster.server).port);
    let pids: number[] = [];
    try {
      expect(cluster.mode).toBe('envtest');
      expect(cluster.server).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const version = await cluster.kubeConfig.makeApiClient(VersionApi).getCode();
      expect(version.gitVersion).toBe(`v${pinnedEnvtestVersions().kubernetes}`);
      // The admin can do anything (system:masters) over verified TLS (the CA is in the kubeconfig).
      const namespaces = await cluster.kubeConfig.makeApiClient(CoreV1Api).listNamespace();
      expect(namespaces.items.map((n) => n.metadata?.name)).toContain('kube-system');
      expect(cluster.kubeConfig.getCurrentCluster()?.skipTLSVerify).toBeFalsy();
      // Without the token, RBAC gives an anonymous caller nothing.
      expect([401, 403]).toContain(
        await anonymousStatus(cluster.server, cluster.kubeConfig.getCurrentCluster()?.caData),
      );
      expect(existsSync(cluster.kubeconfigPath)).toBe(true);
      pids = await childPids(workDir);
      expect(pids.length).toBe(2); // etcd and kube-apiserver
    } finally {
      await cluster.stop();
    }
    expect(pids.filter(pidAlive)).toEqual([]);
    expect(existsSync(workDir)).toBe(false);
    expect(await accepts(port)).toBe(false);
    await expect(cluster.stop()).resolves.toBeUndefined(); // a second stop is harmless
  });

  it('fails with the tail of the server log when kube-apiserver cannot start, and leaves nothing running', async () => {
    // A private parent folder tells this start's processes apart from other test files' servers.
    const tempDir = await mkdtemp(path.join(os.tmpdir(), 'airspark-lifecycle-'));
    const started = startTestCluster({
      mode: 'envtest',
      envtest: { extraApiserverArgs: ['--no-such-flag=1'], startTimeoutMs: 30_000, tempDir },
    });
    await expect(started).rejects.toThrow(
      /kube-apiserver failed to start \(kube-apiserver exited with code \d+\)[\s\S]*unknown flag: --no-such-flag/,
    );
    expect((await childPids(tempDir)).filter(pidAlive)).toEqual([]); // etcd was stopped too
    expect(await readdir(tempDir)).toEqual([]);
    await rm(tempDir, { recursive: true });
  });

  it('names the missing binaries and the setup command when assets are absent', async () => {
    await expect(
      startTestCluster({ mode: 'envtest', envtest: { assetsDir: '/nonexistent/envtest' } }),
    ).rejects.toThrow(
      /no executable \/nonexistent\/envtest\/kube-apiserver or \/nonexistent\/envtest\/etcd[\s\S]*node scripts\/setup-envtest\.mjs/,
    );
  });
});
