import { countObjects, title } from './format-text.js';
import { cut, fieldLines, objectYaml } from './format-values.js';
import { describeIdentity, type ObjectDiff } from './object-diff.js';
import type { DiffReport } from './run-diff.js';

/** The hidden first line by which the pull-request workflow finds and updates its own comment. */
export const COMMENT_MARKER = '<!-- airspark-diff -->';

/** GitHub cuts comments at 65,536 characters; stay well under it. */
export const DEFAULT_LIMIT = 60_000;

export interface MarkdownOptions {
  /** Upper bound of the whole comment, in characters (UTF-16 code units, as GitHub counts). */
  limit?: number;
  /** The command a reader runs for the full diff. */
  fullDiffCommand?: string;
}

/** Longest single value shown; a longer one is cut and says by how much. */
const MAX_VALUE = 1_000;
/** Largest single object block; a larger one shows its first lines and says how many it left out. */
const MAX_BLOCK = 12_000;

function escapeHtml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

/** A code fence longer than any backtick run inside, so that content can never close it. */
function fenced(language: string, body: string): string {
  const longest = Math.max(2, ...[...body.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}${language}\n${body}\n${fence}`;
}

function objectLabel(o: ObjectDiff): string {
  return `${describeIdentity(o.id)} (${o.id.app})`;
}

/** Cuts a block's body to fit `max` characters, keeping whole lines and saying what it left out. */
function capLines(lines: string[], max: number): string {
  const kept: string[] = [];
  let size = 0;
  for (const [i, line] of lines.entries()) {
    if (size + line.length + 1 > max) {
      kept.push(`… ${lines.length - i} more lines not shown`);
      break;
    }
    kept.push(line);
    size += line.length + 1;
  }
  return kept.join('\n');
}

function objectBlock(o: ObjectDiff): string {
  const source = o.source ? ` — from <code>${escapeHtml(`${o.source.file}:${o.source.line}`)}</code>` : '';
  if (o.change === 'removed') return `- removed <code>${escapeHtml(objectLabel(o))}</code>${source}\n`;
  if (o.change === 'added') {
    const body = capLines(objectYaml(o.object).trimEnd().split('\n'), MAX_BLOCK);
    return `<details><summary>added <code>${escapeHtml(objectLabel(o))}</code>${source}</summary>\n\n${fenced('yaml', body)}\n</details>\n`;
  }
  const lines = o.fields.flatMap((f) => fieldLines(f, MAX_VALUE));
  const n = o.fields.length;
  return `<details><summary>changed <code>${escapeHtml(objectLabel(o))}</code>: ${n} field${n === 1 ? '' : 's'}${source}</summary>\n\n${fenced('diff', capLines(lines, MAX_BLOCK))}\n</details>\n`;
}

function summaryTable(report: DiffReport): string {
  if (report.environments.length === 0) return '';
  const rows = report.environments.map((e) => {
    const c = countObjects(e.objects);
    const status =
      e.status === 'failed' ? '**not rendered**' : e.status === 'unchanged' ? 'no changes' : e.status;
    return `| ${e.env} | ${status} | ${c.changed} | ${c.added} | ${c.removed} | ${e.pins.length} |`;
  });
  return [
    '| environment | status | changed | added | removed | pins |',
    '|---|---|---:|---:|---:|---:|',
    ...rows,
    '',
  ].join('\n');
}

/**
 * A pull-request comment: summary table, the pins that moved, and each object's changes in a
 * collapsed block. It never exceeds `limit`: blocks that do not fit are left out, and a closing
 * note lists every object it left out (or how many, when even the list would not fit).
 */
export function formatMarkdown(report: DiffReport, options: MarkdownOptions = {}): string {
  const limit = options.limit ?? DEFAULT_LIMIT;
  const command = options.fullDiffCommand ?? `pnpm diff --base ${report.base.ref}`;
  const head = [`${COMMENT_MARKER}`, `### ${escapeHtml(title(report))}`, '', summaryTable(report)].join('\n');
  // Room for the note on what was left out; it is cut to fit inside this reserve.
  const reserve = Math.min(4_000, Math.floor(limit / 4));
  const parts: string[] = [head];
  let used = head.length;
  const omitted: { env: string; label: string }[] = [];
  const add = (text: string, always = false): boolean => {
    if (!always && used + text.length + 1 > limit - reserve) return false;
    parts.push(text);
    used += text.length + 1;
    return true;
  };
  for (const env of report.environments) {
    // Blocks separated by blank lines, so that a paragraph never runs on into a list item.
    const notes = [
      ...env.problems.map((problem) => `- :x: ${escapeHtml(cut(problem, MAX_VALUE))}`),
      ...env.skipped.map(
        ({ app, reason, sides }) =>
          `- :warning: not compared: \`${escapeHtml(app)}\` (${escapeHtml(sides.join(' and '))}: ${escapeHtml(cut(reason, MAX_VALUE))})`,
      ),
    ];
    const blocks = [`#### ${escapeHtml(env.env)}`];
    if (notes.length > 0) blocks.push(notes.join('\n'));
    if (env.pins.length > 0) {
      blocks.push(
        `**Pins:** ${env.pins.map((p) => `\`${p.pin}\` ${escapeHtml(p.before ?? '(unset)')} → ${escapeHtml(p.after ?? '(unset)')}`).join(', ')}`,
      );
    }
    if (env.status === 'unchanged') blocks.push('No changes in the rendered objects.');
    const intro = [blocks.join('\n\n')];
    if (!add(`${intro.join('\n')}\n`)) {
      omitted.push(...env.objects.map((o) => ({ env: env.env, label: objectLabel(o) })));
      if (env.objects.length === 0) omitted.push({ env: env.env, label: '(summary)' });
      continue;
    }
    for (const object of env.objects) {
      if (!add(objectBlock(object))) omitted.push({ env: env.env, label: objectLabel(object) });
    }
  }
  const footer = `<sub>Secret values and credentials are redacted. Full diff: <code>${escapeHtml(command)}</code>.</sub>`;
  if (omitted.length > 0) {
    const intro = `**Not shown: ${omitted.length} item${omitted.length === 1 ? '' : 's'}** (this comment is limited to ${limit.toLocaleString('en-US')} characters):`;
    const room = limit - used - footer.length - intro.length - 64;
    const listed: string[] = [];
    let size = 0;
    for (const item of omitted) {
      const line = `- ${escapeHtml(item.env)}: ${escapeHtml(item.label)}`;
      if (size + line.length + 1 > room) break;
      listed.push(line);
      size += line.length + 1;
    }
    const rest = omitted.length - listed.length;
    add([intro, ...listed, ...(rest > 0 ? [`- … and ${rest} more`] : [])].join('\n'), true);
  }
  add(footer, true);
  return `${parts.join('\n')}\n`;
}
