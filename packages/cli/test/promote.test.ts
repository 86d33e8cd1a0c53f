import { chmod, writeFile } from 'node:fs/promises';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { gitEnv, repoCopy, run } from './repo-copy.js';

const DEV = 'clusters/dev/environment.yaml';
const STAGING = 'clusters/staging/environment.yaml';

beforeAll(() => {
  // promote --branch commits through the real git, which reads the process environment
  Object.assign(process.env, gitEnv);
});

describe('airspark promote', () => {
  let repo: Awaited<ReturnType<typeof repoCopy>>;
  beforeEach(async () => {
    repo = await repoCopy();
    // A chart bump in dev, re-hydrated as the user would (render --hydrate-only), not yet committed.
    await repo.edit(DEV, (t) => t.replace('    chartVersion: 2.5.2', '    chartVersion: 2.5.3'));
    expect((await run(['render', '--hydrate-only', '--env', 'dev'], repo.root)).code).toBe(0);
  });
  afterEach(async () => repo.cleanup());

  it('promotes dev → staging, prints pin paths old → new, and validate passes after', async () => {
    const { code, stdout, stderr } = await run(['promote', 'dev', 'staging'], repo.root);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toBe(
      [
        'Promoted dev → staging:',
        '',
        '  components.sparkOperator.chartVersion  2.5.2 → 2.5.3',
        '',
        '  wrote clusters/staging/environment.yaml',
        '  wrote clusters/staging/apps/spark-operator.yaml (re-hydrated)',
        '',
        'Next: review with `pnpm diff --base HEAD`, commit, and open a pull request (or use --branch).',
        '',
      ].join('\n'),
    );
    expect(await repo.read(STAGING)).toContain('    chartVersion: 2.5.3');
    const validate = await run(['validate', '--format', 'json'], repo.root);
    const report = JSON.parse(validate.stdout) as {
      findings: { rule: string; env: string; severity: string }[];
    };
    expect(validate.code).toBe(0);
    // prod is now behind staging: drift, a warning (other warnings, e.g. infrastructure hand-offs not
    // deployed yet, are not promotion's)
    expect(
      report.findings.filter((f) => f.rule.startsWith('promotion/')).map((f) => [f.severity, f.rule, f.env]),
    ).toEqual([['warning', 'promotion/drift', 'prod']]);
    expect(report.findings.filter((f) => f.severity === 'error')).toEqual([]);
  });

  it("warns when dev was bumped without re-hydrating it, and still writes only staging's files", async () => {
    repo.git('add', '--all');
    repo.git('commit', '--quiet', '-m', 'spark operator bump in dev');
    await repo.edit(DEV, (t) => t.replace('    chartVersion: 1.14.1', '    chartVersion: 1.14.2')); // no render
    const { code, stdout } = await run(['promote', 'dev', 'staging'], repo.root, { NO_COLOR: '1' });
    expect(code).toBe(0);
    expect(stdout).toContain(
      "warning dev: dev's hydrated Applications do not match its environment.yaml (clusters/dev/apps/karpenter.yaml); run `pnpm render --env dev --hydrate-only`",
    );
    expect(repo.git('status', '--porcelain').split('\n').filter(Boolean).sort()).toEqual([
      ` M ${DEV}`,
      ' M clusters/staging/apps/karpenter.yaml',
      ' M clusters/staging/apps/spark-operator.yaml',
      ` M ${STAGING}`,
    ]);
  });

  it('refuses dev → prod with exit 2 and the chain', async () => {
    const { code, stdout, stderr } = await run(['promote', 'dev', 'prod'], repo.root);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe(
      'airspark promote: cannot promote dev → prod: prod is promoted from staging, not dev. The chain is dev → staging → prod. Promote one step at a time: `pnpm promote dev staging`, then `pnpm promote staging prod`.\n',
    );
  });

  it('--dry-run says so and leaves the tree clean', async () => {
    repo.git('commit', '--quiet', '--all', '-m', 'bump');
    const { code, stdout } = await run(['promote', 'dev', 'staging', '--dry-run'], repo.root);
    expect(code).toBe(0);
    expect(stdout).toContain('Would promote dev → staging:');
    expect(stdout).toContain('  would write clusters/staging/environment.yaml');
    expect(stdout).toContain('Dry run: nothing was written.');
    expect(repo.git('status', '--porcelain')).toBe('');
  });

  it('--branch commits on a new branch; on a dirty tree it exits 2', async () => {
    const dirty = await run(['promote', 'dev', 'staging', '--branch'], repo.root);
    expect(dirty.code).toBe(2);
    expect(dirty.stderr).toContain(
      `the working tree has uncommitted changes (clusters/dev/apps/spark-operator.yaml, ${DEV})`,
    );

    repo.git('commit', '--quiet', '--all', '-m', 'bump');
    const { code, stdout } = await run(
      ['promote', 'dev', 'staging', '--branch', '--format', 'json'],
      repo.root,
    );
    expect(code).toBe(0);
    const result = JSON.parse(stdout) as { branch: { name: string }; changes: unknown[] };
    expect(result.changes).toEqual([
      { pin: 'components.sparkOperator.chartVersion', before: '2.5.2', after: '2.5.3' },
    ]);
    expect(result.branch.name).toMatch(/^promote\/dev-to-staging-[0-9a-f]{7,}$/);
    expect(repo.git('log', '-1', '--format=%s')).toBe(
      'Promote dev → staging: components.sparkOperator.chartVersion 2.5.3\n',
    );
  });

  it('--branch whose commit a hook refuses exits 1 and says how to finish or undo it', async () => {
    repo.git('commit', '--quiet', '--all', '-m', 'bump');
    const hook = `${repo.root}/.git/hooks/pre-commit`;
    await writeFile(hook, '#!/bin/sh\nexit 1\n');
    await chmod(hook, 0o755);
    const { code, stderr } = await run(['promote', 'dev', 'staging', '--branch'], repo.root);
    expect(code).toBe(1);
    expect(stderr).toMatch(
      /^airspark promote: the promotion is written and staged on the new branch promote\/dev-to-staging-/,
    );
    expect(stderr).toContain('git reset --hard && git switch - && git branch -D promote/dev-to-staging-');
  });

  it('nothing to promote is exit 0 with a plain sentence', async () => {
    const { code, stdout } = await run(['promote', 'staging', 'prod'], repo.root);
    expect(code).toBe(0);
    expect(stdout).toBe('prod already has every promotable pin of staging; nothing to promote.\n');
  });

  it('usage mistakes exit 2 without a stack trace', async () => {
    for (const argv of [
      ['promote', 'dev'],
      ['promote', 'dev', 'staging', 'prod'],
      ['promote', 'dev', 'staging', '--format', 'xml'],
      ['promote', '--bogus'],
    ]) {
      const { code, stderr } = await run(argv, repo.root);
      expect(code, argv.join(' ')).toBe(2);
      expect(stderr).toMatch(/^airspark promote: /);
      expect(stderr).not.toContain('    at ');
    }
  });

  it('refusal because of a broken environment lists its findings with file and line', async () => {
    await repo.edit(DEV, (t) => t.replace('natGateways: single', 'natGateways: several'));
    const { code, stderr } = await run(['promote', 'dev', 'staging'], repo.root);
    expect(code).toBe(2);
    expect(stderr).toMatch(
      /clusters\/dev\/environment\.yaml:\d+:\d+ {2}error {2}network\.natGateways must be one of/,
    );
    expect(stderr).toContain('cannot promote dev → staging while dev has an error');
  });
});

