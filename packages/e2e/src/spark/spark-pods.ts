// The Spark pods a run created, seen while it runs: the operators delete their applications (and
// with them the driver and executor pods) when done, so the scenario's end sees none of them.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Kubectl } from '../kubectl.js';

/** The Spark team namespace the scenarios submit into (the spark-operator app's first team). */
export const SPARK_NAMESPACE = 'spark-team-a';

export interface SparkPodSeen {
  readonly namespace: string;
  readonly name: string;
  /** Spark's own label spark-role: driver or executor. */
  readonly role: string;
  /** Every phase the pod was seen in, in order. */
  readonly phases: readonly string[];
  readonly node?: string;
}

interface PodList {
  items?: Array<{
    metadata?: { name?: string; namespace?: string; labels?: Record<string, string> };
    spec?: { nodeName?: string };
    status?: { phase?: string };
  }>;
}

const podKey = (item: NonNullable<PodList['items']>[number]) =>
  `${item.metadata?.namespace}/${item.metadata?.name}`;

/** The `namespace/name` of every Spark pod in a listing (pure). */
export function sparkPodKeys(list: PodList): Set<string> {
  return new Set((list.items ?? []).filter((i) => i.metadata?.labels?.['spark-role']).map(podKey));
}

/**
 * Merges one listing into what was seen so far, leaving out the pods of `ignore` (pure): Livy leaves
 * its finished drivers in place, and a driver of an earlier run must not pass for this run's.
 */
export function recordSparkPods(
  seen: readonly SparkPodSeen[],
  list: PodList,
  ignore: ReadonlySet<string> = new Set(),
): SparkPodSeen[] {
  const byName = new Map(seen.map((p) => [`${p.namespace}/${p.name}`, p]));
  for (const item of list.items ?? []) {
    const role = item.metadata?.labels?.['spark-role'];
    if (!role) continue;
    const key = podKey(item);
    if (ignore.has(key)) continue;
    const phase = item.status?.phase ?? 'Unknown';
    const before = byName.get(key);
    const phases = before?.phases ?? [];
    const node = item.spec?.nodeName ?? before?.node;
    byName.set(key, {
      namespace: item.metadata?.namespace ?? '',
      name: item.metadata?.name ?? '',
      role,
      phases: phases.at(-1) === phase ? phases : [...phases, phase],
      ...(node ? { node } : {}),
    });
  }
  return [...byName.values()];
}

/** Why the pods seen do not show a driver and an executor that ran; undefined when they do. */
export function missingSparkRoles(seen: readonly SparkPodSeen[]): string | undefined {
  const ran = (role: string) =>
    seen.some((p) => p.role === role && p.phases.some((ph) => ph === 'Running' || ph === 'Succeeded'));
  const missing = ['driver', 'executor'].filter((role) => !ran(role));
  if (missing.length === 0) return undefined;
  const list = seen.map((p) => `${p.name} (${p.role}: ${p.phases.join('→')})`).join(', ') || 'none';
  return `no ${missing.join(' and no ')} pod ran; Spark pods seen: ${list}`;
}

/** Lists the namespace's Spark pods every `intervalMs` while `during` runs (not those there before it). */
export async function watchSparkPods<T>(
  kubectl: Kubectl,
  namespace: string,
  during: () => Promise<T>,
  intervalMs = 2000,
): Promise<{ result: T; pods: SparkPodSeen[] }> {
  const list = () =>
    kubectl.json<PodList>(['get', 'pods', '-n', namespace, '-l', 'spark-role']).catch(() => ({}));
  const earlier = sparkPodKeys(await list());
  let seen: SparkPodSeen[] = [];
  let done = false;
  const poll = (async () => {
    while (!done) {
      seen = recordSparkPods(seen, await list(), earlier);
      await sleep(intervalMs);
    }
  })();
  try {
    const result = await during();
    done = true;
    await poll;
    return { result, pods: seen };
  } finally {
    done = true;
  }
}
