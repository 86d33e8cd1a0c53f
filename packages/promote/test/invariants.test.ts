import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RELEASE_LOG_FILE, validatePromotion } from '../src/index.js';
import { lineOf, repoRoot, type TempRepo, tempRepo } from './fixtures.js';

const STAGING = 'clusters/staging/environment.yaml';
const DEV = 'clusters/dev/environment.yaml';
const PROD = 'clusters/prod/environment.yaml';
const all = ['dev', 'staging', 'prod'];

describe('promotion invariants of the repository', () => {
  it('hold: no environment is ahead of its source and all pins are level', async () => {
    expect(await validatePromotion(repoRoot, all)).toEqual([]);
  });
});

describe('promotion invariants of a broken copy', () => {
  let repo: TempRepo;
  beforeEach(async () => {
    repo = await tempRepo({ git: false });
  });
  afterEach(async () => repo.cleanup());

  const errors = async (envs = all) =>
    (await validatePromotion(repo.root, envs)).filter((f) => f.severity === 'error');

  it('a staging chart version ahead of dev fails with the rule name at the pin', async () => {
    await repo.edit(STAGING, (t) => t.replace('    chartVersion: 2.5.2', '    chartVersion: 2.6.0'));
    const findings = await errors();
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      rule: 'promotion/ahead-of-source',
      file: STAGING,
      line: lineOf(await repo.read(STAGING), 'chartVersion: 2.6.0'),
      column: 19,
      env: 'staging',
    });
    expect(findings[0]?.message).toContain(
      'components.sparkOperator.chartVersion is "2.6.0" in staging, a higher version than "2.5.2" in dev',
    );
    expect(findings[0]?.message).toContain('pnpm promote dev staging');
  });

  it('prod ahead of staging fails too, and is reported for prod only', async () => {
    await repo.edit(PROD, (t) => t.replace('    chartVersion: 1.14.1', '    chartVersion: 1.15.0'));
    const findings = await errors();
    expect(findings.map((f) => [f.rule, f.env])).toEqual([['promotion/ahead-of-source', 'prod']]);
    expect(await errors(['dev', 'staging'])).toEqual([]);
  });

  it('an image tag that never went through dev fails as unreleased', async () => {
    await repo.edit(STAGING, (t) => t.replace('tag: 0.9.0-spark3.5.6-r1', 'tag: 0.9.0-spark3.5.6-hotfix'));
    const [finding, ...rest] = await errors();
    expect(rest).toEqual([]);
    expect(finding?.rule).toBe('promotion/ahead-of-source');
    expect(finding?.message).toContain('a value never released through dev');
  });

  it('a tag recorded after dev\u2019s (dev rolled back) fails as ahead', async () => {
    await repo.write(
      RELEASE_LOG_FILE,
      'apiVersion: airspark.dev/v1alpha1\nkind: ReleaseLog\nreleases:\n  spark.jobImage.tag: [4.0.4-r1, 4.0.4-r2]\n',
    );
    await repo.edit(STAGING, (t) => t.replace('tag: 4.0.4-r1', 'tag: 4.0.4-r2'));
    await repo.edit(PROD, (t) => t.replace('tag: 4.0.4-r1', 'tag: 4.0.4-r2'));
    const findings = await errors();
    expect(findings.map((f) => [f.rule, f.env])).toEqual([['promotion/ahead-of-source', 'staging']]);
    expect(findings[0]?.message).toContain('recorded in clusters/releases.yaml after "4.0.4-r1"');
  });

  it('dev moving on is drift, a warning that lists the pins and the command', async () => {
    await repo.edit(DEV, (t) => t.replace('    chartVersion: 1.22.0', '    chartVersion: 1.22.1'));
    await repo.edit(DEV, (t) => t.replace('tag: 4.0.4-r1', 'tag: 4.0.4-r2'));
    const findings = await validatePromotion(repo.root, all);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      severity: 'warning',
      rule: 'promotion/drift',
      file: STAGING,
      line: lineOf(await repo.read(STAGING), 'promotedFrom: dev'),
      env: 'staging',
    });
    expect(findings[0]?.message).toBe(
      'staging differs from dev on 2 pins: components.airflow.chartVersion 1.22.0 → 1.22.1 (behind); spark.jobImage.tag 4.0.4-r1 → 4.0.4-r2 (behind). `pnpm promote dev staging` brings them level.',
    );
  });

  describe('exceptions', () => {
    const withException = (
      pin: string,
      value: string,
      reason = 'CVE-2026-0001 hotfix shipped to staging first',
    ) =>
      repo.edit(STAGING, (t) =>
        t.replace(
          'promotedFrom: dev\n',
          `promotedFrom: dev\npromotionExceptions:\n  - pin: ${pin}\n    value: "${value}"\n    reason: ${reason}\n`,
        ),
      );

    it('an exception naming the pin and its exact value allows it, and drift shows the reason', async () => {
      await repo.edit(STAGING, (t) => t.replace('    chartVersion: 2.5.2', '    chartVersion: 2.6.0'));
      await withException('components.sparkOperator.chartVersion', '2.6.0');
      const findings = await validatePromotion(repo.root, all);
      expect(findings.filter((f) => f.severity === 'error')).toEqual([]);
      expect(findings.find((f) => f.rule === 'promotion/drift' && f.env === 'staging')?.message).toContain(
        'components.sparkOperator.chartVersion 2.6.0 → 2.5.2 (ahead by exception: CVE-2026-0001 hotfix shipped to staging first)',
      );
    });

    it('an exception for another value does not apply, and says it is stale', async () => {
      await repo.edit(STAGING, (t) => t.replace('    chartVersion: 2.5.2', '    chartVersion: 2.6.1'));
      await withException('components.sparkOperator.chartVersion', '2.6.0');
      const findings = await validatePromotion(repo.root, all);
      expect(findings.map((f) => `${f.severity} ${f.rule}`).sort()).toEqual([
        'error promotion/ahead-of-source',
        'warning promotion/drift', // staging vs dev
        'warning promotion/drift', // prod vs staging
        'warning promotion/stale-exception',
      ]);
      const stale = findings.find((f) => f.rule === 'promotion/stale-exception');
      expect(stale?.message).toContain('names "2.6.0" but staging now has "2.6.1"');
      expect(stale?.line).toBe(lineOf(await repo.read(STAGING), 'value: "2.6.0"'));
    });

    it('an exception that is no longer needed is a warning', async () => {
      await withException('components.sparkOperator.chartVersion', '2.5.2');
      const findings = await validatePromotion(repo.root, all);
      expect(findings).toMatchObject([{ severity: 'warning', rule: 'promotion/stale-exception' }]);
      expect(findings[0]?.message).toContain('is not needed');
    });

    it('an exception for something that is not a pin is an error with the closest pin', async () => {
      await withException('components.sparkOperator.chartVerison', '2.5.2');
      const findings = await errors();
      expect(findings).toMatchObject([
        { rule: 'promotion/exception', line: lineOf(await repo.read(STAGING), 'chartVerison') },
      ]);
      expect(findings[0]?.message).toContain('Did you mean "components.sparkOperator.chartVersion"?');
    });

    it('an exception without a reason is a schema error of the environment', async () => {
      const { loadEnvironments } = await import('@airspark/config');
      await withException('dags.revision', 'v0.1.0', '""');
      const { findings } = await loadEnvironments(repo.root, ['staging']);
      expect(findings).toMatchObject([{ rule: 'config/schema', file: STAGING }]);
      expect(findings[0]?.message).toContain('reason');
    });

    it('an exception in the first environment of the chain is an error', async () => {
      await repo.edit(DEV, (t) =>
        t.replace(
          'name: dev\n',
          'name: dev\npromotionExceptions:\n  - pin: dags.revision\n    value: v0.1.0\n    reason: nothing to be ahead of\n',
        ),
      );
      const findings = await errors();
      expect(findings).toMatchObject([{ rule: 'promotion/exception', env: 'dev', file: DEV }]);
    });
  });
});
