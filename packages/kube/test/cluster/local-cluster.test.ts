// The local cluster for real: `up` on this machine, a pod from a locally built image, DNS through
// CoreDNS, and `down` leaving the machine as it was. Needs Linux and root (CI has both); set
// AIRSPARK_CLUSTER_TESTS=off to skip on a workstation, =required to make a missing prerequisite fail.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  acquireClusterLock,
  buildImages,
  labelLocalNode,
  localClusterDown,
  localClusterStatus,
  localClusterUp,
  NODE_NAME,
} from '../../src/index.js';
import { binaryPath, REPO_ROOT } from '../../src/node-cluster/binaries.js';
import { logTail } from '../../src/node-cluster/daemons.js';
import { clusterLayout } from '../../src/node-cluster/layout.js';
import { runCommand } from '../../src/node-cluster/run-command.js';
import { type ClusterState, readJson } from '../../src/node-cluster/state.js';
import { waitFor } from '../../src/node-cluster/wait.js';
import { type MachineSnapshot, machineSnapshot } from './machine-snapshot.js';

const setting = process.env.AIRSPARK_CLUSTER_TESTS?.trim().toLowerCase();
const missing =
  process.platform !== 'linux'
    ? 'the local cluster runs on Linux only'
    : process.getuid?.() !== 0
      ? 'the local cluster needs root'
      : undefined;
if (missing && setting === 'required') throw new Error(`AIRSPARK_CLUSTER_TESTS=required, but ${missing}`);
const skip = setting === 'off' || missing !== undefined;
if (skip)
  process.stderr.write(
    `skipping the local cluster tests: ${setting === 'off' ? 'AIRSPARK_CLUSTER_TESTS=off' : missing}\n`,
  );

const stateDir = process.env.AIRSPARK_CLUSTER_STATE_DIR ?? '/var/lib/airspark-cluster';
const layout = clusterLayout(stateDir);
const log = (line: string) => process.stderr.write(`[local-cluster] ${line}\n`);
const WAIT_MS = 300_000;

async function kubectl(args: readonly string[]): Promise<string> {
  const state = await readJson<ClusterState>(layout.stateFile);
  if (!state) throw new Error('the cluster has no state file');
  return runCommand(
    binaryPath(state.binDir, 'kubectl'),
    ['--kubeconfig', layout.kubeconfig, '--request-timeout=20s', ...args],
    {
      timeoutMs: 60_000,
    },
  );
}

/** What went wrong, cause first: the pod's own account, then the node's logs. */
async function diagnose(pod: string): Promise<string> {
  const describe = await kubectl(['describe', 'pod', pod]).catch((error: Error) => error.message);
  const state = await readJson<ClusterState>(layout.stateFile);
  const tails = await Promise.all(
    ['kubelet', 'containerd'].map(
      async (name) => `--- ${name} log ---\n${await logTail(state?.daemons[name]?.logFile ?? '', 20)}`,
    ),
  );
  return `${describe}\n${tails.join('\n')}`;
}

