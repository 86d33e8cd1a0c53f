import { parseArgs } from 'node:util';
import type { CliContext } from '@airspark/cli-kit';
import { findRepositoryRoot, loadComponents, loadEnvironments, UsageError } from '@airspark/config';
import {
  cachedChart,
  chartsDir,
  collectChartRefs,
  describeRef,
  ensureTools,
  pullCharts,
  readLock,
  refKey,
} from '@airspark/render';

export const chartsUsage = `Usage: airspark charts <pull|list> [--root DIR]

  pull   download every upstream chart the environments pin into the content-addressed cache
         (\${AIRSPARK_CACHE_DIR:-$XDG_CACHE_HOME/airspark}/charts), verify each digest against the
         repository index and charts.lock.yaml, and rewrite charts.lock.yaml (commit it)
  list   show each pinned chart and whether it is locked and cached

Exit codes: 0 done, 1 a chart could not be pulled or verified, 2 usage error.`;

export async function chartsCommand(args: string[], ctx: CliContext): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { root: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
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
        : locked?.digest === cached.digest
          ? 'cached'
          : 'cached, NOT matching the lock';
      ctx.stdout.write(`${describeRef(ref)}  ${locked ? locked.digest : 'not locked'}  ${state}\n`);
    }
    if (refs.length === 0) ctx.stdout.write('no upstream charts are pinned.\n');
    return 0;
  }
  const tools = await ensureTools({ log: (l) => ctx.stderr.write(`${l}\n`) });
  ctx.stderr.write(`pulling ${refs.length} chart(s) into ${chartsDir()}\n`);
  const result = await pullCharts({ root, refs, helm: tools.helm, log: (l) => ctx.stderr.write(`${l}\n`) });
  const failed = result.outcomes.filter((o) => o.status === 'failed');
  const pulled = result.outcomes.filter((o) => o.status === 'pulled').length;
  ctx.stdout.write(
    `${pulled} pulled, ${result.outcomes.length - pulled - failed.length} already cached, ${failed.length} failed${result.lockChanged ? '; charts.lock.yaml updated (commit it)' : ''}\n`,
  );
  for (const f of failed)
    if (f.status === 'failed') ctx.stdout.write(`  ${describeRef(f.ref)}: ${f.error}\n`);
  return failed.length > 0 ? 1 : 0;
}
