import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { type CliContext, wantsColor } from '@airspark/cli-kit';
import {
  findRepositoryRoot,
  loadComponents,
  loadEnvironments,
  ParsedYamlMemo,
  UsageError,
} from '@airspark/config';
import {
  exitCodeFor,
  type Finding,
  formatJson,
  formatJunit,
  formatSarif,
  formatText,
  type Report,
  redactText,
  summarize,
} from '@airspark/findings';
import { ruleSummaries as promotionRules, validatePromotion } from '@airspark/promote';
import {
  ARGOCD_COMPONENT,
  chartsDir,
  ensureTools,
  FileYamlMemo,
  HelmOutputCache,
  type Hydration,
  helmOutputDir,
  hydrateEnvironment,
  hydrationFindings,
  renderEnvironment,
  type Tools,
} from '@airspark/render';
import {
  allRules,
  defaultCacheDir,
  EnvironmentValidator,
  scanRepositorySources,
  validateRenderedEnvironment,
} from '@airspark/validate';
import { declaredInputs } from '../render-bridge.js';
import {
  environmentFingerprint,
  extraInputsOf,
  readCachedFindings,
  writeCachedFindings,
} from '../validation-cache.js';

export const validateUsage = `Usage: airspark validate [--env NAME]... [--format text|json|junit|sarif] [--output FILE] [--root DIR]

Validates every environment under clusters/ (or only those named with --env): environment.yaml,
then every Application rendered as Argo CD would, checked against the Kubernetes and CRD schemas, the
policies and each other (docs/validation.md). An environment whose inputs did not change since the
last run is not rendered again: its findings come from the cache.

  --output FILE  write the report to FILE (whole or not at all) instead of stdout; for machine
                 formats under \`pnpm validate\`, whose "> airspark validate" banner goes to stdout
                 (or use \`pnpm -s validate --format json\`)
Exit codes: 0 clean (warnings allowed), 1 findings, 2 usage or environment error.`;

const formats = {
  text: (report: Report, ctx: CliContext) =>
    formatText(report, { color: wantsColor(ctx, ctx.stdout), notChecked: notCheckedOf(report.findings) }),
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
      output: { type: 'string' },
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
  // Configuration files that parsed cleanly in an earlier run are not parsed again (ADR 0064).
  const parsedYamlMemo = ParsedYamlMemo.in(defaultCacheDir(ctx.env));
  const loaded = await loadEnvironments(root, values.env ?? [], { parsedYamlMemo });
  const findings: Finding[] = [
    ...loaded.findings,
    ...(await validatePromotion(root, loaded.requested, loaded.environments)),
  ];
  const components = await loadComponents(root, { parsedYamlMemo });
  parsedYamlMemo.save();
  // Each environment is hydrated once: for the hydration check, the result cache's key and the render.
  // The generated YAML of documents printed by an earlier run comes from the memo (ADR 0064).
  const yamlMemo = FileYamlMemo.in(defaultCacheDir(ctx.env));
  const hydrations = new Map<string, Hydration>();
  for (const env of loaded.environments)
    hydrations.set(env.name, await hydrateEnvironment(root, env, components, { yamlMemo }));
  yamlMemo.save();
  // render/stale-application: the committed Applications equal a fresh hydration (no helm run).
  findings.push(...(await hydrationFindings(root, loaded.environments, components, hydrations)));
  // Credentials and YAML 1.1 readings in the files people write, at their lines (all environments).
  findings.push(...(await scanRepositorySources(root, { cacheDir: defaultCacheDir(ctx.env) })));
  findings.push(...(await renderAndCheck(root, loaded.environments, components, hydrations, ctx)));
  // A finding may quote a value (a schema error names it): never a credential.
  const shown = unique(findings).map((f) => ({ ...f, message: redactText(f.message) }));
  const report: Report = { findings: shown, summary: summarize(shown, loaded.requested) };
  const text = await formats[format](report, ctx);
  if (values.output) {
    const file = path.resolve(ctx.cwd, values.output);
    await writeFileAtomic(file, text);
    ctx.stderr.write(
      `${report.summary.errors} error(s), ${report.summary.warnings} warning(s); report written to ${file}\n`,
    );
  } else ctx.stdout.write(text);
  return exitCodeFor(findings);
}

