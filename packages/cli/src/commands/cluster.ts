import { parseArgs } from 'node:util';
import type { CliContext } from '@airspark/cli-kit';
import { UsageError } from '@airspark/config';
import {
  acquireClusterLock,
  localClusterDown,
  localClusterPrepare,
  localClusterStatus,
  localClusterUp,
} from '@airspark/kube';

export const clusterUsage = `Usage: airspark cluster <up|down|status|prepare>

  up      start a one-node Kubernetes cluster on this machine and print its kubeconfig's path.
          Without a Docker engine (the usual case here) it runs containerd, etcd, the control
          plane, kubelet, kube-proxy and CoreDNS on the host (root, Debian/Ubuntu); the binaries
          are built from the Go module proxy once and cached. With Docker, it drives kind instead.
  down    stop what \`up\` started and undo what it changed (processes, iptables chains, CNI
          state, mounts, cgroups, sysctls); safe to run twice
  status  say whether the cluster is up and healthy (exit 0) or not (exit 1)
  prepare install the Debian packages, build the binaries and the cluster's images; start nothing
          (CI runs it as a step of its own: cold, the Go builds take tens of minutes)

Environment: AIRSPARK_LOCAL_CLUSTER=node|kind forces a mode; AIRSPARK_CLUSTER_STATE_DIR moves the
state folder (default /var/lib/airspark-cluster).
Exit codes: 0 done, 1 failed or not up, 2 usage error.`;

const stamp = (began: number) => `[${String(Math.round((Date.now() - began) / 1000)).padStart(4)}s]`;

export async function clusterCommand(args: string[], ctx: CliContext): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { help: { type: 'boolean', short: 'h' } },
    strict: true,
    allowPositionals: true,
  });
  if (values.help) {
    ctx.stdout.write(`${clusterUsage}\n`);
    return 0;
  }
  const [action, ...rest] = positionals;
  if (!['up', 'down', 'status', 'prepare'].includes(action ?? '') || rest.length > 0)
    throw new UsageError(`expected "up", "down", "status" or "prepare".\n\n${clusterUsage}`);
  const began = Date.now();
  const log = (line: string) => ctx.stderr.write(`${stamp(began)} ${line}\n`);
  try {
    if (action === 'up' || action === 'down') {
      if (process.getuid?.() !== 0) return await upOrDown(action, log, ctx);
      // A test suite using the cluster holds the machine's cluster lock: wait for it to finish.
      const release = await acquireClusterLock({ owner: `airspark cluster ${action}`, log });
      try {
        return await upOrDown(action, log, ctx);
      } finally {
        await release();
      }
    }
    if (action === 'prepare') {
      await localClusterPrepare({ log });
      log('everything `cluster up` needs is installed, built and cached');
      return 0;
    }
    const status = await localClusterStatus({ log });
    ctx.stdout.write(`${status.up ? 'up' : 'not up'} (${status.mode} mode): ${status.summary}\n`);
    if (status.kubeconfig) ctx.stdout.write(`kubeconfig: ${status.kubeconfig}\n`);
    return status.up ? 0 : 1;
  } catch (error) {
    ctx.stderr.write(`airspark cluster ${action}: ${(error as Error).message}\n`);
    return 1;
  }
}

async function upOrDown(
  action: 'up' | 'down',
  log: (line: string) => void,
  ctx: CliContext,
): Promise<number> {
  if (action === 'up') {
    const result = await localClusterUp({ log });
    log(result.started ? `cluster up in ${result.seconds}s (${result.mode} mode)` : 'cluster was already up');
    ctx.stdout.write(`${result.kubeconfig}\n`);
    return 0;
  }
  const { leftovers } = await localClusterDown({ log });
  if (leftovers.length > 0) {
    ctx.stderr.write(
      `airspark cluster down: could not remove:\n${leftovers.map((l) => `  ${l}`).join('\n')}\n`,
    );
    return 1;
  }
  log('cluster down; nothing of it is left on the machine');
  return 0;
}
