import type { Finding } from '@airspark/findings';
import { findingAt } from '../finding-at.js';
import { isRecord, metadataOf, type ObjectPath, type RenderedObject } from '../model.js';
import { podSpecOf } from '../policies/workloads.js';
import { rules } from '../rules.js';
import { applicationsOf } from './argocd.js';
import { isRequirement, type NodePoolOffer, nodePoolsOf, type Toleration, tolerates } from './node-pools.js';
import {
  allowsAbsence,
  allowsSomeValue,
  describeConstraint,
  incompatibility,
  intersect,
  type NodeSelectorRequirement,
  type Requirements,
  requirementsOf,
} from './node-requirements.js';

/** The system node group as the validator needs it (from @airspark/config's systemNodeGroupOf). */
export interface SystemNodes {
  name: string;
  instanceTypes: readonly string[];
  zones: readonly string[];
  labels: Readonly<Record<string, string>>;
}

/** The Application `pnpm bootstrap` installs before any sync wave: only the system nodes exist then. */
const BOOTSTRAPPED_APP = 'argocd';
/** The Application of the Karpenter controller: NodePools get nodes only once it runs. */
const KARPENTER_APP = 'karpenter';

const isArm = (t: string) => /^[a-z]+\d+g[a-z]*\./.test(t);

/** The node labels every system node has: its own labels plus what EKS and the kubelet set. */
export function systemNodeRequirements(system: SystemNodes): Requirements {
  const list: NodeSelectorRequirement[] = Object.entries(system.labels).map(([key, value]) => ({
    key,
    operator: 'In',
    values: [value],
  }));
  const arch = [...new Set(system.instanceTypes.map((t) => (isArm(t) ? 'arm64' : 'amd64')))];
  list.push(
    { key: 'kubernetes.io/os', operator: 'In', values: ['linux'] },
    { key: 'kubernetes.io/arch', operator: 'In', values: arch },
    { key: 'node.kubernetes.io/instance-type', operator: 'In', values: [...system.instanceTypes] },
    { key: 'eks.amazonaws.com/nodegroup', operator: 'In', values: [system.name] },
    { key: 'eks.amazonaws.com/capacityType', operator: 'In', values: ['ON_DEMAND'] },
  );
  if (system.zones.length > 0)
    list.push({ key: 'topology.kubernetes.io/zone', operator: 'In', values: [...system.zones] });
  return requirementsOf(list);
}

/** Why a pod cannot land on a node with exactly these labels (no label appears later). */
function closedIncompatibility(pod: Requirements, node: Requirements): string | undefined {
  for (const [key, wanted] of pod) {
    const offered = node.get(key);
    if (offered === undefined) {
      if (allowsAbsence(wanted)) continue;
      return `needs ${describeConstraint(key, wanted)}, which the system nodes do not have`;
    }
    if (allowsSomeValue(intersect(wanted, offered))) continue;
    return `needs ${describeConstraint(key, wanted)} but the system nodes have ${describeConstraint(key, offered)}`;
  }
  return undefined;
}

interface PodConstraints {
  alternatives: Requirements[];
  tolerations: Toleration[];
  path: ObjectPath;
  /** The nodeSelector's own entries, to point a finding at the one that is off. */
  selector: ReadonlyArray<readonly [string, string]>;
  described: string;
}

function constraintsOf(rendered: RenderedObject): PodConstraints | undefined {
  const site = podSpecOf(rendered.object);
  if (!site) return undefined;
  const spec = site.spec;
  const selector: NodeSelectorRequirement[] = isRecord(spec.nodeSelector)
    ? Object.entries(spec.nodeSelector).map(([key, value]) => ({
        key,
        operator: 'In',
        values: [String(value)],
      }))
    : [];
  const affinity =
    isRecord(spec.affinity) && isRecord(spec.affinity.nodeAffinity) ? spec.affinity.nodeAffinity : {};
  const required = affinity.requiredDuringSchedulingIgnoredDuringExecution;
  const terms =
    isRecord(required) && Array.isArray(required.nodeSelectorTerms) && required.nodeSelectorTerms.length > 0
      ? required.nodeSelectorTerms.map((t) =>
          isRecord(t) && Array.isArray(t.matchExpressions) ? t.matchExpressions.filter(isRequirement) : [],
        )
      : [[]];
  if (selector.length === 0 && terms.every((t) => t.length === 0)) return undefined; // any node will do
  const path: ObjectPath =
    selector.length > 0 ? [...site.path, 'nodeSelector'] : [...site.path, 'affinity', 'nodeAffinity'];
  const described =
    selector.map((s) => `${s.key}=${s.values?.[0]}`).join(', ') || 'its required node affinity';
  return {
    alternatives: terms.map((term) => requirementsOf([...selector, ...term])),
    tolerations: Array.isArray(spec.tolerations) ? (spec.tolerations.filter(isRecord) as Toleration[]) : [],
    path,
    selector: selector.map((s) => [s.key, s.values?.[0] ?? ''] as const),
    described,
  };
}

