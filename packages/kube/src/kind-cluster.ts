import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { KubeConfig, VersionApi } from '@kubernetes/client-node';
import { pinnedEnvtestVersions } from './envtest-assets.js';
import type { TestCluster } from './test-cluster-types.js';

const execFileAsync = promisify(execFile);

export interface KindClusterOptions {
  /** Default: AIRSPARK_KIND_CLUSTER, else `airspark-test`. */
  readonly clusterName?: string;
  /** Node image for a new cluster. Default: AIRSPARK_KIND_IMAGE, else kind's own default. */
  readonly image?: string;
  /** Delete the cluster on stop() if this call created it. Default false: reuse saves minutes. */
  readonly deleteOnStop?: boolean;
  /** Environment for the kind and docker commands (PATH...). Default: process.env. */
  readonly env?: NodeJS.ProcessEnv;
}

export class KindUnavailableError extends Error {
  override readonly name = 'KindUnavailableError';
}

async function runQuietly(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  const { stdout } = await execFileAsync(file, args, { env, timeout: 60_000, maxBuffer: 16 * 1024 * 1024 });
  return stdout;
}

function firstLine(error: unknown): string {
  const err = error as NodeJS.ErrnoException & { stderr?: string };
  if (err.code === 'ENOENT') return 'not found on PATH';
  return (err.stderr?.trim() || err.message).split('\n')[0] ?? 'failed';
}

/** Fails with a clear message unless the kind CLI and a container engine are usable. */
export async function checkKindPrerequisites(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  try {
    await runQuietly('kind', ['version'], env);
  } catch (error) {
    throw new KindUnavailableError(
      `AIRSPARK_CLUSTER=kind needs the kind CLI, but \`kind version\` failed (${firstLine(error)}). ` +
        'Install kind and Docker, or unset AIRSPARK_CLUSTER to use envtest (a local kube-apiserver and etcd, no Docker needed).',
    );
  }
  // kind can also drive podman or nerdctl; then Docker is not needed.
  if (env.KIND_EXPERIMENTAL_PROVIDER) return;
  try {
    await runQuietly('docker', ['info', '--format', '{{.ServerVersion}}'], env);
  } catch (error) {
    throw new KindUnavailableError(
      `AIRSPARK_CLUSTER=kind needs a running Docker engine, but \`docker info\` failed (${firstLine(error)}). ` +
        'Start Docker (or set KIND_EXPERIMENTAL_PROVIDER for podman), or unset AIRSPARK_CLUSTER to use envtest.',
    );
  }
}

/**
 * Uses the kind cluster `clusterName`, creating it when absent (kind prints its own progress).
 * The cluster is kept on stop() unless `deleteOnStop` and this call created it.
 */
export async function startKindCluster(options: KindClusterOptions = {}): Promise<TestCluster> {
  const env = options.env ?? process.env;
  const clusterName = options.clusterName ?? env.AIRSPARK_KIND_CLUSTER ?? 'airspark-test';
  const image = options.image ?? env.AIRSPARK_KIND_IMAGE;
  await checkKindPrerequisites(env);

  const existing = (await runQuietly('kind', ['get', 'clusters'], env))
    .split('\n')
    .map((line) => line.trim());
  const created = !existing.includes(clusterName);
  if (created) {
    const args = [
      'create',
      'cluster',
      '--name',
      clusterName,
      '--wait',
      '180s',
      ...(image ? ['--image', image] : []),
    ];
    await new Promise<void>((resolve, reject) => {
      const child = spawn('kind', args, { env, stdio: ['ignore', 'inherit', 'inherit'] });
      child.on('error', reject);
      child.on('exit', (code) =>
        code === 0 ? resolve() : reject(new Error(`kind ${args.join(' ')} exited with code ${code}`)),
      );
    });
  }

  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromString(await runQuietly('kind', ['get', 'kubeconfig', '--name', clusterName], env));
  const server = kubeConfig.getCurrentCluster()?.server ?? '';

  const wanted = pinnedEnvtestVersions().kubernetes.split('.').slice(0, 2).join('.');
  const version = await kubeConfig.makeApiClient(VersionApi).getCode();
  const actual = `${version.major}.${version.minor.replace(/\D+$/, '')}`;
  if (actual !== wanted) {
    throw new KindUnavailableError(
      `kind cluster ${clusterName} runs Kubernetes ${version.gitVersion}, but the environments run ${wanted}. ` +
        `Recreate it with a ${wanted} node image: kind delete cluster --name ${clusterName}, then set AIRSPARK_KIND_IMAGE=kindest/node:v${wanted}.<patch>.`,
    );
  }

  const tempDir = await mkdtemp(path.join(os.tmpdir(), 'airspark-kind-'));
  const kubeconfigPath = path.join(tempDir, 'kubeconfig');
  await writeFile(kubeconfigPath, kubeConfig.exportConfig(), { mode: 0o600 });

  let stopped: Promise<void> | undefined;
  return {
    mode: 'kind',
    kubeConfig,
    server,
    kubeconfigPath,
    stop: () => {
      stopped ??= (async () => {
        await rm(tempDir, { recursive: true, force: true });
        if (created && options.deleteOnStop)
          await runQuietly('kind', ['delete', 'cluster', '--name', clusterName], env);
      })();
      return stopped;
    },
  };
}