/** Renders and checks each environment whose inputs changed; the others answer from the cache. */
async function renderAndCheck(
  root: string,
  environments: Awaited<ReturnType<typeof loadEnvironments>>['environments'],
  components: Awaited<ReturnType<typeof loadComponents>>,
  hydrations: ReadonlyMap<string, Hydration>,
  ctx: CliContext,
): Promise<Finding[]> {
  const cacheDir = defaultCacheDir(ctx.env);
  const progress = (line: string) => ctx.stderr.write(`${line}\n`);
  const validator = new EnvironmentValidator({ cacheDir });
  // A missed environment re-renders every Application; helm runs only for charts whose inputs changed.
  const helmOutputCache = new HelmOutputCache({ dir: helmOutputDir(ctx.env), onProblem: progress });
  const findings: Finding[] = [];
  let tools: Tools | undefined;
  for (const env of environments) {
    const hydration = hydrations.get(env.name);
    const inputs = await declaredInputs(root, env.name, env, components, hydration);
    const fingerprint = await environmentFingerprint(root, env.name, chartsDir(ctx.env), inputs);
    const cached = await readCachedFindings(cacheDir, fingerprint, root);
    if (cached) {
      findings.push(...cached);
      continue;
    }
    const started = performance.now();
    tools ??= await ensureTools({ log: progress });
    progress(`${env.name}: rendering and checking…`);
    const hitsBefore = helmOutputCache.stats.hits;
    const missesBefore = helmOutputCache.stats.misses;
    const rendered = await renderEnvironment({
      root,
      env,
      components,
      tools,
      onProgress: progress,
      helmOutputCache,
      ...(hydration ? { hydration } : {}),
    });
    const incompleteApps = rendered.apps.filter((a) => a.status === 'incomplete').map((a) => a.app);
    const own = [
      ...rendered.findings,
      ...(await validateRenderedEnvironment(validator, root, env, rendered.objects, {
        incompleteApps,
        // A component skipped until the infrastructure outputs exist (storage) creates claims that
        // nothing else does: references to claims cannot be judged then.
        ...(rendered.findings.some((f) => f.rule === 'render/infra-output-missing')
          ? { unjudgedKinds: ['PersistentVolumeClaim'] }
          : {}),
        // Bootstrap installs Argo CD (with its CRDs) before the root Application syncs.
        bootstrapApps: [ARGOCD_COMPONENT],
      })),
    ];
    const helmRuns = {
      fromCache: helmOutputCache.stats.hits - hitsBefore,
      run: helmOutputCache.stats.misses - missesBefore,
    };
    progress(
      `${env.name}: ${rendered.objects.length} objects checked in ${((performance.now() - started) / 1000).toFixed(1)} s (helm: ${helmRuns.fromCache} outputs from cache, ${helmRuns.run} run)`,
    );
    // What the render actually read beyond the declared inputs is kept with the entry and checked
    // on every later read (a kustomize resource in another folder, say).
    const named = [
      ...rendered.objects.flatMap((o) => [
        ...(o.source.inRepository ? [o.source.file] : []),
        ...(o.configuredBy ?? []),
      ]),
      ...own.map((f) => f.file).filter((f) => f !== '' && !f.includes('#')),
    ];
    await writeCachedFindings(cacheDir, fingerprint, own, await extraInputsOf(root, inputs, named));
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

async function writeFileAtomic(file: string, text: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    await writeFile(temporary, text);
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/** Why a component was not rendered (and so not checked), by the rule of the finding that says so. */
const NOT_RENDERED: Record<string, string> = {
  'render/chart-not-cached': 'chart not obtainable here (not in the chart cache)',
  'render/chart-lock': 'chart does not match charts.lock.yaml',
  'render/infra-output-missing': 'infrastructure outputs missing (skipped until the first deploy)',
  'render/source-unsupported': 'source type not supported',
};

/** One line per component that was not rendered, naming the reason and the environments. */
export function notCheckedOf(findings: readonly Finding[]): string[] {
  const byComponent = new Map<string, Set<string>>();
  for (const f of findings) {
    const reason = NOT_RENDERED[f.rule];
    if (!reason) continue;
    const component = f.app ?? /^apps\/([^/]+)\//.exec(f.file)?.[1] ?? f.file;
    const key = `${component}: ${reason}`;
    const envs = byComponent.get(key) ?? new Set<string>();
    if (f.env) envs.add(f.env);
    byComponent.set(key, envs);
  }
  return [...byComponent]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([line, envs]) => (envs.size > 0 ? `${line} (${[...envs].join(', ')})` : line));
}
