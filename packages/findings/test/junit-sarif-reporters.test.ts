import { describe, expect, it } from 'vitest';
import { type Finding, formatJunit, formatSarif, type Report, summarize } from '../src/index.js';

const findings: Finding[] = [
  {
    severity: 'error',
    rule: 'policy/pinned-image',
    message: 'container "livy" uses image "livy:latest" & <friends>',
    file: 'apps/livy/values.yaml',
    line: 12,
    column: 7,
    env: 'dev',
    app: 'livy',
    resource: 'Deployment/livy/livy',
  },
  {
    severity: 'warning',
    rule: 'api/removed-next-minor',
    message: 'goes away in 1.36',
    file: 'apps/x/cm.yaml',
    line: 0,
    column: 0,
    env: 'dev',
  },
];
const report = (list: Finding[]): Report => ({ findings: list, summary: summarize(list, ['dev']) });

describe('JUnit reporter', () => {
  it('writes one failing case per error and keeps warnings as output, escaping XML', () => {
    const xml = formatJunit(report(findings));
    expect(xml).toMatch(/^<\?xml/);
    expect(xml).toContain('<testsuite name="apps/livy/values.yaml"');
    expect(xml).toContain('classname="policy/pinned-image"');
    expect(xml).toContain('&amp; &lt;friends>');
    expect((xml.match(/<failure/g) ?? []).length).toBe(1);
    expect(xml).toContain('warning: goes away in 1.36');
  });
  it('shows a passing case per environment when nothing failed', () => {
    const xml = formatJunit(report([]));
    expect(xml).toContain('name="environment dev"');
    expect(xml).not.toContain('<failure');
  });
});

describe('SARIF reporter', () => {
  it('writes SARIF 2.1.0 with rules, levels and repository-relative locations', () => {
    const sarif = JSON.parse(
      formatSarif(report(findings), {
        rules: [{ id: 'policy/pinned-image', summary: 'pin images', helpUri: 'https://example.test/rules' }],
      }),
    );
    expect(sarif.version).toBe('2.1.0');
    const [run] = sarif.runs;
    expect(run.tool.driver.rules.map((r: { id: string }) => r.id)).toEqual([
      'api/removed-next-minor',
      'policy/pinned-image',
    ]);
    const error = run.results.find((r: { ruleId: string }) => r.ruleId === 'policy/pinned-image');
    const warning = run.results.find((r: { ruleId: string }) => r.ruleId !== 'policy/pinned-image');
    expect(error).toMatchObject({ level: 'error', ruleId: 'policy/pinned-image' });
    expect(error.locations[0].physicalLocation.artifactLocation.uri).toBe('apps/livy/values.yaml');
    expect(error.locations[0].physicalLocation.region).toMatchObject({ startLine: 12, startColumn: 7 });
    expect(warning.level).toBe('warning');
    expect(warning.locations[0].physicalLocation.region).toBeUndefined();
  });
});
