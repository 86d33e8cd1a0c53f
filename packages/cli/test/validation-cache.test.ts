import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { environmentFingerprint, readCachedFindings, writeCachedFindings } from '../src/validation-cache.js';

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
});
