import type { ComponentLoadResult, LoadedEnvironment } from '@airspark/config';
import type { Finding } from '@airspark/findings';
import { hydrateEnvironment } from '../hydrate/hydrate-environment.js';
import { cachedChart } from './chart-cache.js';
import { type LockEntry, readLock, writeLock } from './chart-lock.js';
import { ChartPullError, pullChart } from './chart-pull.js';
import { type ChartRef, compareRefs, describeRef, fromArgoRepoURL, refKey } from './chart-ref.js';

/** Every upstream chart (repository, chart, version) the given environments pin, sorted and unique. */
export async function collectChartRefs(
  root: string,
  environments: readonly LoadedEnvironment[],
  components: ComponentLoadResult,
): Promise<{ refs: ChartRef[]; findings: Finding[] }> {
  const refs = new Map<string, ChartRef>();
  const findings: Finding[] = [];
  for (const env of environments) {
    const h = await hydrateEnvironment(root, env, components);
    findings.push(...h.findings);
    for (const c of h.components) {
      const s = c.component.component.source;
      const spec = c.application.spec as {
        source?: { targetRevision?: string };
        sources?: { targetRevision?: string }[];
      };
      const version = (spec.sources?.[0] ?? spec.source)?.targetRevision;
      if (s.type !== 'helm-upstream' || !s.repoURL || !s.chart || !version) continue;
      const ref = { repoURL: fromArgoRepoURL(c.chartRepo ?? s.repoURL), chart: s.chart, version };
      refs.set(refKey(ref), ref);
    }
  }
  return { refs: [...refs.values()].sort(compareRefs), findings };
}

export type PullOutcome =
  | { ref: ChartRef; status: 'cached' | 'pulled'; digest: string }
  | { ref: ChartRef; status: 'failed'; error: string };

/**
 * Makes sure every chart is in the cache with the digest the lock records (pulling what is
 * missing), then rewrites charts.lock.yaml to exactly the charts in use. A chart that cannot be
 * pulled keeps its lock entry: being offline never loses a recorded digest.
 */
export async function pullCharts(options: {
  root: string;
  refs: readonly ChartRef[];
  helm: string;
  cacheEnv?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
}): Promise<{ outcomes: PullOutcome[]; lockChanged: boolean }> {
  const lock = await readLock(options.root);
  if (lock.findings.length > 0)
    throw new ChartPullError(lock.findings.map((f) => `${f.file}:${f.line}: ${f.message}`).join('\n'));
  const outcomes: PullOutcome[] = [];
  const entries: LockEntry[] = [];
  for (const ref of options.refs) {
    const locked = lock.entries.get(refKey(ref));
    const cached = await cachedChart(ref, options.cacheEnv);
    if (cached && (!locked || locked.digest === cached.digest)) {
      outcomes.push({ ref, status: 'cached', digest: cached.digest });
      entries.push({ ...ref, digest: cached.digest });
      options.log?.(`  cached  ${describeRef(ref)} ${cached.digest}`);
      continue;
    }
    try {
      options.log?.(`  pulling ${describeRef(ref)}…`);
      const pulled = await pullChart(ref, {
        helm: options.helm,
        ...(locked ? { lockedDigest: locked.digest } : {}),
        ...(options.cacheEnv ? { env: options.cacheEnv } : {}),
      });
      outcomes.push({ ref, status: 'pulled', digest: pulled.digest });
      entries.push({ ...ref, digest: pulled.digest });
      options.log?.(`  pulled  ${describeRef(ref)} ${pulled.digest}`);
    } catch (error) {
      const message = error instanceof ChartPullError ? error.message : String(error);
      outcomes.push({ ref, status: 'failed', error: message });
      if (locked)
        entries.push({
          repoURL: locked.repoURL,
          chart: locked.chart,
          version: locked.version,
          digest: locked.digest,
        });
      options.log?.(`  failed  ${describeRef(ref)}: ${message}`);
    }
  }
  const before = [...lock.entries.values()]
    .map((e) => `${refKey(e)} ${e.digest}`)
    .sort()
    .join('\n');
  const after = entries
    .map((e) => `${refKey(e)} ${e.digest}`)
    .sort()
    .join('\n');
  const lockChanged = before !== after;
  if (lockChanged) await writeLock(options.root, entries);
  return { outcomes, lockChanged };
}
