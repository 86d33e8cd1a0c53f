// The zx scripts that fill the cache this package reads (scripts/setup-envtest.mjs and its
// libraries). They live at the repository root; this package's tests depend on them.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { argocdReplaces } from '../../../scripts/lib/argocd-build.mjs';
import { makeStagingDir, publishDir, sweepStaleStagingDirs } from '../../../scripts/lib/atomic-dir.mjs';
import { describeVersions, linkOrCopy } from '../../../scripts/lib/envtest-assets.mjs';
import {
  compareVersions,
  goDirective,
  localReplaces,
  versionReplaces,
  wrapperGoMod,
} from '../../../scripts/lib/go-module-build.mjs';
import { defaultEnvtestDir } from '../src/index.js';

const execFileAsync = promisify(execFile);
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const setupScript = path.join(repoRoot, 'scripts', 'setup-envtest.mjs');

async function runSetup(args: string[], env: NodeJS.ProcessEnv, script = setupScript) {
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, [script, ...args], { env });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('go-module-build', () => {
  it('lists the staging modules that k8s.io/kubernetes replaces with its own folders', () => {
    const goMod = [
      'module k8s.io/kubernetes',
      'go 1.25.0',
      'require k8s.io/api v0.0.0',
      'replace (',
      '\tk8s.io/api => ./staging/src/k8s.io/api',
      '\tk8s.io/client-go => ./staging/src/k8s.io/client-go // comment',
      '\tgithub.com/x/y => github.com/x/y v1.2.3',
      ')',
      'replace go.etcd.io/etcd/api/v3 v3.6.6 => ../api',
    ].join('\n');
    expect(localReplaces(goMod)).toEqual(['k8s.io/api', 'k8s.io/client-go', 'go.etcd.io/etcd/api/v3']);
    expect(goDirective(goMod)).toBe('1.25.0');
  });

  it('lists the modules a go.mod pins to other published versions, as the Spark Operator does', () => {
    const goMod = [
      'module github.com/kubeflow/spark-operator/v2',
      'go 1.24.10',
      'replace (',
      '\tk8s.io/api => k8s.io/api v0.32.5',
      '\tk8s.io/client-go v0.33.0 => k8s.io/client-go v0.32.5 // pinned',
      '\tk8s.io/local => ./staging/local',
      '\tgithub.com/x/y => github.com/fork/y v1.2.3',
      ')',
      'replace k8s.io/apimachinery => k8s.io/apimachinery v0.32.5',
    ].join('\n');
    // Local folders are left out: the proxy publishes those modules on their own.
    const replaces = versionReplaces(goMod);
    expect(replaces).toEqual([
      { path: 'k8s.io/api', version: 'v0.32.5' },
      { path: 'k8s.io/client-go', version: 'v0.32.5' },
      { path: 'github.com/x/y', version: 'v1.2.3', to: 'github.com/fork/y' },
      { path: 'k8s.io/apimachinery', version: 'v0.32.5' },
    ]);
    expect(wrapperGoMod({ name: 'spark-operator', goVersion: '1.24.10', requires: [], replaces })).toContain(
      '\tgithub.com/x/y => github.com/fork/y v1.2.3\n\tk8s.io/apimachinery => k8s.io/apimachinery v0.32.5\n',
    );
  });

  it('writes a wrapper module that pins each replaced module to its published version', () => {
    expect(
      wrapperGoMod({
        name: 'kube-apiserver',
        goVersion: '1.25.0',
        requires: [{ path: 'k8s.io/kubernetes', version: 'v1.35.4' }],
        replaces: [{ path: 'k8s.io/api', version: 'v0.35.4' }],
      }),
    ).toContain(
      'require (\n\tk8s.io/kubernetes v1.35.4\n)\n\nreplace (\n\tk8s.io/api => k8s.io/api v0.35.4\n)',
    );
  });

  it("copies Argo CD's replaces into the wrapper and pins its nested gitops-engine to the release", () => {
    // The shape of github.com/argoproj/argo-cd/v3@v3.6.2's go.mod: a wrapper ignores these unless copied.
    const goMod = `module github.com/argoproj/argo-cd/v3

go 1.27.0

require github.com/argoproj/argo-cd/gitops-engine/v3 v3.6.2 // Tagged at release time

replace (
\tgithub.com/golang/protobuf => github.com/golang/protobuf v1.5.4
\t// Avoid CVE-2022-3064
\tgopkg.in/yaml.v2 => gopkg.in/yaml.v2 v2.4.0
\tk8s.io/api => k8s.io/api v0.37.0
)

replace github.com/argoproj/argo-cd/gitops-engine/v3 => ./gitops-engine
`;
    const replaces = argocdReplaces(goMod, 'v3.6.2');
    expect(replaces).toEqual([
      { path: 'github.com/golang/protobuf', to: 'github.com/golang/protobuf', version: 'v1.5.4' },
      { path: 'gopkg.in/yaml.v2', to: 'gopkg.in/yaml.v2', version: 'v2.4.0' },
      { path: 'k8s.io/api', to: 'k8s.io/api', version: 'v0.37.0' },
      { path: 'github.com/argoproj/argo-cd/gitops-engine/v3', version: 'v3.6.2' },
    ]);
    expect(localReplaces(goMod)).toEqual(['github.com/argoproj/argo-cd/gitops-engine/v3']);
    expect(wrapperGoMod({ name: 'argocd', goVersion: goDirective(goMod), requires: [], replaces })).toContain(
      '\tgithub.com/argoproj/argo-cd/gitops-engine/v3 => github.com/argoproj/argo-cd/gitops-engine/v3 v3.6.2\n',
    );
  });

  it('compares Go versions numerically', () => {
    expect(compareVersions('1.26.8', '1.25')).toBeGreaterThan(0);
    expect(compareVersions('1.9', '1.25')).toBeLessThan(0);
    expect(compareVersions('1.25.0', '1.25')).toBe(0);
  });
});

