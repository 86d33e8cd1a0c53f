/**
 * Node-label requirements as Karpenter reasons about them (sigs.k8s.io/karpenter
 * pkg/scheduling/requirement.go): each key holds a set of allowed values, possibly a complement
 * ("anything but"), possibly bounded (Gt/Lt). A pod fits a NodePool when, key by key, their sets
 * intersect; a key only the pod constrains must be one Karpenter knows values for (a well-known
 * label) or be satisfiable by the label's absence.
 */

export type Operator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | 'Gt' | 'Lt';

export interface NodeSelectorRequirement {
  key: string;
  operator: Operator;
  values?: readonly string[];
}

export interface Constraint {
  /** true: every value except `values`; false: only `values`. */
  complement: boolean;
  values: ReadonlySet<string>;
  greaterThan?: number;
  lessThan?: number;
}

export const CAPACITY_TYPE = 'karpenter.sh/capacity-type';
export const NODEPOOL_LABEL = 'karpenter.sh/nodepool';

/**
 * Labels Karpenter can satisfy without a NodePool naming them, because instance types and offerings
 * carry them (karpenter core v1 WellKnownLabels plus the AWS provider's).
 */
const wellKnownLabels = new Set([
  'topology.kubernetes.io/zone',
  'topology.kubernetes.io/region',
  'topology.k8s.aws/zone-id',
  'node.kubernetes.io/instance-type',
  'kubernetes.io/arch',
  'kubernetes.io/os',
  'node.kubernetes.io/windows-build',
  CAPACITY_TYPE,
  NODEPOOL_LABEL,
  'karpenter.k8s.aws/capacity-reservation-id',
  'karpenter.k8s.aws/capacity-reservation-type',
]);
const wellKnownPrefixes = ['karpenter.k8s.aws/instance-', 'karpenter.k8s.aws/ec2nodeclass'];

export function isWellKnownLabel(key: string): boolean {
  return wellKnownLabels.has(key) || wellKnownPrefixes.some((p) => key.startsWith(p));
}

export function constraintOf(r: NodeSelectorRequirement): Constraint {
  const values = new Set((r.values ?? []).map(String));
  switch (r.operator) {
    case 'In':
      return { complement: false, values };
    case 'NotIn':
      return { complement: true, values };
    case 'Exists':
      return { complement: true, values: new Set() };
    case 'DoesNotExist':
      return { complement: false, values: new Set() };
    case 'Gt':
      return { complement: true, values: new Set(), greaterThan: Number(r.values?.[0]) };
    case 'Lt':
      return { complement: true, values: new Set(), lessThan: Number(r.values?.[0]) };
  }
}

function withinBounds(value: string, c: Constraint): boolean {
  if (c.greaterThan === undefined && c.lessThan === undefined) return true;
  const n = Number(value);
  if (!Number.isInteger(n)) return false;
  return (c.greaterThan === undefined || n > c.greaterThan) && (c.lessThan === undefined || n < c.lessThan);
}

/** The values both constraints allow (Karpenter's Requirement.Intersection). */
export function intersect(a: Constraint, b: Constraint): Constraint {
  const greaterThan = maxDefined(a.greaterThan, b.greaterThan);
  const lessThan = minDefined(a.lessThan, b.lessThan);
  let complement: boolean;
  let values: Set<string>;
  if (a.complement && b.complement) {
    complement = true;
    values = new Set([...a.values, ...b.values]);
  } else if (a.complement) {
    complement = false;
    values = new Set([...b.values].filter((v) => !a.values.has(v)));
  } else if (b.complement) {
    complement = false;
    values = new Set([...a.values].filter((v) => !b.values.has(v)));
  } else {
    complement = false;
    values = new Set([...a.values].filter((v) => b.values.has(v)));
  }
  const out: Constraint = { complement, values };
  if (greaterThan !== undefined) out.greaterThan = greaterThan;
  if (lessThan !== undefined) out.lessThan = lessThan;
  if (!complement) out.values = new Set([...values].filter((v) => withinBounds(v, out)));
  return out;
}

function maxDefined(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined ? b : b === undefined ? a : Math.max(a, b);
}
function minDefined(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined ? b : b === undefined ? a : Math.min(a, b);
}

/** Whether some label value satisfies the constraint. */
export function allowsSomeValue(c: Constraint): boolean {
  if (!c.complement) return c.values.size > 0;
  if (c.greaterThan !== undefined && c.lessThan !== undefined) return c.lessThan - c.greaterThan > 1;
  return true;
}

/** Whether a node without the label satisfies the constraint (NotIn, DoesNotExist). */
export function allowsAbsence(c: Constraint): boolean {
  return (
    c.greaterThan === undefined &&
    c.lessThan === undefined &&
    (c.complement ? c.values.size > 0 : c.values.size === 0)
  );
}

/** All constraints on one side, by label key; several on one key are intersected. */
export type Requirements = Map<string, Constraint>;

export function requirementsOf(list: readonly NodeSelectorRequirement[]): Requirements {
  const out: Requirements = new Map();
  for (const r of list) {
    const c = constraintOf(r);
    const existing = out.get(r.key);
    out.set(r.key, existing ? intersect(existing, c) : c);
  }
  return out;
}

export function describeConstraint(key: string, c: Constraint): string {
  const values = [...c.values].sort().join(', ');
  if (c.greaterThan !== undefined || c.lessThan !== undefined) {
    return `${key} ${c.greaterThan !== undefined ? `> ${c.greaterThan}` : ''}${c.lessThan !== undefined ? ` < ${c.lessThan}` : ''}`.trim();
  }
  if (c.complement) return c.values.size === 0 ? `${key} exists` : `${key} not in {${values}}`;
  return c.values.size === 0 ? `no ${key} label` : `${key} in {${values}}`;
}

/** Why a pod's requirements cannot land on a NodePool; undefined when they can. */
export function incompatibility(pod: Requirements, pool: Requirements): string | undefined {
  for (const [key, wanted] of pod) {
    const offered = pool.get(key);
    if (offered === undefined) {
      if (isWellKnownLabel(key) || allowsAbsence(wanted)) continue;
      return `the pod needs ${describeConstraint(key, wanted)} but the NodePool neither labels nor requires ${key}`;
    }
    const both = intersect(wanted, offered);
    if (allowsSomeValue(both) || (allowsAbsence(wanted) && allowsAbsence(offered))) continue;
    return `the pod needs ${describeConstraint(key, wanted)} but the NodePool offers ${describeConstraint(key, offered)}`;
  }
  return undefined;
}
