import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { type EnvtestBinaries, resolveEnvtestBinaries } from './envtest-assets.js';
import { onProcessExit } from './exit-cleanup.js';
import { freeLoopbackPort } from './free-port.js';
import { probe } from './http-probe.js';
import { ManagedProcess } from './managed-process.js';
import { pollUntil } from './poll.js';
import type { TestCluster } from './test-cluster-types.js';

export interface EnvtestClusterOptions {
  /** Folder with kube-apiserver and etcd; default: KUBEBUILDER_ASSETS, then the airspark cache. */
  readonly assetsDir?: string;
  /** How long etcd plus kube-apiserver may take to become ready. Default 60 s (2-core CI). */
  readonly startTimeoutMs?: number;
  /** Extra kube-apiserver flags, appended last so they win. */
  readonly extraApiserverArgs?: readonly string[];
  /** Where the per-cluster temp folder (etcd data, certificates, kubeconfig) goes. Default: os.tmpdir(). */
  readonly tempDir?: string;
}

/** The apiserver writes its self-signed serving certificate (leaf + CA) here, in --cert-dir. */
const SERVING_CERT = 'apiserver.crt';
const ADMIN_USER = 'airspark-admin';
const BIND_RETRIES = 3;

class StartupError extends Error {
  constructor(
    message: string,
    readonly portInUse: boolean,
  ) {
    super(message);
  }
}

function logExcerpt(process: ManagedProcess): string {
  const tail = process.log.text().trim();
  return tail ? `\nLast lines of ${process.name}'s output:\n${tail}` : `\n${process.name} printed nothing.`;
}

function isPortClash(process: ManagedProcess): boolean {
  return process.log.includes('address already in use');
}

/**
 * Starts etcd and kube-apiserver on free loopback ports with throw-away state: etcd without
 * fsync in a temp folder, the apiserver with its own self-signed serving certificate, a random
 * bearer token for an admin in system:masters, a fresh service-account signing key, and RBAC.
 */
export async function startEnvtestCluster(options: EnvtestClusterOptions = {}): Promise<TestCluster> {
  const binaries = resolveEnvtestBinaries(options.assetsDir);
  const timeoutMs = options.startTimeoutMs ?? 60_000;
  const workDir = await mkdtemp(path.join(options.tempDir ?? os.tmpdir(), 'airspark-envtest-'));
  const processes: ManagedProcess[] = [];
  const unregister = onProcessExit(() => {
    for (const child of processes) child.killNow();
    rmSync(workDir, { recursive: true, force: true });
  });

  const stopProcesses = async () => {
    // The apiserver first: stopped after etcd, it spends its grace period retrying etcd.
    for (const child of [...processes].reverse()) await child.stop(5_000);
    processes.length = 0;
  };

  try {
    const token = randomBytes(32).toString('hex');
    await writeFile(
      path.join(workDir, 'tokens.csv'),
      `${token},${ADMIN_USER},${ADMIN_USER},system:masters\n`,
      {
        mode: 0o600,
      },
    );
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    await writeFile(
      path.join(workDir, 'service-account.key'),
      privateKey.export({ type: 'pkcs1', format: 'pem' }),
      {
        mode: 0o600,
      },
    );

    let server: string | undefined;
    for (let attempt = 1; server === undefined; attempt++) {
      try {
        server = await startProcesses(
          binaries,
          workDir,
          token,
          timeoutMs,
          options.extraApiserverArgs ?? [],
          processes,
        );
      } catch (error) {
        await stopProcesses();
        if (!(error instanceof StartupError && error.portInUse && attempt < BIND_RETRIES)) throw error;
      }
    }

    const ca = await readFile(path.join(workDir, 'certs', SERVING_CERT), 'utf8');
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromOptions({
      clusters: [
        { name: 'envtest', server, caData: Buffer.from(ca).toString('base64'), skipTLSVerify: false },
      ],
      users: [{ name: ADMIN_USER, token }],
      contexts: [{ name: 'envtest', cluster: 'envtest', user: ADMIN_USER }],
      currentContext: 'envtest',
    });
    const kubeconfigPath = path.join(workDir, 'kubeconfig');
    await writeFile(kubeconfigPath, kubeConfig.exportConfig(), { mode: 0o600 });

    let stopped: Promise<void> | undefined;
    return {
      mode: 'envtest',
      kubeConfig,
      server,
      kubeconfigPath,
      stop: () => {
        stopped ??= (async () => {
          await stopProcesses();
          await rm(workDir, { recursive: true, force: true });
          unregister();
        })();
        return stopped;
      },
    };
  } catch (error) {
    await stopProcesses();
    await rm(workDir, { recursive: true, force: true });
    unregister();
    throw error;
  }
}

