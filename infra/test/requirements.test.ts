import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { loadEnvironments } from '@airspark/config';
import { describe, expect, it } from 'vitest';
import { checkInfraRequirements } from '../src/environment/requirements.js';
import { editFile, realEnvironments, repoRoot, temporaryRepository } from './helpers.js';

/** Loads dev after one edit of its file, and returns what the infrastructure requirements say. */
async function devAfter(from: string | RegExp, to: string) {
  const root = await temporaryRepository();
  await editFile(path.join(root, 'clusters/dev/environment.yaml'), from, to);
  const loaded = await loadEnvironments(root, ['dev']);
  expect(loaded.findings).toEqual([]);
  const [dev] = loaded.environments;
  if (!dev) throw new Error('dev did not load');
  const text = await readFile(path.join(root, 'clusters/dev/environment.yaml'), 'utf8');
  return { findings: checkInfraRequirements(dev), text };
}

describe('infrastructure requirements of an environment', () => {
  it('refuse a local cluster, at its provider line: it has no AWS infrastructure', async () => {
    const local = (await loadEnvironments(repoRoot, ['local'])).environments[0];
    if (!local) throw new Error('clusters/local did not load');
    const text = await readFile(path.join(repoRoot, 'clusters/local/environment.yaml'), 'utf8');
    expect(checkInfraRequirements(local)).toEqual([
      expect.objectContaining({
        rule: 'infra/environment',
        line: text.split('\n').findIndex((l) => /^\s+provider: local/.test(l)) + 1,
        message: expect.stringContaining('has no AWS infrastructure to synthesize'),
      }),
    ]);
  });

  it('hold for the real environments', async () => {
    for (const env of await realEnvironments()) expect(checkInfraRequirements(env)).toEqual([]);
  });

  it('refuse a public endpoint without CIDRs, pointing at publicAccess', async () => {
    const { findings, text } = await devAfter(/\n\s+publicAccessCidrs: .*\n/, '\n');
    expect(findings).toEqual([
      expect.objectContaining({
        rule: 'infra/environment',
        file: 'clusters/dev/environment.yaml',
        line: text.split('\n').findIndex((l) => l.includes('publicAccess: true')) + 1,
        message: expect.stringContaining('without publicAccessCidrs is open to 0.0.0.0/0'),
      }),
    ]);
  });

  it('refuse a VPC the subnet plan cannot cut', async () => {
    const { findings } = await devAfter('vpcCidr: 10.10.0.0/16', 'vpcCidr: 10.10.0.0/22');
    expect(findings.map((f) => f.message)).toEqual([expect.stringContaining('/16 to /19')]);
  });

  it('refuse a zone outside the region, sizes out of order, and mixed architectures', async () => {
    expect((await devAfter('eu-west-1b]', 'eu-central-1b]')).findings.map((f) => f.message)).toEqual([
      'zone eu-central-1b is not in region eu-west-1.',
    ]);
    expect((await devAfter('desiredSize: 2', 'desiredSize: 9')).findings.map((f) => f.message)).toEqual([
      expect.stringContaining('minSize <= desiredSize <= maxSize (2, 9, 3)'),
    ]);
    expect(
      (await devAfter('instanceTypes: [m7i.large]', 'instanceTypes: [m7i.large, m7g.large]')).findings,
    ).toEqual([expect.objectContaining({ message: expect.stringContaining('mix Arm (m7g.large) and x86') })]);
  });

  it('refuse two buckets of the same name, and names too long for IAM', async () => {
    expect(
      (
        await devAfter('logs: airspark-dev-logs-111111111111', 'logs: airspark-dev-data-111111111111')
      ).findings.map((f) => f.message),
    ).toEqual([
      'bucket airspark-dev-data-111111111111 is also the data bucket; every bucket needs its own name.',
    ]);
    const long = 'a'.repeat(50);
    const { findings } = await devAfter('name: airspark-dev\n', `name: ${long}\n`);
    expect(findings.length).toBeGreaterThan(0);
    expect(findings.every((f) => /longer than 6[34] characters/.test(f.message))).toBe(true);
    expect(findings.map((f) => f.message)).toContainEqual(expect.stringContaining('access-log bucket name'));
  });

  it('refuse an RDS database without settings, settings without RDS, and a storage ceiling below the start', async () => {
    const root = await temporaryRepository();
    const file = path.join(root, 'clusters/prod/environment.yaml');
    await editFile(file, /\n {6}rds:\n( {8}.*\n)+/, '\n');
    const prod = (await loadEnvironments(root, ['prod'])).environments[0];
    if (!prod) throw new Error('prod did not load');
    expect(checkInfraRequirements(prod)).toEqual([
      expect.objectContaining({
        file: 'clusters/prod/environment.yaml',
        message: expect.stringContaining('database type rds needs its settings'),
      }),
    ]);
    const settings =
      '\n      rds:\n        instanceClass: db.t4g.medium\n        engineVersion: "17"\n        allocatedStorageGiB: 50\n        maxAllocatedStorageGiB: 20\n        multiAz: false\n        backupRetentionDays: 7\n        deletionProtection: false\n';
    const { findings } = await devAfter(/(secretName: airflow-metadata-db.*)\n/, `$1${settings}`);
    expect(findings.map((f) => f.message)).toEqual([
      expect.stringContaining('only read when type is rds (here in-cluster)'),
      expect.stringContaining('maxAllocatedStorageGiB (20) is below allocatedStorageGiB (50)'),
    ]);
  });
});
