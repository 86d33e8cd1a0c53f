import { spawnSync } from 'node:child_process';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCommand } from '../src/cli/run-command.js';
import { synthCommand } from '../src/cli/synth-command.js';
import { captureContext, editFile, temporaryRepository } from './helpers.js';

async function synth(root: string, args: string[] = []) {
  const ctx = captureContext(root);
  const code = await runCommand('infra:synth', synthCommand, args, ctx);
  return { code, out: ctx.out(), err: ctx.err() };
}

const stackFile = (root: string, env: string) =>
  path.join(root, 'infra', 'cdktf.out', 'stacks', `airspark-${env}`, 'cdk.tf.json');

describe('pnpm infra:synth', () => {
  it('writes one stack per environment holding the resources the platform needs, and exits 0', async () => {
    const root = await temporaryRepository();
    const result = await synth(root);
    expect(result.code).toBe(0);
    expect(result.err).toMatch(/✓ dev: airspark-dev, \d+ resources/);
    expect(result.err).toMatch(/synthesized 3 stacks into infra\/cdktf\.out and checked them in/);
    expect(result.out).toContain('✔ 3 environments valid (dev, staging, prod)');
    expect((await readdir(path.join(root, 'infra/cdktf.out/stacks'))).sort()).toEqual([
      'airspark-dev',
      'airspark-prod',
      'airspark-staging',
    ]);
    for (const env of ['dev', 'staging', 'prod']) {
      const json = JSON.parse(await readFile(stackFile(root, env), 'utf8'));
      for (const type of [
        'aws_eks_cluster',
        'aws_eks_addon',
        'aws_eks_pod_identity_association',
        'aws_efs_file_system',
        'aws_efs_mount_target',
        'aws_s3_bucket_public_access_block',
        'aws_sqs_queue',
        'aws_cloudwatch_event_rule',
      ]) {
        expect(Object.keys(json.resource[type] ?? {}).length, `${env} ${type}`).toBeGreaterThan(0);
      }
    }
    const manifest = JSON.parse(await readFile(path.join(root, 'infra/cdktf.out/manifest.json'), 'utf8'));
    expect(Object.keys(manifest.stacks).sort()).toEqual([
      'airspark-dev',
      'airspark-prod',
      'airspark-staging',
    ]);
    // Nothing of the staging directory is left behind.
    expect((await readdir(path.join(root, 'infra'))).sort()).toEqual([
      'cdktf.out',
      'security-allowlist.yaml',
    ]);
  });

  it('with --env synthesizes only that stack and keeps the others, and what terraform init left', async () => {
    const root = await temporaryRepository();
    expect((await synth(root)).code).toBe(0);
    const initialised = path.join(path.dirname(stackFile(root, 'dev')), '.terraform', 'terraform.tfstate');
    await mkdir(path.dirname(initialised), { recursive: true });
    await writeFile(initialised, '{"backend": "s3"}');
    const prodBefore = await readFile(stackFile(root, 'prod'), 'utf8');
    await editFile(path.join(root, 'clusters/dev/environment.yaml'), 'desiredSize: 2', 'desiredSize: 3');
    const result = await synth(root, ['--env', 'dev', '--format', 'json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.out)).toEqual({
      findings: [],
      summary: { environments: ['dev'], errors: 0, warnings: 0, files: 0 },
    });
    expect(await readFile(stackFile(root, 'dev'), 'utf8')).toContain('"desired_size": 3');
    expect(await readFile(stackFile(root, 'prod'), 'utf8')).toBe(prodBefore);
    expect(await readFile(initialised, 'utf8')).toBe('{"backend": "s3"}');
    const manifest = JSON.parse(await readFile(path.join(root, 'infra/cdktf.out/manifest.json'), 'utf8'));
    expect(Object.keys(manifest.stacks)).toHaveLength(3);
  });

  it('reports a broken environment file with file and line, synthesizes the others, exits 1, no stack trace', async () => {
    const root = await temporaryRepository();
    await editFile(
      path.join(root, 'clusters/staging/environment.yaml'),
      'natGateways: single',
      'natGateways: some',
    );
    const result = await synth(root);
    expect(result.code).toBe(1);
    expect(result.out).toMatch(
      /clusters\/staging\/environment\.yaml:\d+:\d+ {2}error .*natGateways.*\[config\/schema\]/,
    );
    expect(result.err).toContain('✗ staging: not synthesized, its environment has errors (below)');
    expect(result.err).toMatch(/✓ dev: airspark-dev/);
    expect(result.err).toMatch(/✓ prod: airspark-prod/);
    expect(result.out + result.err).not.toMatch(/\n\s+at /);
  });

  it('reports YAML that does not parse with its line', async () => {
    const root = await temporaryRepository();
    await editFile(
      path.join(root, 'clusters/dev/environment.yaml'),
      'region: eu-west-1',
      'region: eu-west-1\n\tbad: tab',
    );
    const result = await synth(root, ['--env', 'dev']);
    expect(result.code).toBe(1);
    expect(result.out).toMatch(/clusters\/dev\/environment\.yaml:\d+:\d+ {2}error/);
  });

  it('reports the infrastructure requirements of an environment at their line (public endpoint open to the world)', async () => {
    const root = await temporaryRepository();
    await editFile(
      path.join(root, 'clusters/dev/environment.yaml'),
      'publicAccessCidrs: ["203.0.113.0/24"]',
      'publicAccessCidrs: ["0.0.0.0/0"]',
    );
    const result = await synth(root, ['--env', 'dev']);
    expect(result.code).toBe(1);
    expect(result.out).toMatch(
      /clusters\/dev\/environment\.yaml:\d+:\d+ {2}error {2}0\.0\.0\.0\/0 opens the API endpoint/,
    );
  });

  it('fails with the security findings when the allow-list does not justify an exception', async () => {
    const root = await temporaryRepository();
    await writeFile(path.join(root, 'infra/security-allowlist.yaml'), 'wildcardResources: []\n');
    const result = await synth(root, ['--env', 'prod']);
    expect(result.code).toBe(1);
    expect(result.out).toMatch(
      /infra\/cdktf\.out\/stacks\/airspark-prod\/cdk\.tf\.json:\d+:7 {2}error {2}policy statement "AllowPricingReadActions"/,
    );
    expect(result.out).toContain('[infra/iam-managed-policy]');
  });

  it('reports a broken allow-list at its line', async () => {
    const root = await temporaryRepository();
    await writeFile(
      path.join(root, 'infra/security-allowlist.yaml'),
      'managedPolicies:\n  - policy: AdministratorAccess\n    reason: because\n',
    );
    const result = await synth(root, ['--env', 'dev']);
    expect(result.code).toBe(1);
    expect(result.out).toMatch(/infra\/security-allowlist\.yaml:3:\d+ {2}error .*\[infra\/allowlist\]/);
  });

  it('is a usage error (exit 2) for an unknown environment, format or option', async () => {
    const root = await temporaryRepository();
    expect(await synth(root, ['--env', 'qa'])).toMatchObject({
      code: 2,
      err: expect.stringContaining('infra:synth: no environment "qa"'),
    });
    expect((await synth(root, ['--format', 'xml'])).code).toBe(2);
    expect((await synth(root, ['--frobnicate'])).code).toBe(2);
    expect((await synth(root, ['--help'])).out).toContain('Usage: pnpm infra:synth');
  });
});

describe('the installed entry point (bin/synth.js)', () => {
  it('runs as a separate process: exit code, report on stdout, progress on stderr', async () => {
    const root = await temporaryRepository();
    await editFile(
      path.join(root, 'clusters/prod/environment.yaml'),
      'publicAccess: false',
      'publicAccess: true',
    );
    const result = spawnSync(process.execPath, ['bin/synth.js', '--root', root, '--format', 'json'], {
      cwd: path.resolve(import.meta.dirname, '..'),
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1', INIT_CWD: root },
    });
    expect(result.status).toBe(1);
    const report = JSON.parse(result.stdout);
    expect(report.findings).toEqual([
      expect.objectContaining({
        rule: 'infra/environment',
        file: 'clusters/prod/environment.yaml',
        env: 'prod',
        message: expect.stringContaining('without publicAccessCidrs'),
      }),
    ]);
    expect(result.stderr).toContain('✗ prod: not synthesized');
    expect(result.stderr).toMatch(/synthesized 2 stacks into infra\/cdktf\.out/);
  }, 120_000);
});