async function startProcesses(
  binaries: EnvtestBinaries,
  workDir: string,
  token: string,
  timeoutMs: number,
  extraApiserverArgs: readonly string[],
  processes: ManagedProcess[],
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  const [etcdClientPort, etcdPeerPort, apiserverPort] = [
    await freeLoopbackPort(),
    await freeLoopbackPort(),
    await freeLoopbackPort(),
  ];
  const etcdUrl = `http://127.0.0.1:${etcdClientPort}`;
  const peerUrl = `http://127.0.0.1:${etcdPeerPort}`;
  const dataDir = path.join(workDir, `etcd-${etcdClientPort}`);
  // Fresh folders per attempt: a failed attempt may have left state behind.
  await rm(dataDir, { recursive: true, force: true });

  const etcd = ManagedProcess.start(
    'etcd',
    binaries.etcd,
    [
      `--data-dir=${dataDir}`,
      `--listen-client-urls=${etcdUrl}`,
      `--advertise-client-urls=${etcdUrl}`,
      `--listen-peer-urls=${peerUrl}`,
      `--initial-advertise-peer-urls=${peerUrl}`,
      `--initial-cluster=default=${peerUrl}`,
      // Test data is thrown away: skipping fsync makes etcd several times faster on slow disks.
      '--unsafe-no-fsync',
      '--log-level=warn',
    ],
    workDir,
  );
  processes.push(etcd);
  const etcdReady = await pollUntil(
    async () => {
      const answer = await probe(`${etcdUrl}/health`);
      return answer?.status === 200 && answer.body.includes('"health":"true"') ? true : undefined;
    },
    {
      timeoutMs: Math.max(deadline - Date.now(), 1000),
      giveUp: () => (etcd.hasExited ? etcd.describeExit() : undefined),
    },
  );
  if (!('value' in etcdReady)) {
    const why =
      etcdReady.stopped === 'timeout'
        ? `did not report healthy within ${timeoutMs / 1000}s`
        : `failed to start (${etcdReady.reason})`;
    throw new StartupError(`etcd ${why} on ${etcdUrl}.${logExcerpt(etcd)}`, isPortClash(etcd));
  }

  const server = `https://127.0.0.1:${apiserverPort}`;
  const certDir = path.join(workDir, 'certs');
  await rm(certDir, { recursive: true, force: true });
  const apiserver = ManagedProcess.start(
    'kube-apiserver',
    binaries.kubeApiserver,
    [
      `--etcd-servers=${etcdUrl}`,
      `--cert-dir=${certDir}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      `--secure-port=${apiserverPort}`,
      '--service-cluster-ip-range=10.0.0.0/24',
      `--token-auth-file=${path.join(workDir, 'tokens.csv')}`,
      '--authorization-mode=RBAC',
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      `--service-account-key-file=${path.join(workDir, 'service-account.key')}`,
      `--service-account-signing-key-file=${path.join(workDir, 'service-account.key')}`,
      // No controller-manager runs, so no default ServiceAccounts appear; this admission plugin
      // would reject every Pod for that (envtest disables it for the same reason).
      '--disable-admission-plugins=ServiceAccount',
      // EKS allows privileged containers; the dry-run should reject only what EKS rejects.
      '--allow-privileged=true',
      ...extraApiserverArgs,
    ],
    workDir,
  );
  processes.push(apiserver);

  let lastAnswer = 'no answer yet';
  const apiserverReady = await pollUntil(
    async () => {
      let ca: string;
      try {
        ca = await readFile(path.join(certDir, SERVING_CERT), 'utf8');
      } catch {
        return undefined; // the serving certificate is written early in start-up
      }
      const answer = await probe(`${server}/readyz`, { ca, bearerToken: token });
      if (answer)
        lastAnswer = `HTTP ${answer.status}: ${answer.body.trim().split('\n').slice(-5).join(' | ')}`;
      return answer?.status === 200 ? true : undefined;
    },
    {
      timeoutMs: Math.max(deadline - Date.now(), 1000),
      giveUp: () =>
        apiserver.hasExited ? apiserver.describeExit() : etcd.hasExited ? etcd.describeExit() : undefined,
    },
  );
  if (!('value' in apiserverReady)) {
    const why =
      apiserverReady.stopped === 'timeout'
        ? `was not ready within ${timeoutMs / 1000}s (last /readyz: ${lastAnswer})`
        : `failed to start (${apiserverReady.reason})`;
    throw new StartupError(
      `kube-apiserver ${why} on ${server}.${logExcerpt(apiserver)}`,
      isPortClash(apiserver),
    );
  }
  return server;
}
