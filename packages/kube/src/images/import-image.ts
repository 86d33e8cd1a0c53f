// Putting a built image where the cluster's kubelet finds it: the CRI namespace (k8s.io) of the
// local cluster's containerd, or a kind cluster's nodes.
import { runCommand } from '../node-cluster/run-command.js';

/** The label that records which archive an image was imported from (its content address). */
export const ARCHIVE_LABEL = 'airspark.dev/archive';

/**
 * `ctr -n k8s.io images import` into the containerd listening on `socket`, then labels the image
 * with `archiveKey`; returns false without importing when the image already carries that label
 * (importing a 1 GB archive costs 15-30 s, and `pnpm e2e` imports every image on each run).
 */
export async function importIntoContainerd(
  socket: string,
  archive: string,
  ref?: string,
  archiveKey?: string,
): Promise<boolean> {
  const ctr = ['--address', socket, '--namespace', 'k8s.io', 'images'];
  if (ref && archiveKey && (await containerdImageLabels(socket)).get(ref)?.[ARCHIVE_LABEL] === archiveKey)
    return false;
  await runCommand('ctr', [...ctr, 'import', archive], { timeoutMs: 15 * 60_000 });
  if (ref && archiveKey) await runCommand('ctr', [...ctr, 'label', ref, `${ARCHIVE_LABEL}=${archiveKey}`]);
  return true;
}

/** The labels of every image in containerd's CRI namespace, by reference. */
export async function containerdImageLabels(socket: string): Promise<Map<string, Record<string, string>>> {
  const out = await runCommand('ctr', ['--address', socket, '--namespace', 'k8s.io', 'images', 'list']);
  return parseImageList(out);
}

/** `ctr images list` output (REF TYPE DIGEST SIZE PLATFORMS LABELS; LABELS `k=v,k=v` or `-`). Pure. */
export function parseImageList(out: string): Map<string, Record<string, string>> {
  const images = new Map<string, Record<string, string>>();
  for (const line of out.split('\n').slice(1)) {
    const columns = line.trim().split(/\s+/);
    const [ref] = columns;
    const labels = columns.at(-1);
    if (!ref || !labels || columns.length < 6) continue;
    images.set(
      ref,
      labels === '-'
        ? {}
        : Object.fromEntries(
            labels.split(',').map((pair) => {
              const at = pair.indexOf('=');
              return at < 0 ? [pair, ''] : [pair.slice(0, at), pair.slice(at + 1)];
            }),
          ),
    );
  }
  return images;
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
