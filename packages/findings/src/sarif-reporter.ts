import { SarifBuilder, SarifResultBuilder, SarifRuleBuilder, SarifRunBuilder } from 'node-sarif-builder';
import { type Report, sortFindings } from './finding.js';

/** What SARIF viewers show for a rule; callers pass the rule catalogue they know. */
export interface SarifRuleInfo {
  id: string;
  summary: string;
  helpUri?: string;
}

export interface SarifOptions {
  toolName?: string;
  toolVersion?: string;
  informationUri?: string;
  rules?: readonly SarifRuleInfo[];
}

/**
 * SARIF 2.1.0 for code-scanning views. File URIs are repository-relative, which is what GitHub code
 * scanning resolves against the checkout.
 */
export function formatSarif(report: Report, options: SarifOptions = {}): string {
  const builder = new SarifBuilder();
  const run = new SarifRunBuilder().initSimple({
    toolDriverName: options.toolName ?? 'airspark',
    toolDriverVersion: options.toolVersion ?? '0.1.0',
    ...(options.informationUri ? { url: options.informationUri } : {}),
  });
  const known = new Map((options.rules ?? []).map((r) => [r.id, r]));
  const used = [...new Set(report.findings.map((f) => f.rule))].sort();
  for (const id of used) {
    const info = known.get(id);
    run.addRule(
      new SarifRuleBuilder().initSimple({
        ruleId: id,
        shortDescriptionText: info?.summary ?? id,
        ...(info?.helpUri ? { helpUri: info.helpUri } : {}),
      }),
    );
  }
  for (const f of sortFindings(report.findings)) {
    const context = [f.env && `env ${f.env}`, f.app && `app ${f.app}`, f.resource].filter(Boolean).join(', ');
    run.addResult(
      new SarifResultBuilder().initSimple({
        level: f.severity === 'error' ? 'error' : 'warning',
        messageText: context ? `${f.message} (${context})` : f.message,
        ruleId: f.rule,
        fileUri: f.file,
        ...(f.line > 0 ? { startLine: f.line, startColumn: Math.max(f.column, 1) } : {}),
      }),
    );
  }
  builder.addRun(run);
  return `${builder.buildSarifJsonString({ indent: true })}\n`;
}
