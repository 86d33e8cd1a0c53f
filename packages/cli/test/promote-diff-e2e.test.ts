import { execFileSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gitEnv, repoRoot, run } from './repo-copy.js';

/**
 * End to end with the real renderer (helm from the pinned layer package): a repository with the real
 * environment files, a local Livy-like chart whose image tag comes from environment.yaml, an
 * upstream chart (hydrated only: the Application pins its version), and a directory of manifests
 * holding a Secret.
 */
async function writeComponents(write: (file: string, text: string) => Promise<void>, withUpstream: boolean) {
  await write(
    'apps/livy/component.yaml',
    `name: livy
enabledBy: components.livy.enabled
namespace: livy
syncWave: 20
syncOptions: [CreateNamespace=true]
source:
  type: helm-local
  path: apps/livy/chart
values:
  environmentFile: clusters/{env}/values/livy.yaml
  fromEnvironment:
    image.repository: components.livy.image.repository
    image.tag: components.livy.image.tag
`,
  );
  await write('apps/livy/chart/Chart.yaml', 'apiVersion: v2\nname: livy\nversion: 0.1.0\n');
  await write('apps/livy/chart/values.yaml', 'replicas: 1\nimage:\n  repository: example/livy\n  tag: dev\n');
  await write(
    'apps/livy/chart/templates/deployment.yaml',
    `apiVersion: apps/v1
kind: Deployment
metadata:
  name: livy
spec:
  replicas: {{ .Values.replicas }}
  selector:
    matchLabels: { app.kubernetes.io/name: livy }
  template:
    metadata:
      labels: { app.kubernetes.io/name: livy }
    spec:
      containers:
        - name: livy
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"
        - name: log-shipper
          image: "fluent/fluent-bit:4.0.3"
---
apiVersion: v1
kind: Service
metadata:
  name: livy
spec:
  selector: { app.kubernetes.io/name: livy }
  ports: [{ name: http, port: 8998 }]
`,
  );
  await write(
    'apps/secrets/component.yaml',
    'name: secrets\nnamespace: livy\nsyncWave: 10\nsource:\n  type: directory\n  path: apps/secrets/manifests\n',
  );
  await write(
    'apps/secrets/manifests/secret.yaml',
    'apiVersion: v1\nkind: Secret\nmetadata:\n  name: livy-token\ntype: Opaque\ndata:\n  token: UzNDUjNUT0xE\n',
  );
  if (withUpstream) {
    await write(
      'apps/karpenter/component.yaml',
      `name: karpenter
enabledBy: components.karpenter.enabled
namespace: kube-system
syncWave: 10
source:
  type: helm-upstream
  repoURL: oci://public.ecr.aws/karpenter
  chart: karpenter
  versionFrom: components.karpenter.chartVersion
`,
    );
  }
}

async function makeRepo(withUpstream: boolean) {
  const root = await mkdtemp(path.join(tmpdir(), 'airspark-e2e-'));
  const write = async (file: string, text: string) => {
    await mkdir(path.dirname(path.join(root, file)), { recursive: true });
    await writeFile(path.join(root, file), text);
  };
  const git = (...args: string[]) =>
    execFileSync('git', args, { cwd: root, encoding: 'utf8', env: { ...process.env, ...gitEnv } });
  await write('pnpm-workspace.yaml', 'packages: []\n');
  for (const env of ['dev', 'staging', 'prod']) {
    await cp(
      path.join(repoRoot, `clusters/${env}/environment.yaml`),
      path.join(root, `clusters/${env}/environment.yaml`),
    );
  }
  await cp(path.join(repoRoot, 'clusters/releases.yaml'), path.join(root, 'clusters/releases.yaml'));
  await writeComponents(write, withUpstream);
  const hydrated = await run(['render', '--hydrate-only'], root);
  if (hydrated.code !== 0)
    throw new Error(`render --hydrate-only failed: ${hydrated.stderr}${hydrated.stdout}`);
  git('init', '--quiet', '--initial-branch=main');
  git('add', '--all');
  git('commit', '--quiet', '-m', 'start');
  const read = (file: string) => readFile(path.join(root, file), 'utf8');
  const edit = async (file: string, f: (t: string) => string) => write(file, f(await read(file)));
  return { root, git, read, write, edit, cleanup: () => rm(root, { recursive: true, force: true }) };
}

beforeAll(() => {
  Object.assign(process.env, gitEnv);
});

/**
 * These tests need the upstream charts *not* to be cached (what CI's chart mirror fills): an
 * airspark cache of their own that shares everything but the charts (and the result cache).
 */