async function runPodToCompletion(name: string, image: string, script: string): Promise<string> {
  const manifest = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default' },
    spec: {
      restartPolicy: 'Never',
      containers: [{ name: 'main', image, imagePullPolicy: 'Never', command: ['/bin/sh', '-c', script] }],
    },
  };
  const file = path.join(layout.configDir, `${name}.json`);
  const { writeFile } = await import('node:fs/promises');
  await writeFile(file, JSON.stringify(manifest));
  await kubectl(['apply', '-f', file]);
  try {
    await waitFor(
      `pod ${name} to finish`,
      async (note) => {
        const phase = (await kubectl(['get', 'pod', name, '-o', 'jsonpath={.status.phase}'])).trim();
        note(`phase ${phase || 'none'}`);
        if (phase === 'Failed') throw new Error(`pod ${name} failed`);
        return phase === 'Succeeded' ? phase : undefined;
      },
      { timeoutMs: WAIT_MS, log },
    );
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${await diagnose(name)}`);
  }
  return kubectl(['logs', name]);
}

describe.skipIf(skip)(
  'the local cluster (node mode: containerd, kubelet, kube-proxy, CoreDNS on this machine)',
  () => {
    let before: MachineSnapshot;
    let testbox = '';
    let downDone = false;

    let releaseLock: (() => Promise<void>) | undefined;

    beforeAll(async () => {
      // Other suites (the platform's) may use the machine's one cluster: wait for them.
      releaseLock = await acquireClusterLock({ owner: 'packages/kube local-cluster tests', log });
      if ((await readJson(layout.stateFile)) !== undefined) {
        log('a cluster is up already; taking it down so that the machine can be compared before and after');
        await localClusterDown({ mode: 'node', stateDir, log });
      }
      before = await machineSnapshot(stateDir);
      const up = await localClusterUp({ mode: 'node', stateDir, log });
      log(`cluster up in ${up.seconds}s; kubeconfig ${up.kubeconfig}`);
      const [image] = await buildImages({
        repoRoot: REPO_ROOT,
        names: ['testbox'],
        mode: 'node',
        stateDir,
        import: true,
        log,
      });
      testbox = image?.ref ?? '';
    }, 60 * 60_000);

    afterAll(async () => {
      if (!downDone) await localClusterDown({ mode: 'node', stateDir, log });
      await releaseLock?.();
    }, 300_000);

    it(
      'runs a pod from a locally built image to completion and reads its logs',
      async () => {
        const logs = await runPodToCompletion(
          'airspark-hello',
          testbox,
          'cat /etc/airspark-testbox; echo "uid $(id -u)"',
        );
        expect(logs).toContain('built by the airspark image builder');
        expect(logs).toContain('uid 65532');
      },
      WAIT_MS + 60_000,
    );

    it('labels the node for nodeSelectors', async () => {
      await labelLocalNode({ 'airspark.dev/test': 'yes' }, { mode: 'node', stateDir });
      const value = await kubectl([
        'get',
        'node',
        NODE_NAME,
        '-o',
        'jsonpath={.metadata.labels.airspark\\.dev/test}',
      ]);
      expect(value).toBe('yes');
    });

    it(
      'resolves a Service name through CoreDNS from a pod',
      async () => {
        await kubectl(['create', 'service', 'clusterip', 'dns-target', '--tcp=80:80']);
        const clusterIp = (
          await kubectl(['get', 'service', 'dns-target', '-o', 'jsonpath={.spec.clusterIP}'])
        ).trim();
        const logs = await runPodToCompletion(
          'airspark-dns',
          testbox,
          'getent hosts dns-target.default.svc.cluster.local; getent hosts dns-target',
        );
        const lines = logs.trim().split('\n');
        expect(lines).toHaveLength(2);
        for (const line of lines) expect(line.split(/\s+/)[0]).toBe(clusterIp);
      },
      WAIT_MS + 60_000,
    );

    it(
      'up on a healthy cluster leaves it alone; up after a crash cleans away the remains and starts afresh',
      async () => {
        const again = await localClusterUp({ mode: 'node', stateDir, log });
        expect(again.started).toBe(false);
        expect((await localClusterStatus({ mode: 'node', stateDir })).up).toBe(true);

        // A crash: the control plane and kubelet die without `down` (containers and chains stay).
        const state = await readJson<ClusterState>(layout.stateFile);
        for (const name of ['kube-apiserver', 'kubelet'])
          process.kill(state?.daemons[name]?.pid ?? 0, 'SIGKILL');
        await waitFor(
          'the status to notice the crash',
          async () => ((await localClusterStatus({ mode: 'node', stateDir })).up ? undefined : true),
          { timeoutMs: 60_000, log },
        );
        const recovered = await localClusterUp({ mode: 'node', stateDir, log });
        expect(recovered.started).toBe(true);
        const status = await localClusterStatus({ mode: 'node', stateDir });
        expect(status).toMatchObject({ up: true, mode: 'node' });
        // The old pods are gone with the old etcd; the image must be imported again into the new containerd.
        await buildImages({
          repoRoot: REPO_ROOT,
          names: ['testbox'],
          mode: 'node',
          stateDir,
          import: true,
          log,
        });
        const logs = await runPodToCompletion('airspark-after-crash', testbox, 'echo recovered');
        expect(logs.trim()).toBe('recovered');
      },
      2 * WAIT_MS,
    );

    it('down leaves the machine as it found it: no processes, iptables chains, CNI state, mounts or cgroups of its own', async () => {
      const result = await localClusterDown({ mode: 'node', stateDir, log });
      downDone = true;
      expect(result.leftovers).toEqual([]);
      const after = await machineSnapshot(stateDir);
      expect(after.processes).toEqual([]);
      expect(after.cgroups).toEqual([]);
      expect(after.mounts).toEqual([]);
      expect(after.bridge).toBe(false);
      expect(after.stateDir).toBe(false);
      expect(after).toEqual(before);
      // CNI state: the host-local allocations lived in the state folder; no result cache of ours remains.
      const results = await readFile('/var/lib/cni/results', 'utf8').catch(
        (error: NodeJS.ErrnoException) => error.code,
      );
      expect(['ENOENT', 'EISDIR']).toContain(results);
    }, 300_000);
  },
);
