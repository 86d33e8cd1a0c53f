// The cluster's binaries come from scripts/setup-cluster.mjs (which builds them from the Go module
// proxy into the airspark cache, like the envtest binaries). It prints the folder on stdout.
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, from this file's place in packages/kube/{src,dist}/node-cluster/. */
export const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
export const SETUP_CLUSTER_SCRIPT = path.join(REPO_ROOT, 'scripts', 'setup-cluster.mjs');

export const CLUSTER_BINARIES = [
  'kube-apiserver',
  'kube-controller-manager',
  'kube-scheduler',
  'kubelet',
  'kube-proxy',
  'etcd',
  'kubectl',
] as const;
export type ClusterBinary = (typeof CLUSTER_BINARIES)[number];

/** Runs the setup script (its progress lines go to `log`) and returns the binaries' folder. */
export function prepareClusterBinaries(log: (line: string) => void): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SETUP_CLUSTER_SCRIPT], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let partial = '';
    const tail: string[] = [];
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        log(`  ${line}`);
        tail.push(line);
        if (tail.length > 30) tail.shift();
      }
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const dir = stdout.trim();
      if (code === 0 && dir) resolve(dir);
      else reject(new Error(`${SETUP_CLUSTER_SCRIPT} exited with code ${code}:\n${tail.join('\n')}`));
    });
  });
}

export function binaryPath(binDir: string, name: ClusterBinary): string {
  const file = path.join(binDir, name);
  accessSync(file, constants.X_OK);
  return file;
}