let realCache: string | undefined;
let ownCache: string | undefined;
beforeAll(async () => {
  const { cacheDir } = await import('@airspark/render');
  const { readdir, symlink } = await import('node:fs/promises');
  const shared = cacheDir(process.env);
  ownCache = await mkdtemp(path.join(tmpdir(), 'airspark-e2e-cache-'));
  for (const entry of await readdir(shared).catch(() => [] as string[]))
    if (entry !== 'charts' && entry !== 'validate-results')
      await symlink(path.join(shared, entry), path.join(ownCache, entry));
  realCache = process.env.AIRSPARK_CACHE_DIR;
  process.env.AIRSPARK_CACHE_DIR = ownCache;
});
afterAll(async () => {
  if (realCache === undefined) delete process.env.AIRSPARK_CACHE_DIR;
  else process.env.AIRSPARK_CACHE_DIR = realCache;
  if (ownCache) await rm(ownCache, { recursive: true, force: true });
});

describe('promote with the real hydration', () => {
  let repo: Awaited<ReturnType<typeof makeRepo>>;
  beforeAll(async () => {
    repo = await makeRepo(true);
  });
  afterAll(async () => repo.cleanup());

  /**
   * validate's findings about promotion and hydration: the synthetic chart here is minimal and fails
   * unrelated policies (resources, probes) that the real components satisfy; the real repository is
   * validated end to end in promote.test.ts.
   */
  const promotionAndHydration = async () => {
    const { stdout } = await run(['validate', '--format', 'json'], repo.root);
    const { findings } = JSON.parse(stdout) as {
      findings: { severity: string; rule: string; env: string }[];
    };
    return findings
      .filter((f) => f.rule.startsWith('promotion/') || f.rule === 'render/stale-application')
      .map((f) => [f.severity, f.rule, f.env]);
  };

  it("after a chart bump in dev, promote dev staging changes only staging's pin and Application, and validate's promotion and hydration checks pass", async () => {
    await repo.edit('clusters/dev/environment.yaml', (t) =>
      t.replace('    chartVersion: 1.14.1', '    chartVersion: 1.14.2'),
    );
    expect((await run(['render', '--hydrate-only', '--env', 'dev'], repo.root)).code).toBe(0);
    repo.git('commit', '--quiet', '--all', '-m', 'Bump Karpenter in dev');
    expect(await promotionAndHydration()).toEqual([
      ['warning', 'promotion/drift', 'staging'], // staging behind dev
    ]);

    const { code, stdout } = await run(['promote', 'dev', 'staging'], repo.root);
    expect(code).toBe(0);
    expect(stdout).toContain('components.karpenter.chartVersion  1.14.1 → 1.14.2');
    expect(stdout).toContain('wrote clusters/staging/apps/karpenter.yaml (re-hydrated)');
    expect(repo.git('status', '--porcelain').split('\n').filter(Boolean).sort()).toEqual([
      ' M clusters/staging/apps/karpenter.yaml',
      ' M clusters/staging/environment.yaml',
    ]);
    const changed = repo
      .git('diff', '--unified=0', '--no-color')
      .split('\n')
      .filter((l) => /^[-+] /.test(l));
    expect(changed).toEqual([
      '-    targetRevision: 1.14.1',
      '+    targetRevision: 1.14.2',
      '-    chartVersion: 1.14.1',
      '+    chartVersion: 1.14.2',
    ]);
    expect(await promotionAndHydration()).toEqual([['warning', 'promotion/drift', 'prod']]);

    // The upstream chart is not cached here: diff still shows the pinned version moving in the
    // Application, and names the app it could not compare instead of showing its objects removed.
    repo.git('commit', '--quiet', '--all', '-m', 'Promote dev to staging');
    const diff = await run(['diff', '--base', 'HEAD~1', '--format', 'json'], repo.root);
    expect(diff.code, diff.stderr).toBe(0);
    const [staging, ...others] = (
      JSON.parse(diff.stdout) as {
        environments: {
          env: string;
          skipped: { app: string; reason: string; sides: string[] }[];
          objects: {
            id: { app: string; name: string };
            fields: { path: string; before: unknown; after: unknown }[];
          }[];
        }[];
      }
    ).environments;
    expect(others).toEqual([]);
    expect(staging?.env).toBe('staging');
    expect(staging?.skipped.map((s) => [s.app, s.sides])).toEqual([
      ['karpenter', ['at HEAD~1', 'in the working tree']],
    ]);
    expect(staging?.skipped[0]?.reason).toContain('chart not cached: karpenter 1.14.1');
    expect(
      staging?.objects.map((o) => [o.id.app, o.id.name, o.fields.map((f) => [f.path, f.before, f.after])]),
    ).toEqual([['root', 'karpenter', [['spec.source.targetRevision', '1.14.1', '1.14.2']]]]);
  });

  it('promote dev prod is refused', async () => {
    const { code, stderr } = await run(['promote', 'dev', 'prod'], repo.root);
    expect(code).toBe(2);
    expect(stderr).toContain('prod is promoted from staging, not dev');
  });
});

