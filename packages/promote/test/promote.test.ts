import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { loadEnvironments } from '@airspark/config';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  applyPinChanges,
  environmentPins,
  type Hydrator,
  PromotionCommitFailed,
  PromotionRefused,
  promote,
  RELEASE_LOG_FILE,
  validatePromotion,
} from '../src/index.js';
import { changedLines, type TempRepo, tempRepo } from './fixtures.js';

const DEV = 'clusters/dev/environment.yaml';
const STAGING = 'clusters/staging/environment.yaml';
const PROD = 'clusters/prod/environment.yaml';

/** A digest of every file under the repository (except .git), to prove that nothing was written. */
async function snapshot(root: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
    const dir = entry.parentPath;
    if (!entry.isFile() || dir.split(path.sep).includes('.git')) continue;
    const file = path.join(dir, entry.name);
    files.set(
      path.relative(root, file),
      createHash('sha256')
        .update(await readFile(file))
        .digest('hex'),
    );
  }
  return files;
}

describe('pnpm promote', () => {
  let repo: TempRepo;
  beforeEach(async () => {
    repo = await tempRepo();
  });
  afterEach(async () => repo.cleanup());

  const bumpDev = async () => {
    await repo.edit(DEV, (t) => t.replace('    chartVersion: 1.22.0', '    chartVersion: 1.22.1'));
    await repo.edit(DEV, (t) => t.replace('tag: 0.9.0-spark3.5.6-r1', 'tag: 0.9.0-spark3.5.6-r2'));
  };

  it("dev → staging after a bump changes exactly staging's pins, records the new tag, and validates", async () => {
    await bumpDev();
    const [devBefore, stagingBefore, prodBefore] = await Promise.all([
      repo.read(DEV),
      repo.read(STAGING),
      repo.read(PROD),
    ]);
    const result = await promote({ root: repo.root, from: 'dev', to: 'staging' });

    expect(result.changes.map((c) => [c.pin.id, c.before, c.after])).toEqual([
      ['components.airflow.chartVersion', '1.22.0', '1.22.1'],
      ['components.livy.image.tag', '0.9.0-spark3.5.6-r1', '0.9.0-spark3.5.6-r2'],
    ]);
    expect(changedLines(stagingBefore, await repo.read(STAGING))).toEqual([
      ['    chartVersion: 1.22.0', '    chartVersion: 1.22.1'],
      ['      tag: 0.9.0-spark3.5.6-r1', '      tag: 0.9.0-spark3.5.6-r2'],
    ]);
    expect(await repo.read(DEV)).toBe(devBefore);
    expect(await repo.read(PROD)).toBe(prodBefore);
    expect(result.recorded).toEqual([{ pin: 'components.livy.image.tag', value: '0.9.0-spark3.5.6-r2' }]);
    expect(await repo.read(RELEASE_LOG_FILE)).toMatch(
      /components\.livy\.image\.tag:\n {4}- 0\.9\.0-spark3\.5\.6-r1\n {4}- 0\.9\.0-spark3\.5\.6-r2\n/,
    );
    expect(result.files.sort()).toEqual([RELEASE_LOG_FILE, STAGING]);

    const loaded = await loadEnvironments(repo.root);
    expect(loaded.findings).toEqual([]);
    const promotion = await validatePromotion(repo.root, ['dev', 'staging', 'prod']);
    expect(promotion.filter((f) => f.severity === 'error')).toEqual([]);
    // prod is now behind staging, which is drift and no error
    expect(promotion.map((f) => [f.rule, f.env])).toEqual([['promotion/drift', 'prod']]);
    // nothing left in the working tree but the two files
    expect(repo.git('status', '--porcelain').split('\n').filter(Boolean).sort()).toEqual([
      ` M ${DEV}`,
      ` M ${RELEASE_LOG_FILE}`,
      ` M ${STAGING}`,
    ]);
  });

  it('leaves non-promotable settings alone even when they differ', async () => {
    await bumpDev();
    await repo.edit(DEV, (t) => t.replace('refreshIntervalSeconds: 120', 'refreshIntervalSeconds: 60'));
    await promote({ root: repo.root, from: 'dev', to: 'staging' });
    const staging = await repo.read(STAGING);
    expect(staging).toContain('refreshIntervalSeconds: 300');
    expect(staging).toContain('accountId: "222222222222"');
    expect(staging).toContain('sparkExecutor: { cpu: 512, memory: 2048Gi }');
  });

  it('dev → prod is refused with the chain and the steps to take, and writes nothing', async () => {
    await bumpDev();
    const before = await snapshot(repo.root);
    const refusal = promote({ root: repo.root, from: 'dev', to: 'prod' });
    await expect(refusal).rejects.toBeInstanceOf(PromotionRefused);
    await expect(refusal).rejects.toThrow(
      'cannot promote dev → prod: prod is promoted from staging, not dev. The chain is dev → staging → prod. Promote one step at a time: `pnpm promote dev staging`, then `pnpm promote staging prod`.',
    );
    expect(await snapshot(repo.root)).toEqual(before);
  });

  it('backwards and self promotion are refused', async () => {
    await expect(promote({ root: repo.root, from: 'prod', to: 'staging' })).rejects.toThrow(
      'that is against the chain (dev → staging → prod)',
    );
    await expect(promote({ root: repo.root, from: 'staging', to: 'staging' })).rejects.toThrow(
      'the same environment',
    );
    await expect(promote({ root: repo.root, from: 'staging', to: 'dev' })).rejects.toThrow(
      'dev is promoted from no environment',
    );
  });

  it('an unknown environment is a usage error naming the known ones', async () => {
    await expect(promote({ root: repo.root, from: 'dev', to: 'stagign' })).rejects.toThrow(
      'no environment "stagign": clusters/stagign does not exist. Known environments: dev, local, prod, staging.',
    );
  });

  it('refuses while an environment has errors, carrying the findings', async () => {
    await repo.edit(DEV, (t) => t.replace('natGateways: single', 'natGateways: several'));
    const refusal = await promote({ root: repo.root, from: 'dev', to: 'staging' }).catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(PromotionRefused);
    expect((refusal as PromotionRefused).message).toContain('while dev has an error');
    expect((refusal as PromotionRefused).findings).toMatchObject([{ rule: 'config/schema', file: DEV }]);
  });

  it('--dry-run reports the same changes and writes nothing', async () => {
    await bumpDev();
    const before = await snapshot(repo.root);
    const result = await promote({ root: repo.root, from: 'dev', to: 'staging', dryRun: true });
    expect(result.dryRun).toBe(true);
    expect(result.changes).toHaveLength(2);
    expect(result.files.sort()).toEqual([RELEASE_LOG_FILE, STAGING]);
    expect(await snapshot(repo.root)).toEqual(before);
  });

  it('nothing to promote is a no-op', async () => {
    const before = await snapshot(repo.root);
    const result = await promote({ root: repo.root, from: 'staging', to: 'prod', branch: true });
    expect(result.changes).toEqual([]);
    expect(result.branch).toBeUndefined();
    expect(await snapshot(repo.root)).toEqual(before);
  });

  it('warns when the promotion leaves the next environment ahead', async () => {
    // staging had a hotfix chart by exception; promoting dev's older chart rolls staging back
    // below prod, which received the hotfix too.
    await repo.edit(STAGING, (t) =>
      t
        .replace('    chartVersion: 1.14.1', '    chartVersion: 1.14.2')
        .replace(
          'promotedFrom: dev\n',
          'promotedFrom: dev\npromotionExceptions:\n  - pin: components.karpenter.chartVersion\n    value: 1.14.2\n    reason: interruption queue fix needed before dev had it\n',
        ),
    );
    await repo.edit(PROD, (t) => t.replace('    chartVersion: 1.14.1', '    chartVersion: 1.14.2'));
    const result = await promote({ root: repo.root, from: 'dev', to: 'staging', dryRun: true });
    expect(result.changes.map((c) => c.pin.id)).toEqual(['components.karpenter.chartVersion']);
    expect(result.consequences.map((f) => [f.rule, f.env])).toEqual([
      ['promotion/stale-exception', 'staging'],
      ['promotion/ahead-of-source', 'prod'],
    ]);
  });

  describe('--branch', () => {
    beforeEach(async () => {
      await bumpDev();
      repo.git('commit', '--quiet', '--all', '-m', 'Bump dev');
    });

    it('creates promote/<from>-to-<to>-<short> with one commit holding exactly the promotion', async () => {
      const head = repo.git('rev-parse', '--short', 'HEAD').trim();
      const result = await promote({ root: repo.root, from: 'dev', to: 'staging', branch: true });
      expect(result.branch?.name).toBe(`promote/dev-to-staging-${head}`);
      expect(repo.git('branch', '--show-current').trim()).toBe(`promote/dev-to-staging-${head}`);
      expect(repo.git('status', '--porcelain')).toBe('');
      expect(repo.git('rev-parse', 'HEAD~1').trim()).toBe(repo.git('rev-parse', 'main').trim());
      expect(repo.git('diff', '--name-only', 'HEAD~1', 'HEAD').trim().split('\n').sort()).toEqual([
        RELEASE_LOG_FILE,
        STAGING,
      ]);
      expect(repo.git('log', '-1', '--format=%B')).toBe(
        [
          'Promote dev → staging: 2 pins',
          '',
          'Copies the promotable pins of clusters/dev/environment.yaml that differ to clusters/staging/environment.yaml:',
          '- components.airflow.chartVersion: 1.22.0 → 1.22.1',
          '- components.livy.image.tag: 0.9.0-spark3.5.6-r1 → 0.9.0-spark3.5.6-r2',
          '',
          'Recorded in clusters/releases.yaml:',
          '- components.livy.image.tag: 0.9.0-spark3.5.6-r2',
          '',
          `Made by \`pnpm promote dev staging --branch\` at ${head}.`,
          '',
          '',
        ].join('\n'),
      );
    });

    it('is refused on a dirty tree, naming the files, before anything changes', async () => {
      await repo.write('clusters/dev/values/notes.yaml', 'a: 1\n');
      const before = await snapshot(repo.root);
      await expect(promote({ root: repo.root, from: 'dev', to: 'staging', branch: true })).rejects.toThrow(
        'the working tree has uncommitted changes (clusters/dev/values/notes.yaml). Commit or stash them first, or run without --branch.',
      );
      expect(await snapshot(repo.root)).toEqual(before);
      expect(repo.git('branch', '--show-current').trim()).toBe('main');
    });

    it('when the commit itself fails (a hook refuses it), says where the staged promotion is and how to undo it', async () => {
      const { chmod, writeFile: write } = await import('node:fs/promises');
      const hook = path.join(repo.root, '.git/hooks/pre-commit');
      await write(hook, '#!/bin/sh\necho "policy says no" >&2\nexit 1\n');
      await chmod(hook, 0o755);
      const head = repo.git('rev-parse', '--short', 'HEAD').trim();
      const failure = await promote({ root: repo.root, from: 'dev', to: 'staging', branch: true }).catch(
        (e: unknown) => e,
      );
      expect(failure).toBeInstanceOf(PromotionCommitFailed);
      expect((failure as Error).message).toContain(`staged on the new branch promote/dev-to-staging-${head}`);
      expect((failure as Error).message).toContain('policy says no');
      expect(repo.git('status', '--porcelain').split('\n').filter(Boolean).sort()).toEqual([
        `M  ${RELEASE_LOG_FILE}`,
        `M  ${STAGING}`,
      ]);
    });

    it('is refused when the branch exists already', async () => {
      const head = repo.git('rev-parse', '--short', 'HEAD').trim();
      repo.git('branch', `promote/dev-to-staging-${head}`);
      await expect(promote({ root: repo.root, from: 'dev', to: 'staging', branch: true })).rejects.toThrow(
        `branch promote/dev-to-staging-${head} already exists`,
      );
      expect(repo.git('status', '--porcelain')).toBe('');
    });
  });

  describe('re-hydration (a stand-in hydrator: the real one is @airspark/render, wired in the CLI)', () => {
    const hydrator: Hydrator = async ({ environment }) => ({
      files: [
        {
          file: `clusters/${environment.name}/apps/airflow.yaml`,
          content: `# generated\nchart: ${environment.environment.components.airflow.chartVersion}\n`,
        },
        { file: `clusters/${environment.name}/apps/unchanged.yaml`, content: 'same\n' },
      ],
      findings: [],
    });

    it('writes the hydrated files that change, and lists them', async () => {
      await repo.write('clusters/staging/apps/unchanged.yaml', 'same\n');
      await bumpDev();
      const result = await promote({ root: repo.root, from: 'dev', to: 'staging', hydrate: hydrator });
      expect(result.hydrated).toEqual(['clusters/staging/apps/airflow.yaml']);
      expect(await repo.read('clusters/staging/apps/airflow.yaml')).toBe('# generated\nchart: 1.22.1\n');
    });

    it('in a dry run, lists them without writing', async () => {
      await bumpDev();
      const before = await snapshot(repo.root);
      const result = await promote({
        root: repo.root,
        from: 'dev',
        to: 'staging',
        hydrate: hydrator,
        dryRun: true,
      });
      expect(result.hydrated).toEqual([
        'clusters/staging/apps/airflow.yaml',
        'clusters/staging/apps/unchanged.yaml',
      ]);
      expect(await snapshot(repo.root)).toEqual(before);
    });
  });
});

