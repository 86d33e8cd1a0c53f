import { describe, expect, it } from 'vitest';
import {
  appendReleases,
  emptyReleaseLog,
  environmentPins,
  type PromotablePin,
  parseReleaseLog,
  promotablePins,
  standingOf,
} from '../src/index.js';

describe('promotable pins', () => {
  it('are derived from the environment schema annotations, charts by semantic version, the rest by record', () => {
    const pins = environmentPins().map((p) => `${p.id}:${p.order}`);
    expect(pins).toEqual([
      'gitops.argocd.chartVersion:semver',
      'components.airflow.chartVersion:semver',
      'components.airflow.imageTag:recorded',
      'components.airflow.image.tag:recorded',
      'components.sparkOperator.chartVersion:semver',
      'components.livy.chartVersion:semver',
      'components.livy.image.tag:recorded',
      'components.karpenter.chartVersion:semver',
      'components.externalSecrets.chartVersion:semver',
      'components.awsLoadBalancerController.chartVersion:semver',
      'components.sparkHistoryServer.chartVersion:semver',
      'spark.jobImage.tag:recorded',
      'dags.revision:recorded',
      'karpenter.amiAlias:recorded',
    ]);
  });

  it('follow the schema: a newly annotated setting becomes a pin without any list to edit', () => {
    const schema = {
      properties: {
        a: {
          properties: {
            version: { type: 'string', 'x-airspark-promotable': true, 'x-airspark-order': 'semver' },
          },
        },
        b: { type: 'string', 'x-airspark-promotable': true },
        c: { type: 'integer' },
      },
    };
    expect(promotablePins(schema)).toEqual([
      { id: 'a.version', path: ['a', 'version'], order: 'semver' },
      { id: 'b', path: ['b'], order: 'recorded' },
    ]);
  });

  it('refuse a pin inside a list, an unknown order, and an order on a setting that is not promotable', () => {
    const inList = {
      properties: {
        teams: { type: 'array', items: { properties: { tag: { 'x-airspark-promotable': true } } } },
      },
    };
    expect(() => promotablePins(inList)).toThrow('teams is a list with promotable pins inside');
    const badOrder = {
      properties: { x: { 'x-airspark-promotable': true, 'x-airspark-order': 'alphabetical' } },
    };
    expect(() => promotablePins(badOrder)).toThrow('x has x-airspark-order "alphabetical"');
    const stray = { properties: { x: { 'x-airspark-order': 'semver' } } };
    expect(() => promotablePins(stray)).toThrow('x has x-airspark-order but is not x-airspark-promotable');
  });
});

const chart: PromotablePin = { id: 'components.airflow.chartVersion', path: [], order: 'semver' };
const tag: PromotablePin = { id: 'components.livy.image.tag', path: [], order: 'recorded' };

describe('standing of a value against its source', () => {
  const none = { log: emptyReleaseLog, headValue: undefined };

  it('orders chart versions semantically, pre-releases before their release', () => {
    expect(standingOf(chart, '1.22.0', '1.22.0', none)).toBe('same');
    expect(standingOf(chart, '1.22.0', '1.22.1', none)).toBe('behind');
    expect(standingOf(chart, '1.10.0', '1.9.0', none)).toBe('ahead'); // not string order
    expect(standingOf(chart, '2.0.0-rc.1', '2.0.0', none)).toBe('behind');
    expect(standingOf(chart, '1.0.0+build.2', '1.0.0+build.1', none)).toBe('incomparable');
  });

  it('orders image tags by the release log, whatever their names say', () => {
    const { log } = parseReleaseLog(
      'apiVersion: airspark.dev/v1alpha1\nkind: ReleaseLog\nreleases:\n  components.livy.image.tag: [r10, r9, r11]\n',
      environmentPins(),
    );
    const context = { log, headValue: 'r11' };
    expect(standingOf(tag, 'r9', 'r10', context)).toBe('ahead');
    expect(standingOf(tag, 'r10', 'r9', context)).toBe('behind');
    expect(standingOf(tag, 'r12', 'r11', context)).toBe('unreleased');
    expect(standingOf(tag, 'r11', 'r12', context)).toBe('incomparable');
  });

  it("counts the chain head's current value as the newest release before it is recorded", () => {
    const context = { log: emptyReleaseLog, headValue: 'r2' };
    const recorded = parseReleaseLog(
      'apiVersion: airspark.dev/v1alpha1\nkind: ReleaseLog\nreleases:\n  components.livy.image.tag: [r1]\n',
      environmentPins(),
    ).log;
    expect(standingOf(tag, 'r1', 'r2', { ...context, log: recorded })).toBe('behind');
    expect(standingOf(tag, 'r2', 'r1', { ...context, log: recorded })).toBe('ahead');
    expect(standingOf(tag, 'r3', 'r2', context)).toBe('unreleased');
  });
});