describe('diff with the real renderer', () => {
  let repo: Awaited<ReturnType<typeof makeRepo>>;
  beforeAll(async () => {
    repo = await makeRepo(false);
  });
  afterAll(async () => repo.cleanup());

  it('diff --base HEAD~1 after a committed promotion shows exactly the changed objects and fields', async () => {
    await repo.edit('clusters/dev/environment.yaml', (t) =>
      t.replace('tag: 0.9.0-spark3.5.6-r1', 'tag: 0.9.0-spark3.5.6-r2'),
    );
    expect((await run(['render', '--hydrate-only', '--env', 'dev'], repo.root)).code).toBe(0);
    repo.git('commit', '--quiet', '--all', '-m', 'Livy r2 in dev');
    const promoted = await run(['promote', 'dev', 'staging', '--branch'], repo.root);
    expect(promoted.code, promoted.stderr).toBe(0);

    const { code, stdout, stderr } = await run(['diff', '--base', 'HEAD~1', '--format', 'json'], repo.root);
    expect(code, stderr).toBe(0);
    const report = JSON.parse(stdout) as {
      environments: {
        env: string;
        status: string;
        pins: unknown[];
        objects: {
          change: string;
          id: { app: string; kind: string; name: string };
          fields: { path: string; before: unknown; after: unknown }[];
        }[];
      }[];
    };
    expect(report.environments.map((e) => [e.env, e.status])).toEqual([['staging', 'changed']]);
    const [staging] = report.environments;
    expect(staging?.pins).toEqual([
      { pin: 'components.livy.image.tag', before: '0.9.0-spark3.5.6-r1', after: '0.9.0-spark3.5.6-r2' },
    ]);
    const repository = '222222222222.dkr.ecr.eu-west-1.amazonaws.com/airspark/livy';
    expect(
      staging?.objects.map((o) => [
        o.change,
        o.id.app,
        o.id.kind,
        o.id.name,
        o.fields.map((f) => [f.path, f.before, f.after]),
      ]),
    ).toEqual([
      [
        'changed',
        'livy',
        'Deployment',
        'livy',
        [
          [
            'spec.template.spec.containers[name=livy].image',
            `${repository}:0.9.0-spark3.5.6-r1`,
            `${repository}:0.9.0-spark3.5.6-r2`,
          ],
        ],
      ],
      [
        'changed',
        'root',
        'Application',
        'livy',
        [['spec.source.helm.valuesObject.image.tag', '0.9.0-spark3.5.6-r1', '0.9.0-spark3.5.6-r2']],
      ],
    ]);
  });

  it('redacts Secret values in the markdown comment, and a clean tree against HEAD affects nothing', async () => {
    expect(
      JSON.parse((await run(['diff', '--base', 'HEAD', '--format', 'json'], repo.root)).stdout).environments,
    ).toEqual([]);
    await repo.edit('apps/secrets/manifests/secret.yaml', (t) => t.replace('UzNDUjNUT0xE', 'TjNXUzNDUjNU'));
    const { code, stdout } = await run(
      ['diff', '--base', 'HEAD', '--format', 'markdown', '--env', 'prod'],
      repo.root,
    );
    expect(code).toBe(0);
    expect(stdout).toContain('changed <code>Secret livy/livy-token (secrets)</code>: 1 field');
    expect(stdout).toContain('- data.token: "(redacted)" (value redacted)');
    expect(stdout).not.toMatch(/UzNDUjNUT0xE|TjNXUzNDUjNU/);
  });

  it('--exit-code exits 1 on differences; a bad ref or format exits 2', async () => {
    expect((await run(['diff', '--base', 'HEAD', '--env', 'prod', '--exit-code'], repo.root)).code).toBe(1);
    const bad = await run(['diff', '--base', 'no-such-ref'], repo.root);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--base "no-such-ref" names no commit here');
    expect((await run(['diff'], repo.root)).stderr).toContain('--base REF is required');
    expect((await run(['diff', '--base', 'HEAD', '--format', 'html'], repo.root)).code).toBe(2);
  });
});
