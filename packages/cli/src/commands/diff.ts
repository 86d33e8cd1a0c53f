import { parseArgs } from 'node:util';
import { type CliContext, wantsColor } from '@airspark/cli-kit';
import { findRepositoryRoot, UsageError } from '@airspark/config';
import { type DiffReport, formatMarkdown, formatText, runDiff } from '@airspark/diff';
import { diffRenderer, environmentInputs, pullChartsFor } from '../render-bridge.js';

export const diffUsage = `Usage: airspark diff --base REF [--env NAME]... [--format text|markdown|json] [--pull-charts] [--exit-code] [--root DIR]

Renders the environments whose inputs changed between REF and the working tree (or those named with
--env), at REF and in the working tree, and shows per object what is added, removed or changed, field
by field. Secret values are redacted. The working tree, index and branches are not touched.

  --format markdown  a pull-request comment of at most 60,000 characters that lists what it left out
  --pull-charts      pull the upstream charts REF pins into the cache first (CI; needs the network)
  --exit-code        exit 1 when there are differences, like git diff --exit-code

Exit codes: 0 done, 1 differences (only with --exit-code), 2 usage error or an environment that
could not be rendered (the report says why).`;

const formats = ['text', 'markdown', 'json'] as const;
type Format = (typeof formats)[number];

function output(report: DiffReport, format: Format, ctx: CliContext): string {
  switch (format) {
    case 'text':
      return formatText(report, { color: wantsColor(ctx, ctx.stdout) });
    case 'markdown':
      return formatMarkdown(report, { fullDiffCommand: `pnpm diff --base ${report.base.ref}` });
    case 'json':
      return `${JSON.stringify(report, null, 2)}\n`;
  }
}

export async function diffCommand(args: string[], ctx: CliContext): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: {
      base: { type: 'string' },
      env: { type: 'string', multiple: true, default: [] },
      format: { type: 'string', default: 'text' },
      'pull-charts': { type: 'boolean', default: false },
      'exit-code': { type: 'boolean', default: false },
      root: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: true,
  });
  if (values.help) {
    ctx.stdout.write(`${diffUsage}\n`);
    return 0;
  }
  if (positionals.length > 0) {
    throw new UsageError(`unexpected argument "${positionals[0]}"; name the base with --base REF.`);
  }
  if (values.base === undefined || values.base === '') {
    throw new UsageError(
      '--base REF is required: the branch, tag or commit to compare with (e.g. origin/main).',
    );
  }
  const format = values.format as Format;
  if (!formats.includes(format)) {
    throw new UsageError(`unknown --format "${values.format}"; choose one of ${formats.join(', ')}.`);
  }
  const root = await findRepositoryRoot(values.root ?? ctx.cwd);
  const progress = (line: string) => ctx.stderr.write(`${line}\n`);
  const report = await runDiff({
    root,
    base: values.base,
    envs: values.env ?? [],
    render: diffRenderer(),
    inputsOf: environmentInputs(),
    progress,
    ...(values['pull-charts']
      ? {
          prepareBase: async (dir: string) => {
            progress('pulling the charts the base pins…');
            for (const failure of await pullChartsFor(dir, progress)) progress(`  could not pull ${failure}`);
          },
        }
      : {}),
  });
  ctx.stdout.write(output(report, format, ctx));
  if (report.environments.some((e) => e.status === 'failed')) return 2;
  const differs = report.environments.some((e) => e.status !== 'unchanged' || e.pins.length > 0);
  return values['exit-code'] && differs ? 1 : 0;
}
