// The images of the local environment, built for real (`buildImage`, from the cache when nothing
// changed) and proven to run without a cluster: each docker-archive is unpacked (layers and config)
// and its programs run in a chroot as the image's own user (runInImage). Needs Linux, root and the
// build tools (installed with apt-get as root); AIRSPARK_IMAGE_TESTS=off skips on a workstation,
// =required (set by .ci/run) makes a missing prerequisite fail instead of skipping.
import {
  chmod,
  copyFile,
  mkdir,
  mkdtemp,
  readFile,
  readlink,
  rm,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildImage } from '../../src/images/build-image.js';
import { ensureImageBuildTools } from '../../src/images/build-tools.js';
import {
  type RunInImageOptions,
  runInImage,
  type UnpackedImage,
  unpackImage,
} from '../../src/images/inspect-image.js';
import { type ImageRecipe, parseRecipe } from '../../src/images/recipe.js';
import { findRecipes } from '../../src/images/recipes.js';
import { REPO_ROOT } from '../../src/node-cluster/binaries.js';
import { DOCKERFILE_TWINS, dockerfileOf } from './dockerfile-twins.js';

const setting = process.env.AIRSPARK_IMAGE_TESTS?.trim().toLowerCase();
const missing =
  process.platform !== 'linux'
    ? 'images are built and run on Linux only'
    : process.getuid?.() !== 0
      ? 'building images and running them in a chroot needs root'
      : undefined;
if (missing && setting === 'required') throw new Error(`AIRSPARK_IMAGE_TESTS=required, but ${missing}`);
const skip = setting === 'off' || missing !== undefined;
if (skip)
  process.stderr.write(
    `skipping the built-image tests: ${setting === 'off' ? 'AIRSPARK_IMAGE_TESTS=off' : missing}\n`,
  );

const log = (line: string) => process.stderr.write(`[images] ${line}\n`);
let recipes: Map<string, ImageRecipe>;
let scratch: string;

beforeAll(async () => {
  if (skip) return;
  await ensureImageBuildTools(log);
  recipes = await findRecipes(REPO_ROOT);
  scratch = await mkdtemp(path.join(process.env.AIRSPARK_IMAGE_TEST_DIR ?? tmpdir(), 'airspark-images-'));
});

