import { parseArgs } from 'node:util';
import { findRepositoryRoot, loadComponents, loadEnvironments, UsageError } from '@airspark/config';
import {
  exitCodeFor,
  type Finding,
  formatJson,
  formatJunit,
  formatSarif,
  formatText,
  type Report,
  summarize,
} from '@airspark/findings';
import { hydrationFindings } from '@airspark/render';
import { type CliContext, wantsColor } from '../cli-context.js';

export const validateUsage = `Usage: airspark validate [--env NAME]... [--format text|json|junit|sarif] [--root DIR]

Validates every environment under clusters/ (or only those named with --env).
Exit codes: 0 clean (warnings allowed), 1 findings, 2 usage or environment error.`;

const formats = {
  text: (report: Report, ctx: CliContext) => formatText(report, { color: wantsColor(ctx, ctx.stdout) }),
  json: (report: Report) => formatJson(report),
  junit: (report: Report) => formatJunit(report),
  sarif: async (report: Report) => {
    // The rule catalogue (summaries, links) only matters for SARIF: load it only then.
    const { allRules } = await import('@airspark/validate');
    return formatSarif(report, {
      rules: allRules.map((r) => ({
        id: r.id,
        summary: r.summary,
        helpUri: `https://github.com/airspark/airspark/blob/main/docs/validation.md#${r.id.replace('/', '')}`,
      })),
    });
  },
} as const;

type FormatName = keyof typeof formats;

function isFormat(value: string): value is FormatName {
  return Object.hasOwn(formats, value);
}

export async function validateCommand(args: string[], ctx: CliContext): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      env: { type: 'string', multiple: true, default: [] },
      format: { type: 'string', default: 'text' },
      root: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    ctx.stdout.write(`${validateUsage}\n`);
    return 0;
  }
  const format = values.format ?? 'text';
  if (!isFormat(format)) {
    throw new UsageError(`unknown --format "${format}"; choose one of ${Object.keys(formats).join(', ')}.`);
  }
  const root = await findRepositoryRoot(values.root ?? ctx.cwd);
  const loaded = await loadEnvironments(root, values.env ?? []);
  const findings: Finding[] = [...loaded.findings];
  // render/stale-application: the committed Applications equal a fresh hydration (no helm run).
  findings.push(...(await hydrationFindings(root, loaded.environments, await loadComponents(root))));
  const report: Report = { findings, summary: summarize(findings, loaded.requested) };
  ctx.stdout.write(await formats[format](report, ctx));
  return exitCodeFor(findings);
}
