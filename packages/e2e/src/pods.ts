// The pods a scenario saw, for the report.
import type { Kubectl } from './kubectl.js';
import type { PodSeen } from './report.js';

interface PodList {
  items?: Array<{ metadata?: { name?: string; namespace?: string }; status?: { phase?: string } }>;
}

export function podsOf(list: PodList): PodSeen[] {
  return (list.items ?? []).map((p) => ({
    namespace: p.metadata?.namespace ?? '',
    name: p.metadata?.name ?? '',
    phase: p.status?.phase ?? 'Unknown',
  }));
}

export async function podsIn(kubectl: Kubectl, namespaces: readonly string[]): Promise<PodSeen[]> {
  const lists = await Promise.all(
    namespaces.map((ns) => kubectl.json<PodList>(['get', 'pods', '-n', ns]).catch(() => ({ items: [] }))),
  );
  return lists.flatMap(podsOf);
}