describe('airspark validate with promotion invariants', () => {
  it('fails when a staging pin is ahead of dev, naming the rule', async () => {
    const repo = await repoCopy();
    try {
      await repo.edit(STAGING, (t) => t.replace('tag: 4.0.4-r1', 'tag: 4.0.4-r9'));
      const { code, stdout } = await run(['validate'], repo.root, { NO_COLOR: '1' });
      expect(code).toBe(1);
      expect(stdout).toMatch(
        /clusters\/staging\/environment\.yaml:\d+:10 {2}error {2}spark\.jobImage\.tag is "4\.0\.4-r9" in staging/,
      );
      expect(stdout).toContain('[promotion/ahead-of-source]');

      // SARIF for code scanning: the rule is described and the result points at the pin's line.
      const sarif = JSON.parse((await run(['validate', '--format', 'sarif'], repo.root)).stdout) as {
        runs: {
          tool: { driver: { rules: { id: string; helpUri?: string }[] } };
          results: {
            ruleId: string;
            locations: { physicalLocation: { artifactLocation: { uri: string } } }[];
          }[];
        }[];
      };
      const [sarifRun] = sarif.runs;
      expect(
        sarifRun?.tool.driver.rules.find((r) => r.id === 'promotion/ahead-of-source')?.helpUri,
      ).toContain('docs/promotion.md');
      const result = sarifRun?.results.find((r) => r.ruleId === 'promotion/ahead-of-source');
      expect(result?.locations[0]?.physicalLocation.artifactLocation.uri).toBe(STAGING);
    } finally {
      await repo.cleanup();
    }
  });
});
