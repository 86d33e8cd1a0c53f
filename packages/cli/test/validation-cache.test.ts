import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  environmentFingerprint,
  extraInputsOf,
  readCachedFindings,
  writeCachedFindings,
} from '../src/validation-cache.js';
import { repoCopy, run } from './repo-copy.js';

describe('the per-environment result cache of airspark validate', () => {
  it('changes its key with the environment own files and shared inputs, not with another environment', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'airspark-fingerprint-'));
    const charts = path.join(root, '.charts');
    const put = async (file: string, text: string) => {
      await mkdir(path.dirname(path.join(root, file)), { recursive: true });
      await writeFile(path.join(root, file), text);
    };
    await put('clusters/dev/environment.yaml', 'name: dev\n');
    await put('clusters/prod/environment.yaml', 'name: prod\n');
    await put('apps/livy/component.yaml', 'name: livy\n');
    const dev = await environmentFingerprint(root, 'dev', charts);
    expect(await environmentFingerprint(root, 'dev', charts)).toBe(dev);
    await put('clusters/prod/values/livy.yaml', 'replicas: 2\n');
    expect(await environmentFingerprint(root, 'dev', charts)).toBe(dev);
    await put('clusters/dev/values/livy.yaml', 'replicas: 2\n');
    const devEdited = await environmentFingerprint(root, 'dev', charts);
    expect(devEdited).not.toBe(dev);
    await put('apps/livy/chart/templates/x.yaml', 'kind: ConfigMap\n');
    expect(await environmentFingerprint(root, 'dev', charts)).not.toBe(devEdited);
    await put('dags/spark_apps/a.yaml', 'kind: SparkApplication\n');
    const withTemplate = await environmentFingerprint(root, 'dev', charts);
    await mkdir(charts, { recursive: true });
    await writeFile(path.join(charts, 'airflow-1.22.0.tgz'), 'x');
    expect(await environmentFingerprint(root, 'dev', charts)).not.toBe(withTemplate);
  });

  it('stores and returns findings, and misses cleanly on an unknown key', async () => {
    const cache = await mkdtemp(path.join(tmpdir(), 'airspark-results-'));
    expect(await readCachedFindings(cache, 'nope')).toBeUndefined();
    const findings = [
      { severity: 'warning' as const, rule: 'r/x', message: 'm', file: 'f', line: 1, column: 1 },
    ];
    await writeCachedFindings(cache, 'abc', findings);
    expect(await readCachedFindings(cache, 'abc')).toEqual(findings);
    await writeFile(path.join(cache, 'validate-results', 'broken.json'), '{');
    expect(await readCachedFindings(cache, 'broken')).toBeUndefined();
  });

  it('hashes through symlinks: a symlinked values file, a symlinked folder', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'airspark-fingerprint-'));
    const charts = path.join(root, '.charts');
    const put = async (file: string, text: string) => {
      await mkdir(path.dirname(path.join(root, file)), { recursive: true });
      await writeFile(path.join(root, file), text);
    };
    await put('clusters/dev/environment.yaml', 'name: dev\n');
    await put('shared/livy.yaml', 'replicas: 1\n');
    await mkdir(path.join(root, 'clusters/dev/values'), { recursive: true });
    await symlink('../../../shared/livy.yaml', path.join(root, 'clusters/dev/values/livy.yaml'));
    await put('shared/chart/templates/a.yaml', 'kind: ConfigMap\n');
    await mkdir(path.join(root, 'apps/livy'), { recursive: true });
    await symlink('../../shared/chart', path.join(root, 'apps/livy/chart'));
    const before = await environmentFingerprint(root, 'dev', charts);
    await put('shared/livy.yaml', 'replicas: 2\n');
    const afterValues = await environmentFingerprint(root, 'dev', charts);
    expect(afterValues).not.toBe(before);
    await put('shared/chart/templates/a.yaml', 'kind: Secret\n');
    expect(await environmentFingerprint(root, 'dev', charts)).not.toBe(afterValues);
  });

  it('hashes the inputs the hydration declares, wherever they are (a values file outside apps/ and clusters/)', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'airspark-fingerprint-'));
    const charts = path.join(root, '.charts');
    await mkdir(path.join(root, 'config'), { recursive: true });
    await writeFile(path.join(root, 'config/common.yaml'), 'a: 1\n');
    const declared = ['clusters/dev/', 'apps/livy/', 'config/common.yaml'];
    const before = await environmentFingerprint(root, 'dev', charts, declared);
    await writeFile(path.join(root, 'config/common.yaml'), 'a: 2\n');
    expect(await environmentFingerprint(root, 'dev', charts, declared)).not.toBe(before);
  });

  it('does not answer when a file the render read outside the declared inputs changed', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'airspark-extra-'));
    const cache = await mkdtemp(path.join(tmpdir(), 'airspark-results-'));
    await mkdir(path.join(root, 'shared'), { recursive: true });
    await writeFile(path.join(root, 'shared/cm.yaml'), 'kind: ConfigMap\n');
    const extra = await extraInputsOf(root, ['apps/k/'], ['apps/k/kustomization.yaml', 'shared/cm.yaml']);
    expect(extra.map((e) => e.file)).toEqual(['shared/cm.yaml']);
    await writeCachedFindings(cache, 'key', [], extra);
    expect(await readCachedFindings(cache, 'key', root)).toEqual([]);
    await writeFile(path.join(root, 'shared/cm.yaml'), 'kind: Secret\n');
    expect(await readCachedFindings(cache, 'key', root)).toBeUndefined();
    await rm(path.join(root, 'shared/cm.yaml'));
    expect(await readCachedFindings(cache, 'key', root)).toBeUndefined();
  });

  it('end to end: a values file that is a symlink is re-checked when its target changes', async () => {
    const repo = await repoCopy();
    try {
      const values = 'clusters/dev/values/livy.yaml';
      await mkdir(path.join(repo.root, 'shared'), { recursive: true });
      await writeFile(path.join(repo.root, 'shared/livy-dev.yaml'), await repo.read(values));
      await rm(path.join(repo.root, values));
      await symlink('../../../shared/livy-dev.yaml', path.join(repo.root, values));
      const validate = async () =>
        JSON.parse(
          (await run(['validate', '--env', 'dev', '--format', 'json', '--root', repo.root], repo.root))
            .stdout,
        ).findings as { rule: string; file: string }[];
      const first = await validate();
      expect(first.filter((f) => f.rule === 'render/values-schema')).toEqual([]);
      await writeFile(
        path.join(repo.root, 'shared/livy-dev.yaml'),
        `${await repo.read('shared/livy-dev.yaml')}\nreplicaz: 3\n`,
      );
      const second = await validate();
      expect(second).toContainEqual(
        expect.objectContaining({ rule: 'render/values-schema', file: 'clusters/dev/values/livy.yaml' }),
      );
    } finally {
      await repo.cleanup();
    }
  }, 180_000);
});
