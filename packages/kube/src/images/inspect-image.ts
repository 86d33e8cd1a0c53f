// Looking inside a built image without a cluster or a container engine: unpack its docker-archive
// (the very file `ctr images import` reads) into a root filesystem and read its config, then run programs in it as the image's user, in a chroot with its own mount,
// PID, UTS and network namespaces (a fresh /proc, the host's /dev, hostname localhost, loopback
// only: nothing it starts is reachable from outside, nothing outside from it). Used by the image
// tests to prove that what was built runs.
import { spawn } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { runCommand } from '../node-cluster/run-command.js';

/** What the image's config says about the process to run, with its user resolved to numbers. */
export interface ImageProcess {
  readonly uid: number;
  readonly gid: number;
  readonly args: readonly string[];
  readonly env: readonly string[];
  readonly cwd: string;
}

export interface UnpackedImage {
  /** The folder `unpackImage` was given. */
  readonly dir: string;
  readonly rootfs: string;
  readonly process: ImageProcess;
}

interface ArchiveManifest {
  readonly Config: string;
  readonly RepoTags?: readonly string[];
  readonly Layers: readonly string[];
}

interface ImageConfigFile {
  readonly config?: {
    readonly User?: string;
    readonly Env?: readonly string[];
    readonly WorkingDir?: string;
    readonly Entrypoint?: readonly string[] | null;
    readonly Cmd?: readonly string[] | null;
  };
}

/** Resolves an image's `User` ("185", "999:999", "spark", "spark:spark") against its own passwd/group. */
export function resolveImageUser(
  user: string | undefined,
  passwd: string,
  group: string,
): { uid: number; gid: number } {
  const [name = '', groupName] = (user || '0').split(':');
  const entries = (text: string) => text.split('\n').map((line) => line.split(':'));
  const account = entries(passwd).find((fields) => fields[0] === name || fields[2] === name);
  const uid = /^\d+$/.test(name) ? Number(name) : Number(account?.[2] ?? Number.NaN);
  if (Number.isNaN(uid)) throw new Error(`the image's user "${name}" is not in its /etc/passwd`);
  let gid = Number(account?.[3] ?? 0);
  if (groupName !== undefined) {
    const entry = entries(group).find((fields) => fields[0] === groupName);
    gid = /^\d+$/.test(groupName) ? Number(groupName) : Number(entry?.[2] ?? Number.NaN);
    if (Number.isNaN(gid)) throw new Error(`the image's group "${groupName}" is not in its /etc/group`);
  }
  return { uid, gid };
}

/**
 * Unpacks `archive` (a docker-archive, the file `ctr images import` reads) into the folder `into`
 * (new or empty): its layers, in order, into `<into>/rootfs` as the container runtime would lay
 * them (owners, modes, links and device nodes kept), and its config as the process to run.
 */
export async function unpackImage(archive: string, into: string): Promise<UnpackedImage> {
  const rootfs = path.join(into, 'rootfs');
  await mkdir(rootfs, { recursive: true });
  const readMember = (member: string) => runCommand('tar', ['-xOf', archive, member]);
  const [manifest] = JSON.parse(await readMember('manifest.json')) as ArchiveManifest[];
  if (!manifest) throw new Error(`${archive} has no image in its manifest.json; is it a docker-archive?`);
  const config = (JSON.parse(await readMember(manifest.Config)) as ImageConfigFile).config ?? {};
  for (const layer of manifest.Layers)
    await runCommand('sh', [
      '-c',
      'tar -xOf "$1" "$2" | tar -xpf - --numeric-owner --xattrs --xattrs-include="*" -C "$3"',
      'unpack-layer',
      archive,
      layer,
      rootfs,
    ]);
  // A container runtime gives every container an /etc/hosts (kubelet manages the pod's); images
  // have none (mmdebstrap removes the build host's). Give the unpacked copy the runtime's minimum.
  await writeFile(
    path.join(rootfs, 'etc', 'hosts'),
    '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n',
  );
  const etc = (file: string) => readFile(path.join(rootfs, 'etc', file), 'utf8').catch(() => '');
  const { uid, gid } = resolveImageUser(config.User, await etc('passwd'), await etc('group'));
  return {
    dir: into,
    rootfs,
    process: {
      uid,
      gid,
      args: [...(config.Entrypoint ?? []), ...(config.Cmd ?? [])],
      env: config.Env ?? [],
      cwd: config.WorkingDir || '/',
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