describe('atomic-dir', () => {
  let parent: string;
  beforeAll(async () => {
    parent = await mkdtemp(path.join(os.tmpdir(), 'airspark-atomic-'));
  });
  afterAll(async () => {
    await rm(parent, { recursive: true, force: true });
  });

  it('publishes a staged folder, replacing an older one whole', async () => {
    const target = path.join(parent, '1.35.4');
    await mkdir(target);
    await writeFile(path.join(target, 'stale'), 'old');
    const staging = await makeStagingDir(target);
    await writeFile(path.join(staging, 'kube-apiserver'), 'new');
    await publishDir(staging, target);
    expect(await readdir(target)).toEqual(['kube-apiserver']);
    expect(await readdir(parent)).toEqual(['1.35.4']);
  });

  it('sweeps staging folders that an interrupted run left behind', async () => {
    const target = path.join(parent, 'swept');
    await makeStagingDir(target);
    await makeStagingDir(target);
    await sweepStaleStagingDirs(target);
    expect((await readdir(parent)).filter((name) => name.includes('swept'))).toEqual([]);
  });
});

describe('envtest-assets', () => {
  it('describes each wanted binary, naming the pin only where the found version differs', () => {
    expect(
      describeVersions(
        { etcd: '3.6.6', kubectl: '1.35.2', 'kube-apiserver': null },
        {
          etcd: '3.6.6',
          kubectl: '1.35.4',
          'kube-apiserver': '1.35.4',
        },
      ),
    ).toBe('etcd 3.6.6, kubectl 1.35.2 (pinned 1.35.4), kube-apiserver missing');
  });

  it('links a good binary into the staging folder instead of copying it', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'airspark-link-'));
    try {
      await writeFile(path.join(dir, 'etcd'), 'binary');
      await linkOrCopy(path.join(dir, 'etcd'), path.join(dir, 'staged-etcd'));
      expect(await readFile(path.join(dir, 'staged-etcd'), 'utf8')).toBe('binary');
      expect((await stat(path.join(dir, 'etcd'))).nlink).toBe(2);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('setup-envtest.mjs', () => {
  it('rejects unknown options with usage and exit code 2', async () => {
    const result = await runSetup(['--frobnicate'], process.env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("Unknown option '--frobnicate'");
    expect(result.stderr).toContain('usage: setup-envtest.mjs');
  });

  it('fails clearly when KUBEBUILDER_ASSETS lacks the binaries, building nothing', async () => {
    const empty = await mkdtemp(path.join(os.tmpdir(), 'airspark-empty-assets-'));
    try {
      const result = await runSetup([], { ...process.env, KUBEBUILDER_ASSETS: empty });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(
        `setup-envtest: error: KUBEBUILDER_ASSETS=${empty} has no runnable kube-apiserver or etcd.`,
      );
      expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
      expect(await readdir(empty)).toEqual([]);
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });

  // The package's `test` script ran the setup before vitest, so the binaries are in place.
  it('reports ready binaries quickly and prints the folder this package reads', async () => {
    const started = Date.now();
    const result = await runSetup([], process.env);
    expect(result.code).toBe(0);
    const expected = process.env.KUBEBUILDER_ASSETS || defaultEnvtestDir();
    expect(result.stdout.trim()).toBe(expected);
    expect(result.stderr).toMatch(
      /envtest binaries ready in .*: kube-apiserver 1\.35\.4, etcd 3\.6\.6, kubectl 1\.35\.2/,
    );
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});

describe('setup-kubeconform.mjs', () => {
  it('rejects unknown options with usage and exit code 2', async () => {
    const result = await runSetup(
      ['--frobnicate'],
      process.env,
      path.join(repoRoot, 'scripts', 'setup-kubeconform.mjs'),
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('usage: setup-kubeconform.mjs');
  });

  it('fails with a clear message, and no stack trace, when Go is not on PATH', async () => {
    const cache = await mkdtemp(path.join(os.tmpdir(), 'airspark-no-go-'));
    try {
      const result = await runSetup(
        [],
        // The script runs with node's absolute path; an empty PATH hides go.
        { PATH: cache, AIRSPARK_CACHE_DIR: cache },
        path.join(repoRoot, 'scripts', 'setup-kubeconform.mjs'),
      );
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('setup-kubeconform: error: Go 1.25 or newer is needed');
      expect(result.stderr).not.toMatch(/\n\s+at /);
    } finally {
      await rm(cache, { recursive: true, force: true });
    }
  });
});