describe('the lossless edit of environment.yaml', () => {
  const pins = environmentPins();
  const pin = (id: string) => pins.find((p) => p.id === id) as (typeof pins)[number];

  it('keeps comments, flow style and quoting, and quotes values YAML would misread', () => {
    const text = [
      '# head comment',
      'spark:',
      '  jobImage: { repository: r, tag: "4.0.4" } # inline flow map',
      'components:',
      '  airflow:',
      '    imageTag: 3.3.2 # the Airflow version',
      '',
    ].join('\n');
    const out = applyPinChanges(text, 'x.yaml', [
      { pin: pin('spark.jobImage.tag'), before: '4.0.4', after: '4.1' },
      { pin: pin('components.airflow.imageTag'), before: '3.3.2', after: '3.4' },
    ]);
    expect(out).toBe(
      [
        '# head comment',
        'spark:',
        '  jobImage: { repository: r, tag: "4.1" } # inline flow map',
        'components:',
        '  airflow:',
        '    imageTag: "3.4" # the Airflow version',
        '',
      ].join('\n'),
    );
  });

  it('refuses to invent the place of a pin the target lacks', () => {
    expect(() =>
      applyPinChanges('dags: {}\n', 'clusters/x/environment.yaml', [
        { pin: pin('dags.revision'), before: undefined, after: 'v1.0.0' },
      ]),
    ).toThrow('clusters/x/environment.yaml has no dags.revision, so promote cannot set it');
  });
});
