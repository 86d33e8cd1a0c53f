import { createRequire } from 'node:module';
import type junitModule from 'junit-report-builder';
import { type Report, sortFindings } from './finding.js';

/**
 * JUnit XML for CI test views: one suite per source file with findings, one test case per finding.
 * Errors are failures; warnings are passing cases whose output carries the warning (JUnit has no
 * warning state). A clean run still yields one passing case per environment, so that a CI view
 * shows the check ran rather than nothing.
 */
// The builder (with the lodash it bundles, a third of the CLI's code) is loaded only when JUnit is
// asked for, not by every `pnpm validate`. Its CommonJS build exports the builder as `default`.
type Builder = typeof junitModule.default;
const require = createRequire(import.meta.url);

function junitBuilder(): Builder {
  const loaded = require('junit-report-builder') as { default?: Builder } & Builder;
  return loaded.default ?? loaded;
}

export function formatJunit(report: Report): string {
  const builder = junitBuilder().newBuilder();
  const byFile = new Map<string, Report['findings']>();
  for (const f of sortFindings(report.findings)) byFile.set(f.file, [...(byFile.get(f.file) ?? []), f]);
  for (const [file, findings] of byFile) {
    const suite = builder.testSuite().name(file);
    for (const f of findings) {
      const where = f.line > 0 ? `${f.file}:${f.line}:${f.column}` : f.file;
      const context = [f.env && `env ${f.env}`, f.app && `app ${f.app}`, f.resource]
        .filter(Boolean)
        .join(', ');
      const testCase = suite
        .testCase()
        .className(f.rule)
        .name(`${where} ${f.resource ?? ''}`.trim())
        .file(f.file);
      const text = `${f.message}${context ? ` (${context})` : ''}`;
      if (f.severity === 'error') testCase.failure(text, f.rule);
      else testCase.standardOutput(`warning: ${text}`);
    }
  }
  if (report.findings.every((f) => f.severity !== 'error')) {
    const suite = builder.testSuite().name('airspark validate');
    for (const env of report.summary.environments)
      suite.testCase().className('airspark').name(`environment ${env}`);
  }
  return `${builder.build()}\n`;
}
