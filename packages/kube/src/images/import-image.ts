// Putting a built image where the cluster's kubelet finds it: the CRI namespace (k8s.io) of the
// local cluster's containerd, or a kind cluster's nodes.
import { runCommand } from '../node-cluster/run-command.js';

/** `ctr -n k8s.io images import` into the containerd listening on `socket`. */
export async function importIntoContainerd(socket: string, archive: string): Promise<void> {
  await runCommand('ctr', ['--address', socket, '--namespace', 'k8s.io', 'images', 'import', archive], {
    timeoutMs: 15 * 60_000,
  });
}

/** `kind load image-archive` into every node of the kind cluster `name`. */
export async function importIntoKind(clusterName: string, archive: string): Promise<void> {
  await runCommand('kind', ['load', 'image-archive', archive, '--name', clusterName], {
    timeoutMs: 15 * 60_000,
  });
}

/** The image references containerd's CRI namespace holds. */
export async function listContainerdImages(socket: string): Promise<string[]> {
  const out = await runCommand('ctr', [
    '--address',
    socket,
    '--namespace',
    'k8s.io',
    'images',
    'list',
    '--quiet',
  ]);
  return out.split('\n').filter(Boolean);
}
