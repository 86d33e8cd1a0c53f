// Turns a recipe into an image archive: assemble a root filesystem (Debian from mmdebstrap, Go
// programs, files, pip packages, commands run in a chroot), make it one OCI layer with umoci, and
// write a docker-archive with skopeo, which `ctr images import` reads. No registry, no Docker.
// Results are cached by content address (recipe + inputs), published atomically.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import {
  chmod,
  copyFile,
  cp,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rename,
  rm,
  stat,
  writeFile,
} from 'node:fs/promises';
import path from 'node:path';
import { airsparkCacheDir } from '../cache-dir.js';
import { withHeartbeat } from '../heartbeat.js';
import { runCommand } from '../node-cluster/run-command.js';
import { buildGoProgram } from './go-step.js';
import { type BaseSpec, type ImageRecipe, imageRef, type Step } from './recipe.js';
import { BUILDER_VERSION, inputPath, recipeHash } from './recipe-hash.js';

export interface BuiltImage {
  readonly name: string;
  /** `airspark.local/<name>:<tag>` */
  readonly ref: string;
  /** The recipe's content address (hex sha256). */
  readonly hash: string;
  /** A docker-archive tar (`ctr images import` reads it). */
  readonly archive: string;
  /** True when the archive came from the cache. */
  readonly cached: boolean;
}

export interface BuildOptions {
  readonly cacheDir?: string;
  readonly log?: (line: string) => void;
  /** Rebuild even when the cache has the image (the Debian base stays cached). */
  readonly force?: boolean;
}

/** `<cache>/images`: one folder per image name, one sub-folder per content address. */
export function imagesCacheDir(cacheDir = airsparkCacheDir()): string {
  return path.join(cacheDir, 'images');
}

const ARCHIVE = 'image.tar';

