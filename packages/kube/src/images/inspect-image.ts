// Looking inside a built image without a cluster or a container engine: unpack its docker-archive
// (the very file `ctr images import` reads) with skopeo + umoci into a root filesystem and the
// OCI runtime config, then run programs in it as the image's user, in a chroot with its own mount,
// PID, UTS and network namespaces (a fresh /proc, the host's /dev, hostname localhost, loopback
// only: nothing it starts is reachable from outside, nothing outside from it). Used by the image
// tests to prove that what was built runs.
import { spawn } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { runCommand } from '../node-cluster/run-command.js';

/** The parts of the OCI runtime config (`umoci unpack`'s config.json) that say how to run the image. */
export interface ImageProcess {
  readonly uid: number;
  readonly gid: number;
  readonly args: readonly string[];
  readonly env: readonly string[];
  readonly cwd: string;
}

export interface UnpackedImage {
  readonly bundle: string;
  readonly rootfs: string;
  readonly process: ImageProcess;
}

/** Unpacks `archive` (docker-archive) into the folder `into` (new or empty): `<into>/bundle/rootfs`. */
export async function unpackImage(archive: string, into: string): Promise<UnpackedImage> {
  const layout = path.join(into, 'oci');
  const bundle = path.join(into, 'bundle');
  await mkdir(into, { recursive: true });
  await runCommand('skopeo', ['copy', '--quiet', `docker-archive:${archive}`, `oci:${layout}:image`]);
  await runCommand('umoci', ['unpack', '--image', `${layout}:image`, bundle]);
  const spec = JSON.parse(await readFile(path.join(bundle, 'config.json'), 'utf8')) as {
    process: { user: { uid: number; gid: number }; args?: string[]; env?: string[]; cwd?: string };
  };
  // A container runtime gives every container an /etc/hosts (kubelet manages the pod's); images
  // have none (mmdebstrap removes the build host's). Give the unpacked copy the runtime's minimum.
  const rootfs = path.join(bundle, 'rootfs');
  await writeFile(
    path.join(rootfs, 'etc', 'hosts'),
    '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n',
  );
  return {
    bundle,
    rootfs,
    process: {
      uid: spec.process.user.uid,
      gid: spec.process.user.gid,
      args: spec.process.args ?? [],
      env: spec.process.env ?? [],
      cwd: spec.process.cwd ?? '/',
    },
  };
}

export interface RunInImageOptions {
  /** Added to (and overriding) the image's environment. */
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
  /** Kill the program after this long (default 10 minutes). */
  readonly timeoutMs?: number;
}

export interface RunResult {
  readonly code: number | null;
  /** stdout and stderr, interleaved as they arrived. */
  readonly output: string;
}

/**
 * Runs `argv` (as given: pass the image's entrypoint yourself to go through it) in the image as
 * its configured user, with its environment and working directory. Needs root (namespaces, chroot).
 */
export function runInImage(
  image: UnpackedImage,
  argv: readonly string[],
  options: RunInImageOptions = {},
): Promise<RunResult> {
  const env = new Map(image.process.env.map((entry) => [entry.split('=')[0] ?? '', entry] as const));
  for (const [key, value] of Object.entries(options.env ?? {})) env.set(key, `${key}=${value}`);
  const { uid, gid } = image.process;
  // The shell runs in the new namespaces (as root), binds /dev, names the host, then becomes the
  // image's user in the chroot. Arguments are passed as positional parameters, never interpolated.
  const script =
    'set -e; root="$1"; shift; ip link set lo up; mount --rbind /dev "$root/dev"; hostname localhost; exec chroot --userspec="$USERSPEC" "$root" "$@"';
  const args = [
    '--mount',
    '--pid',
    '--uts',
    '--net',
    '--fork',
    `--mount-proc=${path.join(image.rootfs, 'proc')}`,
    '--',
    '/bin/sh',
    '-c',
    script,
    'run-in-image',
    image.rootfs,
    '/usr/bin/env',
    '-i',
    '-C',
    options.cwd ?? image.process.cwd,
    ...env.values(),
    ...argv,
  ];
  return new Promise((resolve, reject) => {
    const child = spawn('unshare', args, {
      env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', USERSPEC: `${uid}:${gid}` },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 10 * 60_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`could not run unshare (util-linux) to enter the image: ${error.message}`));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}
