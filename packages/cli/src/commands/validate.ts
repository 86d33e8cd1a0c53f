import { parseArgs } from 'node:util';
import { type CliContext, wantsColor } from '@airspark/cli-kit';
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
import { ruleSummaries as promotionRules, validatePromotion } from '@airspark/promote';
import {
  ARGOCD_COMPONENT,
  chartsDir,
  ensureTools,
  hydrationFindings,
  renderEnvironment,
  type Tools,
} from '@airspark/render';
import {
  allRules,
  defaultCacheDir,
  EnvironmentValidator,
  validateRenderedEnvironment,
} from '@airspark/validate';
import { environmentFingerprint, readCachedFindings, writeCachedFindings } from '../validation-cache.js';

export const validateUsage = `Usage: airspark validate [--env NAME]... [--format text|json|junit|sarif] [--root DIR]

Validates every environment under clusters/ (or only those named with --env): environment.yaml,
then every Application rendered as Argo CD would, checked against the Kubernetes and CRD schemas, the
policies and each other (docs/validation.md). An environment whose inputs did not change since the
last run is not rendered again: its findings come from the cache.
Exit codes: 0 clean (warnings allowed), 1 findings, 2 usage or environment error.`;

const formats = {
  text: (report: Report, ctx: CliContext) => formatText(report, { color: wantsColor(ctx, ctx.stdout) }),
  json: (report: Report) => formatJson(report),
  junit: (report: Report) => formatJunit(report),
  sarif: (report: Report) => {
    return formatSarif(report, {
      rules: [
        ...allRules.map((r) => ({
          id: r.id,
          summary: r.summary,
          helpUri: `https://github.com/airspark/airspark/blob/main/docs/validation.md#${r.id.replace('/', '')}`,
        })),
        ...promotionRules.map((r) => ({
          ...r,
          helpUri:
            'https://github.com/airspark/airspark/blob/main/docs/promotion.md#promotion-checks-in-pnpm-validate',
        })),
      ],
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
  const findings: Finding[] = [
    ...loaded.findings,
    ...(await validatePromotion(root, loaded.requested, loaded.environments)),
  ];
  const components = await loadComponents(root);
  // render/stale-application: the committed Applications equal a fresh hydration (no helm run).
  findings.push(...(await hydrationFindings(root, loaded.environments, components)));
  findings.push(...(await renderAndCheck(root, loaded.environments, components, ctx)));
  const report: Report = {
    findings: unique(findings),
    summary: summarize(unique(findings), loaded.requested),
  };
  ctx.stdout.write(await formats[format](report, ctx));
  return exitCodeFor(findings);
}

/** Renders and checks each environment whose inputs changed; the others answer from the cache. */
async function renderAndCheck(
  root: string,
  environments: Awaited<ReturnType<typeof loadEnvironments>>['environments'],
  components: Awaited<ReturnType<typeof loadComponents>>,
  ctx: CliContext,
): Promise<Finding[]> {
  const cacheDir = defaultCacheDir(ctx.env);
  const progress = (line: string) => ctx.stderr.write(`${line}\n`);
  const validator = new EnvironmentValidator({ cacheDir });
  const findings: Finding[] = [];
  let tools: Tools | undefined;
  for (const env of environments) {
    const fingerprint = await environmentFingerprint(root, env.name, chartsDir(ctx.env));
    const cached = await readCachedFindings(cacheDir, fingerprint);
    if (cached) {
      findings.push(...cached);
      continue;
    }
    const started = performance.now();
    tools ??= await ensureTools({ log: progress });
    progress(`${env.name}: rendering and checking…`);
    const rendered = await renderEnvironment({ root, env, components, tools, onProgress: progress });
    const incompleteApps = rendered.apps.filter((a) => a.status === 'incomplete').map((a) => a.app);
    const own = [
      ...rendered.findings,
      ...(await validateRenderedEnvironment(validator, root, env, rendered.objects, {
        incompleteApps,
        // Bootstrap installs Argo CD (with its CRDs) before the root Application syncs.
        bootstrapApps: [ARGOCD_COMPONENT],
      })),
    ];
    progress(
      `${env.name}: ${rendered.objects.length} objects checked in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
    await writeCachedFindings(cacheDir, fingerprint, own);
    findings.push(...own);
  }
  return findings;
}

/** The hydration check and the render report the same stale Application; show it once. */
function unique(findings: readonly Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const key = JSON.stringify([f.rule, f.file, f.line, f.column, f.env, f.app, f.resource, f.message]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
