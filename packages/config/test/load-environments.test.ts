import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadEnvironments, UsageError } from '../src/index.js';
import { copyOfRepository, editEnvironment, lineOf, repoRoot } from './fixtures.js';

describe('the repository environments', () => {
  it('load clean, in promotion order', async () => {
    const result = await loadEnvironments(repoRoot);
    expect(result.findings).toEqual([]);
    // local is a chain of its own (the local cluster, promoted from nothing).
    expect(result.requested).toEqual(['dev', 'local', 'staging', 'prod']);
    expect(result.environments.map((e) => e.environment.cluster.name)).toEqual([
      'airspark-dev',
      'airspark-local',
      'airspark-staging',
      'airspark-prod',
    ]);
  });

  it('only the environments asked for are reported', async () => {
    const result = await loadEnvironments(repoRoot, ['prod']);
    expect(result.requested).toEqual(['prod']);
    expect(result.environments.map((e) => e.name)).toEqual(['prod']);
  });
});

describe('broken copies of an environment', () => {
  let root: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({ root, cleanup } = await copyOfRepository()));
  afterEach(async () => cleanup());

  const original = () => readFile(path.join(repoRoot, 'clusters/staging/environment.yaml'), 'utf8');
  const only = async (env = 'staging') => (await loadEnvironments(root, [env])).findings;

  it('a value of the wrong type names file, line and column', async () => {
    await editEnvironment(root, 'staging', (t) => t.replace('automated: true', 'automated: "yes"'));
    const [finding, ...rest] = await only();
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({
      rule: 'config/schema',
      file: 'clusters/staging/environment.yaml',
      line: lineOf(await original(), 'automated: true'),
      column: 16,
      env: 'staging',
    });
    expect(finding?.message).toContain('gitops.sync.automated must be of type boolean, not "yes"');
  });

  it('an unknown key points at the key and suggests the closest known one', async () => {
    await editEnvironment(root, 'staging', (t) =>
      t.replace('    chartVersion: 2.5.2', '    chartVersoin: 2.5.2'),
    );
    const findings = await only();
    const unknown = findings.find((f) => f.message.startsWith('unknown key'));
    expect(unknown).toMatchObject({ line: lineOf(await original(), 'chartVersion: 2.5.2'), column: 5 });
    expect(unknown?.message).toContain('Did you mean "chartVersion"?');
    expect(findings.some((f) => f.message.includes('missing the required key "chartVersion"'))).toBe(true);
  });

  it('a duplicate key is reported where it repeats', async () => {
    await editEnvironment(root, 'staging', (t) =>
      t.replace('  region: eu-west-1', '  region: eu-west-1\n  region: us-east-1'),
    );
    const [finding] = await only();
    expect(finding).toMatchObject({
      rule: 'config/duplicate-key',
      line: lineOf(await original(), 'region:') + 1,
      column: 3,
    });
    expect(finding?.message).toContain('duplicate key "region"');
  });

  it('malformed YAML (an unclosed bracket) is a syntax finding with its line', async () => {
    await editEnvironment(root, 'staging', (t) =>
      t.replace('[eu-west-1a, eu-west-1b, eu-west-1c]', '[eu-west-1a, eu-west-1b'),
    );
    const findings = await only();
    expect(findings.length).toBeGreaterThan(0);
    expect(findings.every((f) => f.rule === 'config/yaml-syntax' && f.line > 0)).toBe(true);
  });

  it('a tab used for indentation is named as such', async () => {
    await editEnvironment(root, 'staging', (t) => t.replace('  region: eu-west-1', '\tregion: eu-west-1'));
    const findings = await only();
    expect(findings[0]).toMatchObject({
      rule: 'config/yaml-syntax',
      line: lineOf(await original(), 'region:'),
    });
    expect(findings[0]?.message).toContain('replace the tab with spaces');
  });

  it('an alias to an anchor that does not exist', async () => {
    await editEnvironment(root, 'staging', (t) => t.replace('region: eu-west-1', 'region: *nowhere'));
    const [finding] = await only();
    expect(finding).toMatchObject({
      rule: 'config/yaml-syntax',
      line: lineOf(await original(), 'region:'),
      column: 11,
    });
    expect(finding?.message).toContain('alias *nowhere refers to no anchor');
  });

  it('anchors that do exist, and merge keys, are fine', async () => {
    await editEnvironment(root, 'staging', (t) =>
      t
        .replace('sparkDriver: { cpu: 32, memory: 128Gi }', 'sparkDriver: &small { cpu: 32, memory: 128Gi }')
        .replace('general: { cpu: 32, memory: 128Gi }', 'general: *small'),
    );
    expect(await only()).toEqual([]);
  });

  it('two YAML documents in one file', async () => {
    await editEnvironment(root, 'staging', (t) => `${t}---\nname: other\n`);
    const [finding] = await only();
    expect(finding?.message).toContain('more than one YAML document');
  });

  it('an empty file and a file of comments only', async () => {
    await editEnvironment(root, 'staging', () => '');
    expect((await only())[0]).toMatchObject({ rule: 'config/empty', line: 1 });
    await editEnvironment(root, 'staging', () => '# nothing here yet\n');
    expect((await only())[0]).toMatchObject({ rule: 'config/empty' });
  });

  it('a document that is not a mapping', async () => {
    await editEnvironment(root, 'staging', () => '- a\n- b\n');
    const [finding] = await only();
    expect(finding).toMatchObject({ rule: 'config/schema', line: 1, column: 1 });
    expect(finding?.message).toContain('the document must be of type object');
  });

  it('binary content is refused at the line of the first NUL byte', async () => {
    await editEnvironment(root, 'staging', (t) =>
      Buffer.concat([Buffer.from(t.slice(0, 20)), Buffer.from([0, 1, 2, 0xff])]),
    );
    const [finding] = await only();
    expect(finding).toMatchObject({ rule: 'config/binary', line: 1, column: 21 });
  });

  it('a file that is not UTF-8 (Latin-1) is refused at the bad byte', async () => {
    await editEnvironment(root, 'staging', (t) =>
      Buffer.from(t.replace('eu-west-1a', 'eu-west-1é'), 'latin1'),
    );
    const [finding] = await only();
    expect(finding).toMatchObject({ rule: 'config/not-utf8', line: lineOf(await original(), 'eu-west-1a') });
  });

  it('a 5 MB file is refused without being parsed', async () => {
    await editEnvironment(root, 'staging', (t) => `${t}${'# padding\n'.repeat(500_000)}`);
    const [finding] = await only();
    expect(finding).toMatchObject({ rule: 'config/too-large', line: 0 });
    expect(finding?.message).toContain('limited to 1 MiB');
  });

  it('a folder without environment.yaml', async () => {
    await rm(path.join(root, 'clusters/staging/environment.yaml'));
    const [finding] = await only();
    expect(finding).toMatchObject({ rule: 'config/file-missing', file: 'clusters/staging/environment.yaml' });
    expect(finding?.message).toContain('has a folder but no clusters/staging/environment.yaml');
  });

  it('naming an environment that has no folder is a usage error', async () => {
    await expect(loadEnvironments(root, ['qa'])).rejects.toThrow(UsageError);
    await expect(loadEnvironments(root, ['qa'])).rejects.toThrow(
      /clusters\/qa does not exist. Known environments: dev, local, prod, staging/,
    );
  });

  it('a name that differs from the folder', async () => {
    await mkdir(path.join(root, 'clusters/qa'));
    await writeFile(
      path.join(root, 'clusters/qa/environment.yaml'),
      (await original()).replace('name: staging', 'name: stage'),
    );
    const [finding] = await only('qa');
    expect(finding).toMatchObject({ rule: 'config/name-mismatch', file: 'clusters/qa/environment.yaml' });
  });

  it('promotedFrom must name another existing environment, without loops', async () => {
    await editEnvironment(root, 'staging', (t) => t.replace('promotedFrom: dev', 'promotedFrom: qa'));
    expect((await only())[0]?.message).toContain('promotedFrom names "qa", which has no folder');
    await editEnvironment(root, 'staging', (t) => t.replace('promotedFrom: qa', 'promotedFrom: staging'));
    expect((await only())[0]?.message).toContain('names the environment itself');
    await editEnvironment(root, 'staging', (t) => t.replace('promotedFrom: staging', 'promotedFrom: prod'));
    expect((await only())[0]?.message).toContain('loops back to "staging"');
  });

  it('an image tagged latest is not a pin', async () => {
    await editEnvironment(root, 'staging', (t) => t.replace('tag: 4.0.4-r1', 'tag: latest'));
    const [finding] = await only();
    expect(finding).toMatchObject({ rule: 'config/schema', line: lineOf(await original(), 'tag: 4.0.4-r1') });
    expect(finding?.message).toContain('may not be "latest"');
  });

  it('an external database needs the name of its secret', async () => {
    await editEnvironment(root, 'staging', (t) =>
      t.replace(/\n\s+secretName: airflow-metadata-db[^\n]*/, ''),
    );
    const [finding] = await only();
    expect(finding?.message).toContain(
      'components.airflow.database is missing the required key "secretName"',
    );
  });

  it('an unquoted Kubernetes version such as 1.30 (a number) explains the quoting', async () => {
    await editEnvironment(root, 'staging', (t) =>
      t.replace('kubernetesVersion: "1.35"', 'kubernetesVersion: 1.30'),
    );
    const [finding] = await only();
    expect(finding?.message).toContain('must be of type string, not 1.3');
    expect(finding?.message).toContain('quoted');
  });

  it('all problems of a file are reported at once, not one per run', async () => {
    await editEnvironment(root, 'staging', (t) =>
      t.replace('automated: true', 'automated: 1').replace('region: eu-west-1', 'region: moon'),
    );
    expect((await only()).length).toBe(2);
  });

  it('an environment file that is a symlink out of the repository is refused, as Argo CD refuses it', async () => {
    const outside = await mkdtemp(path.join(tmpdir(), 'airspark-outside-'));
    const file = path.join(root, 'clusters/staging/environment.yaml');
    await writeFile(path.join(outside, 'environment.yaml'), await readFile(file, 'utf8'));
    await rm(file);
    await symlink(path.join(outside, 'environment.yaml'), file);
    const [finding, ...rest] = await only();
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({
      rule: 'config/outside-repository',
      file: 'clusters/staging/environment.yaml',
    });
    expect(finding?.message).toContain('outside the repository');
    await rm(outside, { recursive: true, force: true });
  });

  it('an environment file symlinked inside the repository is read (legitimate)', async () => {
    const file = path.join(root, 'clusters/staging/environment.yaml');
    await writeFile(path.join(root, 'clusters/staging/real.yaml'), await readFile(file, 'utf8'));
    await rm(file);
    await symlink('real.yaml', file);
    expect(await only()).toEqual([]);
  });
});
