import path from 'node:path';
import { parseArgs } from 'node:util';
import type { CliContext } from '@airspark/cli-kit';
import { findRepositoryRoot, loadComponents, loadEnvironments, UsageError } from '@airspark/config';
import {
  cachedChart,
  chartsDir,
  collectChartRefs,
  describeRef,
  ensureTools,
  lockedDigest,
  lockMatches,
  pullCharts,
  readLock,
  refKey,
} from '@airspark/render';

export const chartsUsage = `Usage: airspark charts <pull|list> [--root DIR] [--mirror DIR|URL]

  pull   download every upstream chart the environments pin into the content-addressed cache
         (\${AIRSPARK_CACHE_DIR:-$XDG_CACHE_HOME/airspark}/charts), verify each package against the
         repository index and its contents against charts.lock.yaml, and rewrite charts.lock.yaml
         (commit it)
  list   show each pinned chart and whether it is locked and cached

  --mirror DIR|URL  pull every chart from this Helm repository instead of its upstream one: a
                    folder with index.yaml and the packages, or an http(s) URL. Charts are found by
                    name and version; the lock's content digests prove they are the upstream charts.
  --allow-absent CHART[,CHART…]
                    these charts may be missing from the repository (the Airflow chart from the CI
                    mirror): reported, left unrendered by validate, and not a failure. Any other
                    failure (unreachable, digest mismatch) still is.

Exit codes: 0 done, 1 a chart could not be pulled or verified, 2 usage error.`;

export async function chartsCommand(args: string[], ctx: CliContext): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: {
      root: { type: 'string' },
      mirror: { type: 'string' },
      'allow-absent': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: true,
  });
  if (values.help) {
    ctx.stdout.write(`${chartsUsage}\n`);
    return 0;
  }
  const [action, ...rest] = positionals;
  if ((action !== 'pull' && action !== 'list') || rest.length > 0) {
    throw new UsageError(`expected "pull" or "list".\n\n${chartsUsage}`);
  }
  if (values.mirror !== undefined && action !== 'pull')
    throw new UsageError('--mirror goes with "pull" only.');
  if (values.mirror === '') throw new UsageError('--mirror needs a folder or an http(s) URL.');
  const mirror =
    values.mirror === undefined || /^https?:\/\//i.test(values.mirror)
      ? values.mirror
      : path.resolve(ctx.cwd, values.mirror);
  const root = await findRepositoryRoot(values.root ?? ctx.cwd);
  const loaded = await loadEnvironments(root);
  const { refs, findings } = await collectChartRefs(root, loaded.environments, await loadComponents(root));
  for (const f of [...loaded.findings, ...findings].filter((x) => x.severity === 'error')) {
    ctx.stderr.write(`${f.file}:${f.line}:${f.column}: ${f.message}\n`);
  }
  if (action === 'list') {
    const lock = await readLock(root);
    for (const ref of refs) {
      const locked = lock.entries.get(refKey(ref));
      const cached = await cachedChart(ref);
      const state = !cached
        ? 'not cached'
        : lockMatches(locked, cached)
          ? 'cached'
          : 'cached, NOT matching the lock';
      ctx.stdout.write(`${describeRef(ref)}  ${locked ? lockedDigest(locked) : 'not locked'}  ${state}\n`);
    }
    if (refs.length === 0) ctx.stdout.write('no upstream charts are pinned.\n');
    return 0;
  }
  const tools = await ensureTools({ log: (l) => ctx.stderr.write(`${l}\n`) });
  ctx.stderr.write(
    `pulling ${refs.length} chart(s) into ${chartsDir()}${mirror !== undefined ? ` from the mirror ${mirror}` : ''}\n`,
  );
  const result = await pullCharts({
    root,
    refs,
    helm: tools.helm,
    ...(mirror !== undefined ? { mirror } : {}),
    log: (l) => ctx.stderr.write(`${l}\n`),
  });
  const allowedAbsent = new Set((values['allow-absent'] ?? '').split(',').filter(Boolean));
  const failed = result.outcomes.filter((o) => o.status === 'failed');
  const tolerated = failed.filter((o) => o.status === 'failed' && o.absent && allowedAbsent.has(o.ref.chart));
  const pulled = result.outcomes.filter((o) => o.status === 'pulled').length;
  ctx.stdout.write(
    `${pulled} pulled, ${result.outcomes.length - pulled - failed.length} already cached, ${failed.length - tolerated.length} failed${tolerated.length > 0 ? `, ${tolerated.length} absent as allowed (not rendered)` : ''}${result.lockChanged ? '; charts.lock.yaml updated (commit it)' : ''}\n`,
  );
  for (const f of failed)
    if (f.status === 'failed')
      ctx.stdout.write(
        `  ${tolerated.includes(f) ? 'absent (allowed)' : 'failed'} ${describeRef(f.ref)}: ${f.error}\n`,
      );
  return failed.length > tolerated.length ? 1 : 0;
}