describe('the release log', () => {
  const pins = environmentPins();

  it('names file and line for a pin that is not ordered by release, with the closest one', () => {
    const text =
      'apiVersion: airspark.dev/v1alpha1\nkind: ReleaseLog\nreleases:\n  components.livy.image.tga: [r1]\n  components.airflow.chartVersion: [1.0.0]\n';
    const { findings } = parseReleaseLog(text, pins);
    expect(findings).toMatchObject([
      {
        severity: 'error',
        rule: 'promotion/release-log',
        file: 'clusters/releases.yaml',
        line: 4,
        column: 3,
      },
      { severity: 'warning', rule: 'promotion/release-log', line: 5 },
    ]);
    expect(findings[0]?.message).toContain('Did you mean "components.livy.image.tag"?');
    expect(findings[1]?.message).toContain('ordered by semantic version');
  });

  it('refuses a value listed twice, at the line of the second', () => {
    const text =
      'apiVersion: airspark.dev/v1alpha1\nkind: ReleaseLog\nreleases:\n  dags.revision:\n    - v0.1.0\n    - v0.2.0\n    - v0.1.0\n';
    const { findings } = parseReleaseLog(text, pins);
    expect(findings).toMatchObject([{ rule: 'promotion/release-log', line: 7, column: 7 }]);
    expect(findings[0]?.message).toContain('"v0.1.0" is listed twice under dags.revision');
  });

  it('refuses a value YAML reads as a number, saying where', () => {
    const text =
      'apiVersion: airspark.dev/v1alpha1\nkind: ReleaseLog\nreleases:\n  spark.jobImage.tag:\n    - 4.1\n';
    const { findings } = parseReleaseLog(text, pins);
    expect(findings).toMatchObject([{ rule: 'promotion/release-log', line: 5, column: 7 }]);
    expect(findings[0]?.message).toContain('must be of type string, not 4.1');
  });

  it('appends at the end of each list and keeps comments', () => {
    const start = appendReleases(undefined, [{ pin: 'dags.revision', value: 'v0.1.0' }]);
    expect(start).toContain('# The release log');
    const text = start.replace('    - v0.1.0', '    - v0.1.0 # first release');
    const next = appendReleases(text, [
      { pin: 'dags.revision', value: 'v0.2.0' },
      { pin: 'spark.jobImage.tag', value: '4.1' },
    ]);
    expect(next).toContain('# first release');
    const { log, findings } = parseReleaseLog(next, pins);
    expect(findings).toEqual([]);
    expect(log.releases.get('dags.revision')).toEqual(['v0.1.0', 'v0.2.0']);
    expect(log.releases.get('spark.jobImage.tag')).toEqual(['4.1']);
  });
});

describe('docs/promotion.md', () => {
  it('lists exactly the promotable pins of the schema, with their order', async () => {
    const { readFile } = await import('node:fs/promises');
    const { repoRoot } = await import('./fixtures.js');
    const doc = await readFile(`${repoRoot}/docs/promotion.md`, 'utf8');
    const table = /<!-- pins:start -->\n([\s\S]*?)<!-- pins:end -->/.exec(doc)?.[1] ?? '';
    const rows = [...table.matchAll(/^\| `([^`]+)` +\| (semantic version|release log) +\|$/gm)].map(
      (m) => `${m[1]}:${m[2] === 'semantic version' ? 'semver' : 'recorded'}`,
    );
    expect(rows).toEqual(environmentPins().map((p) => `${p.id}:${p.order}`));
  });
});
