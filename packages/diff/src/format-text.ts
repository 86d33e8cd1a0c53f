import { createColors } from 'picocolors';
import { fieldLines } from './format-values.js';
import { describeIdentity, type ObjectDiff } from './object-diff.js';
import type { DiffReport, EnvironmentDiff } from './run-diff.js';

const statusText: Record<EnvironmentDiff['status'], string> = {
  changed: 'changed',
  unchanged: 'no changes in the rendered objects',
  added: 'new environment',
  removed: 'environment removed',
  failed: 'NOT RENDERED',
};

export function countObjects(objects: readonly ObjectDiff[]) {
  return {
    changed: objects.filter((o) => o.change === 'changed').length,
    added: objects.filter((o) => o.change === 'added').length,
    removed: objects.filter((o) => o.change === 'removed').length,
  };
}

export function title(report: DiffReport): string {
  const n = report.environments.length;
  const what = n === 0 ? 'no environment affected' : `${n} environment${n === 1 ? '' : 's'} affected`;
  return `Rendered diff against ${report.base.ref} (${report.base.commit.slice(0, 12)}): ${what}`;
}

/** Human output for a terminal: every change, coloured only when asked. */
export function formatText(report: DiffReport, options: { color: boolean }): string {
  const c = createColors(options.color);
  const paint = (line: string) =>
    line.startsWith('+')
      ? c.green(line)
      : line.startsWith('-')
        ? c.red(line)
        : line.startsWith('~')
          ? c.yellow(line)
          : line;
  const lines = [c.bold(title(report))];
  if (report.environments.length === 0) {
    lines.push(
      `(${report.changedFiles.length} changed file${report.changedFiles.length === 1 ? '' : 's'}, none of them an environment's input)`,
    );
  }
  for (const env of report.environments) {
    const counts = countObjects(env.objects);
    const summary =
      env.status === 'failed' || env.objects.length === 0
        ? statusText[env.status]
        : `${counts.changed} changed, ${counts.added} added, ${counts.removed} removed`;
    lines.push('', `${c.bold(env.env)}: ${env.status === 'failed' ? c.red(summary) : summary}`);
    for (const problem of env.problems) lines.push(`  ${c.red('✖')} ${problem}`);
    for (const { app, reason } of env.skipped)
      lines.push(`  ${c.yellow('!')} not compared: app ${app} (${reason})`);
    for (const pin of env.pins)
      lines.push(`  pin ${pin.pin}: ${pin.before ?? '(unset)'} → ${pin.after ?? '(unset)'}`);
    for (const object of env.objects) {
      const mark = object.change === 'added' ? '+' : object.change === 'removed' ? '-' : '~';
      const from = object.source ? c.dim(`  (${object.source.file}:${object.source.line})`) : '';
      lines.push(paint(`  ${mark} ${describeIdentity(object.id)}  [app ${object.id.app}]`) + from);
      for (const field of object.fields)
        for (const line of fieldLines(field)) lines.push(`      ${paint(line)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
