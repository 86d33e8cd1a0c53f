import type { ComponentLoadResult, LoadedEnvironment } from '@airspark/config';
import type { Finding } from '@airspark/findings';
import { hydrateEnvironment } from '../hydrate/hydrate-environment.js';
import { cachedChart } from './chart-cache.js';
import { type LockEntry, lockMatches, readLock, writeLock } from './chart-lock.js';
import { ChartNotInRepositoryError, ChartPullError, mirrorBaseURL, pullChart } from './chart-pull.js';
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
      // The component's own repository names the chart: an environment's chart mirror only changes
      // where Argo CD fetches it from, not which chart it is (the lock proves the same content).
      const ref = { repoURL: fromArgoRepoURL(s.repoURL), chart: s.chart, version };
      refs.set(refKey(ref), ref);
    }
  }
  return { refs: [...refs.values()].sort(compareRefs), findings };
}

export type PullOutcome =
  | { ref: ChartRef; status: 'cached' | 'pulled'; digest: string }
  /** `absent`: the repository answered and does not hold this version (see ChartNotInRepositoryError). */
  | { ref: ChartRef; status: 'failed'; error: string; absent: boolean };

/**
 * Makes sure every chart is in the cache with the contents the lock records (pulling what is
 * missing, from its repository or from `mirror`: a folder or http(s) URL with a Helm index),
 * then rewrites charts.lock.yaml to exactly the charts in use. A chart that cannot be pulled
 * keeps its lock entry: being offline never loses a recorded digest.
 */
export async function pullCharts(options: {
  root: string;
  refs: readonly ChartRef[];
  helm: string;
  mirror?: string;
  cacheEnv?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
}): Promise<{ outcomes: PullOutcome[]; lockChanged: boolean }> {
  const mirror = options.mirror !== undefined ? mirrorBaseURL(options.mirror) : undefined;
  const lock = await readLock(options.root);
  if (lock.findings.length > 0)
    throw new ChartPullError(lock.findings.map((f) => `${f.file}:${f.line}: ${f.message}`).join('\n'));
  const outcomes: PullOutcome[] = [];
  const entries: LockEntry[] = [];
  for (const ref of options.refs) {
    const locked = lock.entries.get(refKey(ref));
    const cached = await cachedChart(ref, options.cacheEnv);
    if (cached && (!locked || lockMatches(locked, cached))) {
      outcomes.push({ ref, status: 'cached', digest: cached.contentDigest });
      entries.push({ ...ref, contentDigest: cached.contentDigest });
      options.log?.(`  cached  ${describeRef(ref)} ${cached.contentDigest}`);
      continue;
    }
    try {
      options.log?.(`  pulling ${describeRef(ref)}${mirror ? ` from the mirror ${mirror}` : ''}…`);
      const pulled = await pullChart(ref, {
        helm: options.helm,
        ...(locked ? { locked } : {}),
        ...(mirror ? { mirror } : {}),
        ...(options.cacheEnv ? { env: options.cacheEnv } : {}),
      });
      outcomes.push({ ref, status: 'pulled', digest: pulled.contentDigest });
      entries.push({ ...ref, contentDigest: pulled.contentDigest });
      options.log?.(`  pulled  ${describeRef(ref)} ${pulled.contentDigest}`);
    } catch (error) {
      const message = error instanceof ChartPullError ? error.message : String(error);
      outcomes.push({
        ref,
        status: 'failed',
        error: message,
        absent: error instanceof ChartNotInRepositoryError,
      });
      if (locked)
        entries.push({
          repoURL: locked.repoURL,
          chart: locked.chart,
          version: locked.version,
          ...(locked.contentDigest !== undefined
            ? { contentDigest: locked.contentDigest }
            : { digest: locked.digest }),
        });
      // Not in the repository is for the caller to judge (\`charts pull --allow-absent\`), not a failure yet.
      options.log?.(
        `  ${error instanceof ChartNotInRepositoryError ? 'absent' : 'failed'}  ${describeRef(ref)}: ${message}`,
      );
    }
  }
  const before = [...lock.entries.values()]
    .map((e) => `${refKey(e)} ${e.contentDigest ?? e.digest}`)
    .sort()
    .join('\n');
  const after = entries
    .map((e) => `${refKey(e)} ${e.contentDigest ?? e.digest}`)
    .sort()
    .join('\n');
  const lockChanged = before !== after;
  if (lockChanged) await writeLock(options.root, entries);
  return { outcomes, lockChanged };
}
