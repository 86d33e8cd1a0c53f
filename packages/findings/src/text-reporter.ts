import { createColors } from 'picocolors';
import { type Report, sortFindings } from './finding.js';

export interface TextOptions {
  /** Colour the output; callers pass true only for a terminal without NO_COLOR. */
  color: boolean;
  /**
   * What was not checked, one line each (`airflow: chart not cached (dev, staging)`): a clean result
   * then says it covers only what was checked, instead of claiming the environments valid.
   */
  notChecked?: readonly string[];
}

/** Human output: findings grouped by file, `file:line:column` first so editors can jump to it. */
export function formatText(report: Report, options: TextOptions): string {
  const c = createColors(options.color);
  const lines: string[] = [];
  let currentFile: string | undefined;
  for (const f of sortFindings(report.findings)) {
    if (f.file !== currentFile) {
      if (currentFile !== undefined) lines.push('');
      lines.push(c.underline(f.file));
      currentFile = f.file;
    }
    const where = f.line > 0 ? `${f.file}:${f.line}:${f.column}` : f.file;
    const severity = f.severity === 'error' ? c.red('error') : c.yellow('warning');
    const context = [f.env && `env ${f.env}`, f.app && `app ${f.app}`, f.resource].filter(Boolean).join(', ');
    lines.push(`  ${c.dim(where)}  ${severity}  ${f.message}  ${c.dim(`[${f.rule}]`)}`);
    if (context) lines.push(`      ${c.dim(context)}`);
  }
  const { errors, warnings, environments } = report.summary;
  if (lines.length > 0) lines.push('');
  const envs = environments.length === 1 ? '1 environment' : `${environments.length} environments`;
  const names = environments.join(', ');
  const notChecked = options.notChecked ?? [];
  if (errors === 0) {
    // Warnings do not fail validation (exit 0): say that the environments are valid, and how many
    // warnings deserve a look.
    const note = warnings === 0 ? '' : c.yellow(`, ${warnings} warning${warnings === 1 ? '' : 's'}`);
    const claim =
      notChecked.length === 0
        ? `✔ ${envs} valid (${names})`
        : `✔ no errors in what was checked of ${envs} (${names})`;
    lines.push(`${c.green(claim)}${note}`);
  } else {
    const counts = `${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}`;
    lines.push(c.red(`✖ ${counts} in ${envs} (${names})`));
  }
  if (notChecked.length > 0) {
    lines.push(c.yellow(`! not checked (${notChecked.length}):`));
    for (const line of notChecked) lines.push(c.yellow(`    ${line}`));
  }
  return `${lines.join('\n')}\n`;
}
