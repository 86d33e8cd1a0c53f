/** One problem found by any airspark check, pointing at the source that caused it. */
export type Severity = 'error' | 'warning';

export interface Finding {
  severity: Severity;
  /** Stable rule id, e.g. `config/schema` or `policy/pinned-images`. */
  rule: string;
  /** What is wrong and what to do about it. */
  message: string;
  /** Path relative to the repository root, with forward slashes. */
  file: string;
  /** 1-based; 0 when the finding concerns the whole file (e.g. a missing file). */
  line: number;
  /** 1-based; 0 when unknown. */
  column: number;
  env?: string;
  app?: string;
  /** `kind/namespace/name` of the rendered object concerned, when there is one. */
  resource?: string;
}

export interface Summary {
  environments: string[];
  errors: number;
  warnings: number;
  files: number;
}

export interface Report {
  findings: Finding[];
  summary: Summary;
}

const severityOrder: Record<Severity, number> = { error: 0, warning: 1 };

/** Orders findings by file, then position, then severity, so that output is stable across runs. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) =>
      a.file.localeCompare(b.file) ||
      a.line - b.line ||
      a.column - b.column ||
      severityOrder[a.severity] - severityOrder[b.severity] ||
      a.rule.localeCompare(b.rule) ||
      a.message.localeCompare(b.message),
  );
}

export function summarize(findings: readonly Finding[], environments: readonly string[]): Summary {
  return {
    environments: [...environments],
    errors: findings.filter((f) => f.severity === 'error').length,
    warnings: findings.filter((f) => f.severity === 'warning').length,
    files: new Set(findings.map((f) => f.file)).size,
  };
}

/** Exit code convention of the airspark CLI: 0 clean (warnings allowed), 1 findings. */
export function exitCodeFor(findings: readonly Finding[]): 0 | 1 {
  return findings.some((f) => f.severity === 'error') ? 1 : 0;
}
