import { parseArgs } from 'node:util';
import { type CliContext, wantsColor } from '@airspark/cli-kit';
import { findRepositoryRoot, UsageError } from '@airspark/config';
import { formatText } from '@airspark/findings';
import { PromotionCommitFailed, PromotionRefused, type PromotionResult, promote } from '@airspark/promote';
import { createColors } from 'picocolors';
import { renderHydrator } from '../render-bridge.js';

export const promoteUsage = `Usage: airspark promote FROM TO [--dry-run] [--branch] [--format text|json] [--root DIR]

Copies every promotable pin (chart versions, image tags, the DAG revision: whatever the environment
schema marks x-airspark-promotable) that differs from FROM into TO's environment.yaml, keeping its
comments and formatting; records new releases in clusters/releases.yaml; re-hydrates TO's Argo CD
Applications. TO must be promoted from FROM (promotedFrom in its environment.yaml).

  --dry-run   show what would change; write nothing
  --branch    create the git branch promote/FROM-to-TO-<commit> and commit the promotion on it
              (refused when the working tree has uncommitted changes)

Exit codes: 0 promoted (or nothing to promote), 1 written but the --branch commit failed (e.g. the
pre-commit hook refused it), 2 refused or usage error.`;

function formatResult(result: PromotionResult, color: boolean): string {
  const c = createColors(color);
  const lines: string[] = [];
  const { from, to, changes } = result;
  if (changes.length === 0) {
    return `${to} already has every promotable pin of ${from}; nothing to promote.\n`;
  }
  lines.push(`${result.dryRun ? 'Would promote' : 'Promoted'} ${from} → ${to}:`, '');
  const width = Math.max(...changes.map((ch) => ch.pin.id.length));
  for (const change of changes) {
    lines.push(
      `  ${change.pin.id.padEnd(width)}  ${c.red(change.before ?? '(unset)')} → ${c.green(change.after)}`,
    );
  }
  lines.push('');
  const verb = result.dryRun ? 'would write' : 'wrote';
  for (const file of result.files) {
    const recorded = file.endsWith('releases.yaml')
      ? ` (records ${result.recorded.map((r) => `${r.pin} ${r.value}`).join(', ')})`
      : '';
    const hydrated = result.hydrated.includes(file) ? ' (re-hydrated)' : '';
    lines.push(`  ${verb} ${file}${recorded}${hydrated}`);
  }
  for (const f of result.consequences) {
    lines.push('', `${c.yellow('warning')} ${f.env ? `${f.env}: ` : ''}${f.message} ${c.dim(`[${f.rule}]`)}`);
  }
  lines.push('');
  if (result.dryRun) lines.push('Dry run: nothing was written.');
  else if (result.branch) {
    lines.push(
      `Committed ${result.branch.commit} on the new branch ${result.branch.name}.`,
      `Next: git push -u origin ${result.branch.name}, and open a pull request.`,
    );
  } else
    lines.push(
      'Next: review with `pnpm diff --base HEAD`, commit, and open a pull request (or use --branch).',
    );
  return `${lines.join('\n')}\n`;
}

function toJson(result: PromotionResult): string {
  const { from, to, dryRun, files, hydrated, recorded, branch, consequences } = result;
  const changes = result.changes.map((c) => ({ pin: c.pin.id, before: c.before ?? null, after: c.after }));
  return `${JSON.stringify({ from, to, dryRun, changes, files, hydrated, recorded, branch: branch ?? null, consequences }, null, 2)}\n`;
}

export async function promoteCommand(args: string[], ctx: CliContext): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: {
      'dry-run': { type: 'boolean', default: false },
      branch: { type: 'boolean', default: false },
      format: { type: 'string', default: 'text' },
      root: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: true,
  });
  if (values.help) {
    ctx.stdout.write(`${promoteUsage}\n`);
    return 0;
  }
  const [from, to, ...extra] = positionals;
  if (from === undefined || to === undefined || extra.length > 0) {
    throw new UsageError(
      `expected two environments, FROM and TO (e.g. \`pnpm promote dev staging\`); got ${positionals.length}.`,
    );
  }
  const format = values.format;
  if (format !== 'text' && format !== 'json')
    throw new UsageError(`unknown --format "${format}"; choose text or json.`);
  const root = await findRepositoryRoot(values.root ?? ctx.cwd);
  const color = wantsColor(ctx, ctx.stdout);
  try {
    const result = await promote({
      root,
      from,
      to,
      dryRun: values['dry-run'],
      branch: values.branch,
      hydrate: renderHydrator,
    });
    ctx.stdout.write(format === 'json' ? toJson(result) : formatResult(result, color));
    return 0;
  } catch (error) {
    if (error instanceof PromotionCommitFailed) {
      ctx.stderr.write(`airspark promote: ${error.message}\n`);
      return 1;
    }
    if (error instanceof PromotionRefused && error.findings.length > 0) {
      const summary = { environments: [from, to], errors: error.findings.length, warnings: 0, files: 0 };
      ctx.stderr.write(
        formatText({ findings: [...error.findings], summary }, { color: wantsColor(ctx, ctx.stderr) }),
      );
    }
    throw error;
  }
}