afterAll(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

/** Builds (or takes from the cache) the image `name`, unpacks it; removes the copy afterwards. */
function withImage(name: string): { image: () => UnpackedImage; recipe: () => ImageRecipe } {
  let image: UnpackedImage | undefined;
  let recipe: ImageRecipe | undefined;
  beforeAll(async () => {
    recipe = recipes.get(name);
    if (!recipe) throw new Error(`no image.yaml recipe named ${name}`);
    const started = Date.now();
    const built = await buildImage(recipe, { log });
    log(
      `${built.ref}: ${built.cached ? 'from the cache' : 'built'} in ${Math.round((Date.now() - started) / 1000)} s`,
    );
    image = await unpackImage(built.archive, path.join(scratch, name));
  });
  afterAll(async () => {
    await rm(path.join(scratch, name), { recursive: true, force: true });
  });
  return {
    image: () => image as UnpackedImage,
    recipe: () => recipe as ImageRecipe,
  };
}

/** Runs `argv` in the image; fails with everything it printed unless it exits 0. */
async function succeeds(image: UnpackedImage, argv: readonly string[], options: RunInImageOptions = {}) {
  const result = await runInImage(image, argv, options);
  expect(result.code, `${argv.join(' ')} exited ${result.code}:\n${result.output.slice(-4000)}`).toBe(0);
  return result.output;
}

/** The version a recipe pins for a pip package. */
function pipPin(recipe: ImageRecipe, name: string): string {
  for (const step of recipe.steps)
    if ('pip' in step)
      for (const requirement of step.pip.packages)
        if (requirement.startsWith(`${name}==`)) return requirement.slice(name.length + 2);
  throw new Error(`${recipe.file} pins no ${name}`);
}

/** The paths a Dockerfile for users puts into its image exist in the twin image, with its modes and owners. */
async function expectDockerfileLayout(image: UnpackedImage, name: string) {
  const twin = DOCKERFILE_TWINS.find((t) => t.image === name);
  if (!twin) throw new Error(`no Dockerfile twin for ${name}`);
  const layout = await dockerfileOf(twin);
  expect(layout.paths.length).toBeGreaterThan(0);
  for (const declared of layout.paths) {
    const where = `${declared.path} (${layout.file}:${declared.line})`;
    const info = await stat(path.join(image.rootfs, declared.path)).catch(() => undefined);
    expect(info, `${where} is missing from the ${name} image`).toBeDefined();
    if (!info) continue;
    if (declared.kind === 'dir') expect(info.isDirectory(), `${where} is not a folder`).toBe(true);
    if (declared.kind === 'file') expect(info.isFile(), `${where} is not a file`).toBe(true);
    if (declared.mode)
      expect((info.mode & 0o7777).toString(8).padStart(4, '0'), `${where} mode`).toBe(
        declared.mode.padStart(4, '0'),
      );
    if (declared.owner) {
      const [user, group] = declared.owner.split(':').map((id) => (id === 'root' ? '0' : id));
      expect(String(info.uid), `${where} owner`).toBe(user);
      if (group) expect(String(info.gid), `${where} group`).toBe(group);
    }
  }
  if (layout.user) {
    expect(String(image.process.uid), `${layout.file}:${layout.user.line} USER`).toBe(layout.user.user);
    if (layout.user.group) expect(String(image.process.gid)).toBe(layout.user.group);
  }
}

describe.skipIf(skip)('setup steps: what a repository script prepared, copied into the image', () => {
  it('copies the folder a script prints (its links kept) into the image, and refuses a script that prints no path', async () => {
    const dir = path.join(scratch, 'setup-step');
    await mkdir(path.join(dir, 'prepared'), { recursive: true });
    await writeFile(path.join(dir, 'prepared', 'tool'), '#!/bin/sh\necho tool\n', { mode: 0o755 });
    await symlink('tool', path.join(dir, 'prepared', 'tool-server'));
    await writeFile(
      path.join(dir, 'setup.mjs'),
      `process.stderr.write('preparing\\n');\nconsole.log(${JSON.stringify(path.join(dir, 'prepared'))});\n`,
    );
    await writeFile(path.join(dir, 'broken.mjs'), "console.log('ready');\n");
    const recipe = (script: string) =>
      parseRecipe(
        `name: setup-step\ntag: "1"\nsteps:\n  - setup: { script: ${script}, to: /usr/local/bin }\n`,
        path.join(dir, 'image.yaml'),
      );
    const built = await buildImage(recipe('setup.mjs'), { cacheDir: path.join(dir, 'cache'), log });
    const image = await unpackImage(built.archive, path.join(dir, 'unpacked'));
    expect(await readFile(path.join(image.rootfs, 'usr/local/bin/tool'), 'utf8')).toContain('echo tool');
    expect(await readlink(path.join(image.rootfs, 'usr/local/bin/tool-server'))).toBe('tool');
    await expect(
      buildImage(recipe('broken.mjs'), { cacheDir: path.join(dir, 'cache'), log }),
    ).rejects.toThrow(
      /setup script broken.mjs printed "ready" as its last line, not the absolute path of what it prepared/,
    );
  });
});

// Spark in these checks: local mode, loopback only, no Spark UI.
const LOCAL_SPARK = { SPARK_LOCAL_IP: '127.0.0.1', SPARK_LOCAL_HOSTNAME: 'localhost' };
const PI_ARGS = ['--conf', 'spark.ui.enabled=false', '--master', 'local[2]'];

describe.skipIf(skip)('spark-jobs: the Spark image of the jobs (dags/image/image.yaml)', () => {
  const { image, recipe } = withImage('spark-jobs');

  it('runs as 185 with the Spark of its pin, started through the entrypoint as given', async () => {
    expect([image().process.uid, image().process.gid]).toEqual([185, 185]);
    expect(image().process.args).toEqual(['/opt/entrypoint.sh']);
    expect((await succeeds(image(), ['/opt/entrypoint.sh', 'id', '-u'])).trim()).toBe('185');
    const version = await succeeds(image(), ['spark-submit', '--version'], { env: LOCAL_SPARK });
    expect(version).toContain(`version ${pipPin(recipe(), 'pyspark')}`);
  });

  it('has the layout and user of the Dockerfile for users (jars, jobs, their modes)', async () => {
    await expectDockerfileLayout(image(), 'spark-jobs');
  });

  it('`driver` runs spark-submit in client mode on the bind address: the pi job of dags/jobs succeeds', async () => {
    const output = await succeeds(
      image(),
      [
        '/opt/entrypoint.sh',
        'driver',
        ...PI_ARGS,
        '/opt/airspark/jobs/spark_pi.py',
        '--partitions',
        '2',
        '--samples-per-partition',
        '2000',
      ],
      { env: { ...LOCAL_SPARK, SPARK_DRIVER_BIND_ADDRESS: '127.0.0.1' } },
    );
    expect(output).toMatch(/Pi is roughly 3\.\d+ \(\d+ of 4000 samples inside\)/);
  });

  it('`executor` starts KubernetesExecutorBackend, which dials the driver URL Spark on Kubernetes gives it', async () => {
    const result = await runInImage(image(), ['/opt/entrypoint.sh', 'executor'], {
      env: {
        SPARK_EXECUTOR_MEMORY: '256m',
        SPARK_DRIVER_URL: 'spark://CoarseGrainedScheduler@127.0.0.1:9', // nothing listens: refused
        SPARK_EXECUTOR_ID: '1',
        SPARK_EXECUTOR_CORES: '1',
        SPARK_APPLICATION_ID: 'spark-image-test',
        SPARK_EXECUTOR_POD_IP: '127.0.0.1',
        SPARK_RESOURCE_PROFILE_ID: '0',
        SPARK_EXECUTOR_POD_NAME: 'image-test-exec-1',
        SPARK_JAVA_OPT_0: '-Dspark.driver.port=9',
      },
    });
    expect(result.code, result.output).not.toBe(0);
    expect(result.output).toContain('KubernetesExecutorBackend');
    expect(result.output).toContain('Failed to connect to /127.0.0.1:9');
    expect(result.output).not.toContain('ClassNotFoundException');
  });

  it('/opt/decom.sh (the executors’ preStop hook) returns at once when no executor runs', async () => {
    expect(await succeeds(image(), ['/opt/decom.sh'])).toContain('decom.sh: no executor JVM found');
  });
});

describe.skipIf(skip)('spark-operator: the controller and the Spark it submits with', () => {
  const { image, recipe } = withImage('spark-operator');

  it('runs the controller of the pinned version as 185 through the entrypoint', async () => {
    expect([image().process.uid, image().process.gid]).toEqual([185, 185]);
    const go = recipe().steps.find((step) => 'go' in step);
    const version = go && 'go' in go ? go.go.version : undefined;
    const output = await succeeds(image(), ['/usr/bin/entrypoint.sh', 'version']);
    expect(output).toContain(`Git Version: ${version}`);
    const help = await succeeds(image(), ['/usr/bin/spark-operator', '--help']);
    expect(help).toMatch(/controller\s+Spark operator controller/);
    expect(help).toMatch(/webhook\s+Spark operator webhook/);
  });

  it('has spark-submit of its Spark on PATH (the controller runs it for every SparkApplication)', async () => {
    const output = await succeeds(image(), ['spark-submit', '--version'], { env: LOCAL_SPARK });
    expect(output).toContain(`version ${pipPin(recipe(), 'pyspark')}`);
  });
});

describe.skipIf(skip)('livy: Livy 0.9.0 with Spark 3.5 (apps/livy/image/image.yaml)', () => {
  const { image, recipe } = withImage('livy');
  // What the chart's Deployment gives livy-server (apps/livy/chart/templates/deployment.yaml), read
  // from the template: its environment, and its emptyDir volumes made as the kubelet makes them
  // (empty, world-writable), so that a folder Livy cannot write fails here as it would in the pod.
  let chartEnv: Record<string, string>;
  beforeAll(async () => {
    const template = await readFile(
      path.join(REPO_ROOT, 'apps/livy/chart/templates/deployment.yaml'),
      'utf8',
    );
    chartEnv = {};
    for (const name of ['LIVY_LOG_DIR', 'LIVY_PID_DIR', 'HOME']) {
      const value = new RegExp(`- name: ${name}\\n\\s+value: (\\S+)`).exec(template)?.[1];
      if (!value) throw new Error(`the Livy chart's Deployment sets no ${name}`);
      chartEnv[name] = value;
    }
    const emptyDirs = [...template.matchAll(/- name: (\S+)\n\s+emptyDir:/g)].map((m) => m[1]);
    expect(emptyDirs.length).toBeGreaterThan(0);
    for (const volume of emptyDirs) {
      const mountPath = new RegExp(`- name: ${volume}\\n\\s+mountPath: (\\S+)`).exec(template)?.[1];
      if (!mountPath) throw new Error(`the Livy chart mounts no volume ${volume}`);
      const where = path.join(image().rootfs, mountPath);
      await rm(where, { recursive: true, force: true });
      await mkdir(where, { recursive: true, mode: 0o777 });
      await chmod(where, 0o777);
    }
  });

  it('has Spark 3.5 and the layout and user of the Dockerfile for users', async () => {
    const output = await succeeds(image(), ['spark-submit', '--version'], { env: LOCAL_SPARK });
    expect(output).toContain(`version ${pipPin(recipe(), 'pyspark')}`);
    expect(pipPin(recipe(), 'pyspark')).toMatch(/^3\.5\./);
    await expectDockerfileLayout(image(), 'livy');
    const state = await stat(path.join(image().rootfs, 'var/lib/livy/state'));
    expect([state.uid, state.mode & 0o777]).toEqual([185, 0o700]);
  });

  it('livy-server finds its jars and serves; a batch of the pi job runs on its Spark 3.5 to success', async () => {
    // The job file goes into this unpacked copy only; Livy reads local files from a whitelist.
    await copyFile(
      path.join(REPO_ROOT, 'dags/jobs/spark_pi.py'),
      path.join(image().rootfs, 'tmp/spark_pi.py'),
    );
    const script = `
      set -e
      mkdir -p /tmp/livy-conf
      printf 'livy.file.local-dir-whitelist = /tmp/\\nlivy.spark.master = local[2]\\n' > /tmp/livy-conf/livy.conf
      /opt/livy/bin/livy-server > /tmp/livy-server.log 2>&1 &
      up() { curl -fsS http://127.0.0.1:8998/version; }
      for i in $(seq 150); do up > /tmp/version.json 2>/dev/null && break; sleep 2; done
      up || { tail -n 40 /tmp/livy-server.log; exit 1; }
      echo
      curl -fsS -H 'Content-Type: application/json' -H 'X-Requested-By: image-test' \\
        -d '{"file":"/tmp/spark_pi.py","args":["--partitions","2","--samples-per-partition","2000"],"conf":{"spark.ui.enabled":"false"}}' \\
        http://127.0.0.1:8998/batches > /dev/null
      for i in $(seq 150); do
        state="$(curl -fsS http://127.0.0.1:8998/batches/0/state)"
        case "$state" in *'"success"'*|*'"dead"'*|*'"killed"'*|*'"error"'*) break ;; esac
        sleep 2
      done
      echo "batch: $state"
      curl -fsS 'http://127.0.0.1:8998/batches/0/log?from=0&size=400' | tr ',' '\\n' | grep -E 'Pi is roughly|Error|error' || true
    `;
    const output = await succeeds(image(), ['/bin/sh', '-c', script], {
      env: { ...chartEnv, ...LOCAL_SPARK, LIVY_CONF_DIR: '/tmp/livy-conf' },
    });
    expect(output).toContain('"version":"0.9.0-incubating"');
    expect(output).toMatch(/batch: .*"state":"success"/);
    expect(output).toMatch(/Pi is roughly 3\.\d+/);
  });
});

describe.skipIf(skip)('argocd: Argo CD v3.6.2 for the local environment', () => {
  const { image, recipe } = withImage('argocd');

  it('is the one binary, acting by the name it is started under, as 999 with tini', async () => {
    expect([image().process.uid, image().process.gid]).toEqual([999, 999]);
    expect(image().process.args.slice(0, 2)).toEqual(['/usr/bin/tini', '--']);
    const version = await succeeds(image(), ['argocd', 'version', '--client', '--short']);
    expect(version).toContain(`argocd: ${recipe().tag}`);
    for (const command of ['argocd-server', 'argocd-repo-server', 'argocd-application-controller']) {
      const help = await succeeds(image(), [command, '--help']);
      expect(help, command).toMatch(new RegExp(`Usage:\\s+${command}`));
    }
  });

  it("runs the chart's copyutil init container command (cp --update=none needs coreutils 9.3+)", async () => {
    // argo-cd chart 10.1.1, templates/argocd-repo-server/deployment.yaml, with its default extraArgs.
    const output = await succeeds(image(), [
      '/bin/sh',
      '-c',
      'mkdir -p /tmp/var-files && /bin/cp --update=none /usr/local/bin/argocd /tmp/var-files/argocd && /bin/ln -sf /tmp/var-files/argocd /tmp/var-files/argocd-cmp-server && /tmp/var-files/argocd-cmp-server --help',
    ]);
    expect(output).toMatch(/Usage:\s+argocd-cmp-server/);
  });

  it('has what the repo-server runs: git, gpg and git-verify wrappers, ssh, helm', async () => {
    // The repo-server runs git-verify-wrapper.sh for every manifest generation.
    const verify = await stat(path.join(image().rootfs, 'usr/local/bin/git-verify-wrapper.sh'));
    expect(verify.mode & 0o111, 'git-verify-wrapper.sh is executable').toBe(0o111);
    expect(await succeeds(image(), ['git', '--version'])).toMatch(/^git version 2\./);
    expect(await succeeds(image(), ['gpg-wrapper.sh', '--version'])).toMatch(/gpg \(GnuPG\) 2\./);
    expect(await succeeds(image(), ['ssh', '-V'])).toMatch(/OpenSSH_/);
    expect(await succeeds(image(), ['helm', 'version', '--short'])).toMatch(/^v\d+\.\d+\.\d+/);
    const known = await readFile(path.join(image().rootfs, 'app/config/ssh/ssh_known_hosts'), 'utf8');
    expect(known).toBe('');
  });
});

describe.skipIf(skip)('redis: Redis 8.0 from Debian for Argo CD', () => {
  const { image, recipe } = withImage('redis');

  it('serves as 999 with the arguments the Argo CD chart passes, password required', async () => {
    expect([image().process.uid, image().process.gid]).toEqual([999, 999]);
    expect(await succeeds(image(), ['redis-server', '--version'])).toMatch(/Redis server v=8\.0\./);
    // The chart's args, through the image's entrypoint as the kubelet would run them.
    const script = `
      "$@" &
      for i in $(seq 60); do redis-cli -a s3cret --no-auth-warning ping 2>/dev/null | grep -q PONG && break; sleep 1; done
      echo "auth: $(redis-cli -a s3cret --no-auth-warning ping)"
      echo "anonymous: $(redis-cli ping 2>&1)"
      echo "uid: $(id -u)"
      redis-cli -a s3cret --no-auth-warning shutdown nosave >/dev/null 2>&1 || true
    `;
    const output = await succeeds(image(), [
      '/bin/sh',
      '-c',
      script,
      'redis-test',
      ...(recipe().config.entrypoint ?? []),
      '--save',
      '',
      '--appendonly',
      'no',
      '--requirepass s3cret',
    ]);
    expect(output).toContain('auth: PONG');
    expect(output).toMatch(/anonymous: NOAUTH/);
    expect(output).toContain('uid: 999');
  });
});
