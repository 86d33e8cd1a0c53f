import { describe, expect, it } from 'vitest';
import { exitCodeFor, type Finding, formatJson, formatText, sortFindings, summarize } from '../src/index.js';

const f = (over: Partial<Finding>): Finding => ({
  severity: 'error',
  rule: 'config/schema',
  message: 'bad',
  file: 'clusters/dev/environment.yaml',
  line: 3,
  column: 1,
  ...over,
});

describe('findings', () => {
  const findings = [
    f({ file: 'b.yaml', line: 2, severity: 'warning', rule: 'w' }),
    f({ file: 'a.yaml', line: 9 }),
    f({ file: 'a.yaml', line: 1, env: 'dev', app: 'livy', resource: 'Deployment/livy/livy' }),
  ];

  it('sort by file and position so that output is stable', () => {
    expect(sortFindings(findings).map((x) => `${x.file}:${x.line}`)).toEqual([
      'a.yaml:1',
      'a.yaml:9',
      'b.yaml:2',
    ]);
  });

  it('exit 1 only for errors', () => {
    expect(exitCodeFor(findings)).toBe(1);
    expect(exitCodeFor([f({ severity: 'warning' })])).toBe(0);
    expect(exitCodeFor([])).toBe(0);
  });

  it('summarize counts errors, warnings and files', () => {
    expect(summarize(findings, ['dev'])).toEqual({ environments: ['dev'], errors: 2, warnings: 1, files: 2 });
  });

  it('text groups findings under their file, with context and a summary line', () => {
    const text = formatText({ findings, summary: summarize(findings, ['dev', 'prod']) }, { color: false });
    expect(text).toBe(
      [
        'a.yaml',
        '  a.yaml:1:1  error  bad  [config/schema]',
        '      env dev, app livy, Deployment/livy/livy',
        '  a.yaml:9:1  error  bad  [config/schema]',
        '',
        'b.yaml',
        '  b.yaml:2:1  warning  bad  [w]',
        '',
        '✖ 2 errors, 1 warning in 2 environments (dev, prod)',
        '',
      ].join('\n'),
    );
  });

  it('a finding about a whole file shows no line', () => {
    const text = formatText(
      { findings: [f({ line: 0, column: 0 })], summary: summarize([], ['dev']) },
      { color: false },
    );
    expect(text).toContain('  clusters/dev/environment.yaml  error');
  });

  it('warnings alone leave the environments valid, and the summary says how many', () => {
    const warnings = [f({ severity: 'warning' })];
    const text = formatText({ findings: warnings, summary: summarize(warnings, ['dev']) }, { color: false });
    expect(text.trim().split('\n').at(-1)).toBe('✔ 1 environment valid (dev), 1 warning');
  });

  it('text says so when all is clean, and colours only when told to', () => {
    const report = { findings: [], summary: summarize([], ['dev']) };
    expect(formatText(report, { color: false })).toBe('✔ 1 environment valid (dev)\n');
    expect(formatText(report, { color: true })).toContain('\u001b[32m');
  });

  it('json is parseable and sorted', () => {
    const parsed = JSON.parse(formatJson({ findings, summary: summarize(findings, ['dev']) }));
    expect(parsed.findings.map((x: Finding) => x.line)).toEqual([1, 9, 2]);
    expect(parsed.summary.errors).toBe(2);
  });

  it('a clean report with parts not checked does not claim the environments valid', () => {
    const report = { findings: [], summary: summarize([], ['dev']) };
    expect(formatText(report, { color: false })).toContain('✔ 1 environment valid (dev)');
    const partial = formatText(report, { color: false, notChecked: ['airflow: chart not cached (dev)'] });
    expect(partial).not.toContain('valid (dev)');
    expect(partial).toContain('✔ no errors in what was checked of 1 environment (dev)');
    expect(partial).toContain('! not checked (1):\n    airflow: chart not cached (dev)');
  });
});
