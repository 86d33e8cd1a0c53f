import { type Report, sortFindings } from './finding.js';

/** Machine output; the shape is documented in docs/cli.md and is a public interface. */
export function formatJson(report: Report): string {
  return `${JSON.stringify({ findings: sortFindings(report.findings), summary: report.summary }, null, 2)}\n`;
}