async function isFile(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

/** Builds `recipe` unless its content address is cached; returns where the archive is. */
export async function buildImage(recipe: ImageRecipe, options: BuildOptions = {}): Promise<BuiltImage> {
  const log = options.log ?? (() => {});
  const prepared = await runSetupScripts(recipe, log);
  const hash = await recipeHash(recipe, prepared);
  const root = imagesCacheDir(options.cacheDir);
  const finalDir = path.join(root, recipe.name, hash.slice(0, 20));
  const archive = path.join(finalDir, ARCHIVE);
  const ref = imageRef(recipe);
  if (!options.force && (await isFile(archive)))
    return { name: recipe.name, ref, hash, archive, cached: true };

  await mkdir(path.join(root, '.work'), { recursive: true });
  const work = await mkdtemp(path.join(root, '.work', `${recipe.name}-`));
  try {
    const rootfs = path.join(work, 'rootfs');
    await withHeartbeat(`image ${recipe.name}: base ${describeBase(recipe.base)}`, log, () =>
      prepareBase(recipe.base, rootfs, root, work, log),
    );
    for (const [index, step] of recipe.steps.entries())
      await runStep(recipe, step, rootfs, path.join(work, `step-${index}`), log, prepared);
    const staging = path.join(work, 'out');
    await mkdir(staging);
    await withHeartbeat(`image ${recipe.name}: packing ${ref}`, log, () =>
      pack(recipe, rootfs, path.join(work, 'oci'), path.join(staging, ARCHIVE), ref),
    );
    await writeFile(
      path.join(staging, 'image.json'),
      `${JSON.stringify({ name: recipe.name, ref, hash, recipe: recipe.file, builder: BUILDER_VERSION }, null, 2)}\n`,
    );
    await rm(finalDir, { recursive: true, force: true });
    await mkdir(path.dirname(finalDir), { recursive: true });
    await rename(staging, finalDir);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  return { name: recipe.name, ref, hash, archive, cached: false };
}

function describeBase(base: BaseSpec): string {
  return base.kind === 'scratch' ? 'scratch' : `debian ${base.suite} + ${base.packages.length} package(s)`;
}

/** Minimal files a scratch image needs to run as root or as the conventional non-root 65532. */
const SCRATCH_FILES: Record<string, string> = {
  'etc/passwd':
    'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n',
  'etc/group': 'root:x:0:\nnonroot:x:65532:\n',
  'etc/nsswitch.conf': 'hosts: files dns\n',
};

/** Part of a cached base's key: bumped when the way a Debian base is made changes. */
const BASE_LAYOUT = 2;
const MAN_DIRS_HOOK = [
  `--essential-hook=mkdir -p ${Array.from({ length: 8 }, (_, i) => `"$1/usr/share/man/man${i + 1}"`).join(' ')}`,
];

async function prepareBase(
  base: BaseSpec,
  rootfs: string,
  root: string,
  work: string,
  log: (l: string) => void,
) {
  await mkdir(rootfs, { recursive: true, mode: 0o755 });
  if (base.kind === 'scratch') {
    for (const dir of ['etc', 'tmp', 'home/nonroot'])
      await mkdir(path.join(rootfs, dir), { recursive: true });
    await chmod(path.join(rootfs, 'tmp'), 0o1777);
    for (const [file, text] of Object.entries(SCRATCH_FILES)) await writeFile(path.join(rootfs, file), text);
    return;
  }
  // The Debian root filesystem is cached on its own: recipes that share a base share the download.
  const key = createHash('sha256')
    .update(JSON.stringify({ BUILDER_VERSION, BASE_LAYOUT, base }))
    .digest('hex')
    .slice(0, 20);
  const baseTar = path.join(root, '.bases', `debian-${base.suite}-${key}.tar`);
  if (!(await isFile(baseTar))) {
    await mkdir(path.dirname(baseTar), { recursive: true });
    const partial = path.join(work, 'base.tar');
    const mirrors = [
      `deb ${base.mirror} ${base.suite} main`,
      `deb ${base.mirror} ${base.suite}-updates main`,
      `deb ${base.mirror.replace(/\/debian\/?$/, '/debian-security')} ${base.suite}-security main`,
    ];
    let phase = 0;
    await runCommand(
      'mmdebstrap',
      [
        '--variant=minbase',
        '--mode=root',
        '--format=tar',
        ...(base.packages.length > 0 ? [`--include=${base.packages.join(',')}`] : []),
        // No documentation, manual pages or translations: smaller images, same programs.
        '--dpkgopt=path-exclude=/usr/share/man/*',
        '--dpkgopt=path-exclude=/usr/share/locale/*',
        '--dpkgopt=path-exclude=/usr/share/doc/*',
        '--dpkgopt=path-include=/usr/share/doc/*/copyright',
        '--aptopt=APT::Install-Recommends "false"',
        // Maintainer scripts that register alternatives with a manual page (the JREs') fail when
        // its folder is missing: keep the empty folders, as Debian's own slim images do.
        ...MAN_DIRS_HOOK,
        base.suite,
        partial,
        ...mirrors,
      ],
      {
        // mmdebstrap announces each phase (update, download, extract, install) with "I: ".
        onLine: (line) => {
          if (line.startsWith('I: '))
            log(`  mmdebstrap (phase ${++phase}): ${line.slice(3).trim().slice(0, 100)}`);
        },
      },
    );
    await rename(partial, baseTar);
  } else log(`  reusing cached Debian base ${path.basename(baseTar)}`);
  await runCommand('tar', [
    '-xpf',
    baseTar,
    '--numeric-owner',
    '--xattrs',
    '--xattrs-include=*',
    '-C',
    rootfs,
  ]);
}

/**
 * Runs each setup step's script (quick when what it prepares is cached) and returns what each
 * prepared: the last line of its stdout, an absolute path that exists.
 */
async function runSetupScripts(
  recipe: ImageRecipe,
  log: (line: string) => void,
): Promise<Map<string, string>> {
  const prepared = new Map<string, string>();
  for (const step of recipe.steps) {
    if (!('setup' in step)) continue;
    const script = inputPath(recipe, step.setup.script);
    const stdout = await withHeartbeat(`image ${recipe.name}: node ${step.setup.script}`, log, () =>
      runCommand(process.execPath, [script], { cwd: path.dirname(script) }),
    );
    const output = stdout.trim().split('\n').at(-1)?.trim() ?? '';
    if (!path.isAbsolute(output) || !(await exists(output)))
      throw new Error(
        `${recipe.file}: setup script ${step.setup.script} printed "${output}" as its last line, not the absolute path of what it prepared`,
      );
    prepared.set(step.setup.script, output);
  }
  return prepared;
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch {
    return false;
  }
}

async function runStep(
  recipe: ImageRecipe,
  step: Step,
  rootfs: string,
  work: string,
  log: (line: string) => void,
  prepared: ReadonlyMap<string, string>,
): Promise<void> {
  const inImage = (target: string) => path.join(rootfs, target);
  if ('setup' in step) {
    const from = prepared.get(step.setup.script) as string;
    await mkdir(path.dirname(inImage(step.setup.to)), { recursive: true });
    if ((await stat(from)).isDirectory()) {
      await mkdir(inImage(step.setup.to), { recursive: true });
      await runCommand('cp', ['-a', '--no-preserve=ownership', `${from}/.`, inImage(step.setup.to)]);
    } else await runCommand('cp', ['--no-preserve=ownership', from, inImage(step.setup.to)]);
  } else if ('go' in step) {
    const spec = step.go.dir ? { ...step.go, dir: inputPath(recipe, step.go.dir) } : step.go;
    await buildGoProgram(spec, inImage(step.go.to), work, `image ${recipe.name}`, log);
    await chmod(inImage(step.go.to), 0o755);
  } else if ('copy' in step) {
    const from = inputPath(recipe, step.copy.from);
    await mkdir(path.dirname(inImage(step.copy.to)), { recursive: true });
    if ((await stat(from)).isDirectory())
      await cp(from, inImage(step.copy.to), { recursive: true, verbatimSymlinks: true });
    else await copyFile(from, inImage(step.copy.to));
    if (step.copy.mode) await chmod(inImage(step.copy.to), Number.parseInt(step.copy.mode, 8));
    if (step.copy.owner) await runCommand('chown', ['-R', step.copy.owner, inImage(step.copy.to)]);
  } else if ('unpack' in step) {
    const from = inputPath(recipe, step.unpack.from);
    if (step.unpack.sha512) await verifySha512(from, step.unpack.sha512, recipe.file);
    const into = path.join(work, 'unpacked');
    await mkdir(into, { recursive: true });
    log(`image ${recipe.name}: unpacking ${path.basename(from)} into ${step.unpack.to}`);
    if (from.endsWith('.zip')) await runCommand('unzip', ['-q', from, '-d', into]);
    else await runCommand('tar', ['-xf', from, '-C', into]);
    let source = into;
    if (step.unpack.strip === 1) {
      const entries = await readdir(into);
      if (entries.length !== 1 || !entries[0])
        throw new Error(
          `${recipe.file}: unpack strip: 1 expects one top-level folder in ${from}, found ${entries.length}`,
        );
      source = path.join(into, entries[0]);
    }
    await mkdir(path.dirname(inImage(step.unpack.to)), { recursive: true });
    await rm(inImage(step.unpack.to), { recursive: true, force: true });
    await runCommand('cp', ['-a', source, inImage(step.unpack.to)]);
  } else if ('pip' in step) {
    const { packages, venv } = step.pip;
    await inChroot(rootfs, log, `image ${recipe.name}: pip install ${packages.join(' ')}`, async (chroot) => {
      if (venv) {
        await chroot(['python3', '-m', 'venv', venv]);
        await chroot([
          `${venv}/bin/pip`,
          'install',
          '--no-cache-dir',
          '--disable-pip-version-check',
          ...packages,
        ]);
      } else
        await chroot([
          'python3',
          '-m',
          'pip',
          'install',
          '--no-cache-dir',
          '--break-system-packages',
          ...packages,
        ]);
    });
  } else {
    await inChroot(
      rootfs,
      log,
      `image ${recipe.name}: run ${step.run.split('\n')[0]?.slice(0, 60)}`,
      (chroot) => chroot(['/bin/sh', '-ec', step.run]).then(() => undefined),
    );
  }
}

/** Where a chroot step finds the host's CA bundle, for the duration of the step only. */
const BUILD_CA_FILE = '/tmp/.airspark-build-ca.crt';

/**
 * Runs commands inside the image's root filesystem with the host's resolver and CA bundle for the
 * duration: on a machine behind a TLS-inspecting proxy the image's own bundle does not trust it.
 * Neither stays in the image.
 */
async function inChroot(
  rootfs: string,
  log: (line: string) => void,
  label: string,
  work: (chroot: (args: readonly string[]) => Promise<string>) => Promise<void>,
): Promise<void> {
  const resolv = path.join(rootfs, 'etc', 'resolv.conf');
  let original: string | undefined;
  try {
    original = await readFile(resolv, 'utf8');
  } catch {
    original = undefined;
  }
  await rm(resolv, { force: true });
  await copyFile('/etc/resolv.conf', resolv);
  const hostCa = process.env.SSL_CERT_FILE || '/etc/ssl/certs/ca-certificates.crt';
  const caInImage = path.join(rootfs, BUILD_CA_FILE);
  const caEnv: Record<string, string> = {};
  if (await isFile(hostCa)) {
    await mkdir(path.dirname(caInImage), { recursive: true });
    await copyFile(hostCa, caInImage);
    for (const name of ['SSL_CERT_FILE', 'PIP_CERT', 'CURL_CA_BUNDLE', 'REQUESTS_CA_BUNDLE'])
      caEnv[name] = BUILD_CA_FILE;
  }
  try {
    await withHeartbeat(label, log, () =>
      work((args) =>
        runCommand('chroot', [rootfs, ...args], {
          env: {
            PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
            HOME: '/root',
            LANG: 'C.UTF-8',
            ...caEnv,
          },
        }),
      ),
    );
  } finally {
    await rm(caInImage, { force: true });
    await rm(resolv, { force: true });
    if (original !== undefined) await writeFile(resolv, original);
  }
}

/** One layer with the whole root filesystem, the recipe's config, written as a docker-archive. */
async function pack(recipe: ImageRecipe, rootfs: string, layout: string, archive: string, ref: string) {
  const image = `${layout}:${recipe.tag}`;
  await runCommand('umoci', ['init', '--layout', layout]);
  await runCommand('umoci', ['new', '--image', image]);
  await runCommand('umoci', ['insert', '--image', image, rootfs, '/']);
  const { config } = recipe;
  const args = [
    'config',
    '--image',
    image,
    '--author=airspark',
    `--config.label=org.opencontainers.image.title=${recipe.name}`,
  ];
  if (config.entrypoint)
    args.push('--clear=config.entrypoint', ...config.entrypoint.map((a) => `--config.entrypoint=${a}`));
  if (config.cmd) args.push('--clear=config.cmd', ...config.cmd.map((a) => `--config.cmd=${a}`));
  const env = { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', ...config.env };
  for (const [key, value] of Object.entries(env)) args.push(`--config.env=${key}=${value}`);
  if (config.user) args.push(`--config.user=${config.user}`);
  if (config.workdir) args.push(`--config.workingdir=${config.workdir}`);
  for (const [key, value] of Object.entries(config.labels)) args.push(`--config.label=${key}=${value}`);
  await runCommand('umoci', args);
  await runCommand('skopeo', ['copy', '--quiet', `oci:${image}`, `docker-archive:${archive}:${ref}`]);
}

/** Fails unless `file`'s SHA-512 is `expected` (hex), naming the recipe. */
export async function verifySha512(file: string, expected: string, recipeFile: string): Promise<void> {
  const hash = createHash('sha512');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  const actual = hash.digest('hex');
  if (actual !== expected.toLowerCase())
    throw new Error(
      `${recipeFile}: ${file} has SHA-512 ${actual}, but the recipe expects ${expected}; the archive is not the one the recipe was written for`,
    );
}