function untoleratedTaint(pool: NodePoolOffer, tolerations: readonly Toleration[]): string | undefined {
  const taint = pool.taints.find(
    (t) => (t.effect === 'NoSchedule' || t.effect === 'NoExecute') && !tolerates(tolerations, t),
  );
  return taint
    ? `taint ${taint.key}${taint.value ? `=${taint.value}` : ''}:${taint.effect} is not tolerated`
    : undefined;
}

/**
 * xref/pod-placement: every pod of every workload (Livy, Airflow, Argo CD, the Spark Operator,
 * Karpenter, anything rendered) matches a node that exists when its Application syncs: the system
 * node group always (its labels come from the same definition infra/ uses), a Karpenter NodePool
 * only when the NodePool's Application and Karpenter's sync in earlier waves (Argo CD waits for a
 * wave to be healthy before the next; Argo CD itself is installed before any wave). A pod that fits
 * none stays Pending, and the waves after it never sync. Spark pods are xref/spark-placement's.
 */
export function checkPodPlacement(
  objects: readonly RenderedObject[],
  system: SystemNodes | undefined,
): Map<RenderedObject, Finding[]> {
  const out = new Map<RenderedObject, Finding[]>();
  const apps = applicationsOf(objects);
  const waveOf = new Map(apps.map((a) => [a.name, a.wave] as const));
  const karpenterWave = waveOf.get(KARPENTER_APP);
  const pools = nodePoolsOf(objects);
  const systemRequirements = system ? systemNodeRequirements(system) : undefined;
  for (const r of objects) {
    const pod = constraintsOf(r);
    if (!pod) continue;
    const wave = r.app === BOOTSTRAPPED_APP ? Number.NEGATIVE_INFINITY : waveOf.get(r.app);
    const reasons: string[] = [];
    let fits = false;
    if (systemRequirements && system) {
      const why = pod.alternatives.map((a) => closedIncompatibility(a, systemRequirements));
      if (why.some((w) => w === undefined)) fits = true;
      else reasons.push(`system node group ${system.name}: ${why[0]}`);
    }
    for (const pool of fits ? [] : pools) {
      const poolWave = waveOf.get(pool.rendered.app);
      // Without Applications (or waves) to order by, every NodePool counts.
      const before = (w: number | undefined) => w === undefined || wave === undefined || w < wave;
      if (!before(poolWave) || (karpenterWave !== undefined && !before(karpenterWave))) {
        reasons.push(
          `NodePool ${pool.name} has no nodes yet when ${r.app === BOOTSTRAPPED_APP ? `${r.app} is bootstrapped` : `${r.app} syncs (wave ${wave})`}: ${pool.rendered.app} syncs in wave ${poolWave}${karpenterWave !== undefined ? `, ${KARPENTER_APP} in wave ${karpenterWave}` : ''}`,
        );
        continue;
      }
      const taint = untoleratedTaint(pool, pod.tolerations);
      if (taint) {
        reasons.push(`NodePool ${pool.name}: ${taint}`);
        continue;
      }
      const why = pod.alternatives.map((a) => incompatibility(a, pool.requirements));
      if (why.some((w) => w === undefined)) {
        fits = true;
        break;
      }
      reasons.push(`NodePool ${pool.name}: ${why[0]}`);
    }
    if (fits || (!systemRequirements && pools.length === 0)) continue;
    const { name, namespace } = metadataOf(r.object);
    // The entry the system nodes do not carry, when there is one: a values file sets entries one by
    // one, so the finding lands on the line that set it rather than on the merged map.
    const offKey = system
      ? pod.selector.find(([key, value]) => system.labels[key] !== value)?.[0]
      : undefined;
    out.set(r, [
      findingAt(r, {
        rule: rules.podPlacement,
        message: `the pods of ${String(r.object.kind)} ${namespace ? `${namespace}/` : ''}${name ?? ''} (${pod.described}) match no node of ${r.env} that exists when ${r.app} syncs, so they would stay Pending and later sync waves would wait for ever: ${reasons.join('; ')}. Select labels the system node group has (packages/config/src/system-node-group.ts) or a NodePool that syncs earlier.`,
        path: offKey !== undefined && pod.path.at(-1) === 'nodeSelector' ? [...pod.path, offKey] : pod.path,
      }),
    ]);
  }
  return out;
}
