import { isRecord, metadataOf, type RenderedObject } from '../model.js';
import {
  CAPACITY_TYPE,
  type Constraint,
  constraintOf,
  intersect,
  NODEPOOL_LABEL,
  type NodeSelectorRequirement,
  type Requirements,
  requirementsOf,
} from './node-requirements.js';

export interface Taint {
  key: string;
  value?: string;
  effect: string;
}

export interface Toleration {
  key?: string;
  operator?: 'Exists' | 'Equal';
  value?: string;
  effect?: string;
}

/** What a Karpenter NodePool promises about the nodes it launches. */
export interface NodePoolOffer {
  name: string;
  requirements: Requirements;
  taints: Taint[];
  rendered: RenderedObject;
}

/** Reads the NodePools (karpenter.sh/v1) among an environment's rendered objects. */
export function nodePoolsOf(objects: readonly RenderedObject[]): NodePoolOffer[] {
  const pools: NodePoolOffer[] = [];
  for (const rendered of objects) {
    const o = rendered.object;
    if (
      o.kind !== 'NodePool' ||
      typeof o.apiVersion !== 'string' ||
      !o.apiVersion.startsWith('karpenter.sh/')
    )
      continue;
    const name = metadataOf(o).name ?? '';
    const template = isRecord(o.spec) && isRecord(o.spec.template) ? o.spec.template : {};
    const spec = isRecord(template.spec) ? template.spec : {};
    const labels =
      isRecord(template.metadata) && isRecord(template.metadata.labels) ? template.metadata.labels : {};
    const list: NodeSelectorRequirement[] = [];
    if (Array.isArray(spec.requirements)) {
      for (const r of spec.requirements) if (isRequirement(r)) list.push(r);
    }
    for (const [key, value] of Object.entries(labels))
      list.push({ key, operator: 'In', values: [String(value)] });
    list.push({ key: NODEPOOL_LABEL, operator: 'In', values: [name] });
    const taints = Array.isArray(spec.taints) ? spec.taints.filter(isTaint) : [];
    pools.push({ name, requirements: requirementsOf(list), taints, rendered });
  }
  return pools;
}

export function isRequirement(value: unknown): value is NodeSelectorRequirement {
  return (
    isRecord(value) &&
    typeof value.key === 'string' &&
    ['In', 'NotIn', 'Exists', 'DoesNotExist', 'Gt', 'Lt'].includes(String(value.operator)) &&
    // A malformed list (a string where the schema wants an array) is schema/invalid's to report.
    (value.values === undefined || value.values === null || Array.isArray(value.values))
  );
}

function isTaint(value: unknown): value is Taint {
  return isRecord(value) && typeof value.key === 'string' && typeof value.effect === 'string';
}

/** Kubernetes' toleration matching (k8s.io/api/core/v1 Toleration.ToleratesTaint). */
export function tolerates(tolerations: readonly Toleration[], taint: Taint): boolean {
  return tolerations.some((t) => {
    if (t.effect && t.effect !== taint.effect) return false;
    if (t.operator === 'Exists') return t.key === undefined || t.key === '' || t.key === taint.key;
    return t.key === taint.key && (t.value ?? '') === (taint.value ?? '');
  });
}

/** Capacity types a NodePool may launch; undefined when it does not restrict them. */
export function capacityTypesOf(pool: NodePoolOffer): Constraint | undefined {
  return pool.requirements.get(CAPACITY_TYPE);
}

/** Capacity types left once both the pod's and the pool's constraints apply. */
export function effectiveCapacityTypes(pod: Requirements, pool: NodePoolOffer): Constraint | undefined {
  const a = pod.get(CAPACITY_TYPE);
  const b = pool.requirements.get(CAPACITY_TYPE);
  if (a && b) return intersect(a, b);
  return a ?? b;
}

export { constraintOf };
