import path from 'node:path';
import { parseArgs } from 'node:util';
import { type CliContext, wantsColor } from '@airspark/cli-kit';
import { findRepositoryRoot, loadComponents, loadEnvironments, UsageError } from '@airspark/config';
import { exitCodeFor, type Finding, formatJson, formatText, summarize } from '@airspark/findings';
import {
  checkOutputFolder,
  type EnvironmentRender,
  ensureTools,
  type Hydration,
  hydrateEnvironment,
  OutputError,
  renderEnvironment,
  writeHydration,
  writeRendered,
} from '@airspark/render';

export const renderUsage = `Usage: airspark render [--env NAME]... [--out DIR] [--strict] [--hydrate-only] [--format text|json] [--root DIR]

Hydrates the Argo CD Applications of each environment into clusters/<env>/apps/ and
clusters/<env>/root.yaml (commit them), then renders every Application the way Argo CD does:
one folder per app, one file per object, into DIR (default out/<env>; with several
environments DIR/<env>). All environments when no --env is given.

  --strict        a chart that is not cached is an error (default: a warning)
  --hydrate-only  write the Applications, do not render

Exit codes: 0 done (warnings allowed), 1 findings, 2 usage or environment error.`;

export async function renderCommand(args: string[], ctx: CliContext): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      env: { type: 'string', multiple: true, default: [] },
      out: { type: 'string' },
      strict: { type: 'boolean', default: false },
      'hydrate-only': { type: 'boolean', default: false },
      format: { type: 'string', default: 'text' },
      root: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    ctx.stdout.write(`${renderUsage}\n`);
    return 0;
  }
  const format = values.format ?? 'text';
  if (format !== 'text' && format !== 'json')
    throw new UsageError(`unknown --format "${format}"; choose text or json.`);
  const root = await findRepositoryRoot(values.root ?? ctx.cwd);
  const progress = (line: string) => ctx.stderr.write(`${line}\n`);
  const loaded = await loadEnvironments(root, values.env ?? []);
  const components = await loadComponents(root);
  const findings: Finding[] = [...loaded.findings, ...components.findings];
  const several = loaded.requested.length > 1;
  const hydrateOnly = values['hydrate-only'] ?? false;
  const tools = hydrateOnly ? undefined : await ensureTools({ log: progress });

  // First everything in memory, then the writes: a failure half-way leaves the checkout as it was.
  const planned: {
    env: (typeof loaded.environments)[number];
    h: Hydration;
    result?: EnvironmentRender;
    started: number;
  }[] = [];
  for (const env of loaded.environments) {
    const started = performance.now();
    progress(
      `${env.name}: ${hydrateOnly ? 'hydrating' : 'rendering'} ${components.components.length} components…`,
    );
    const result = hydrateOnly
      ? undefined
      : await renderEnvironment({
          root,
          env,
          components,
          ...(tools ? { tools } : {}),
          strict: values.strict ?? false,
          onProgress: progress,
        });
    const h = result?.hydration ?? (await hydrateEnvironment(root, env, components));
    findings.push(...(result ? result.findings : h.findings));
    planned.push({ env, h, started, ...(result ? { result } : {}) });
  }
  // A component or environment that cannot be read hydrates to nothing; writing that would delete
  // its committed Applications. Refuse, and say why.
  const unreadable = [
    ...loaded.findings,
    ...components.findings,
    ...planned.flatMap((p) => p.h.findings),
  ].filter((f) => f.severity === 'error');
  if (unreadable.length > 0) {
    progress(
      `nothing written: ${unreadable.length} error(s) in the environment or component files (below) would change or remove hydrated Applications; fix them and run again.`,
    );
  } else {
    const outFolder = (env: string) =>
      values.out
        ? path.resolve(ctx.cwd, several ? path.join(values.out, env) : values.out)
        : path.join(root, 'out', env);
    try {
      for (const { env, result } of planned) if (result) await checkOutputFolder(outFolder(env.name));
    } catch (error) {
      if (error instanceof OutputError) throw new UsageError(`${error.message} Nothing was written.`);
      throw error;
    }
    for (const { env, h, result, started } of planned) {
      const written = await writeHydration(root, h);
      findings.push(...written.findings);
      for (const f of written.written) progress(`  wrote ${f}`);
      for (const f of written.removed) progress(`  removed ${f}`);
      if (!result) continue;
      const out = outFolder(env.name);
      try {
        await writeRendered(out, result.objects);
      } catch (error) {
        if (error instanceof OutputError) throw new UsageError(error.message);
        throw error;
      }
      const incomplete = result.apps.filter((a) => a.status === 'incomplete').map((a) => a.app);
      progress(
        `${env.name}: ${result.objects.length} objects from ${result.apps.length} apps → ${path.relative(ctx.cwd, out) || '.'} in ${((performance.now() - started) / 1000).toFixed(1)} s` +
          (incomplete.length > 0 ? `; NOT complete: ${incomplete.join(', ')} (see findings)` : ''),
      );
    }
  }
  const report = { findings, summary: summarize(findings, loaded.requested) };
  ctx.stdout.write(
    format === 'json' ? formatJson(report) : formatText(report, { color: wantsColor(ctx, ctx.stdout) }),
  );
  return exitCodeFor(findings);
}
