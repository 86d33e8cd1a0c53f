import type { Finding } from '@airspark/findings';
import { findingAt } from '../finding-at.js';
import { rules } from '../rules.js';
import type { SparkPodPlacement } from '../spark/spark-pods.js';
import { effectiveCapacityTypes, type NodePoolOffer, tolerates } from './node-pools.js';
import {
  CAPACITY_TYPE,
  type Constraint,
  describeConstraint,
  incompatibility,
  type NodeSelectorRequirement,
  type Requirements,
  requirementsOf,
} from './node-requirements.js';

/** Capacity that AWS does not take back at two minutes' notice. */
const STABLE_CAPACITY = new Set(['on-demand', 'reserved']);

/** The pod's alternatives: its nodeSelector together with each required affinity term. */
function alternativesOf(pod: SparkPodPlacement): Requirements[] {
  const selector: NodeSelectorRequirement[] = Object.entries(pod.nodeSelector).map(([key, value]) => ({
    key,
    operator: 'In',
    values: [value],
  }));
  const terms = pod.requiredTerms && pod.requiredTerms.length > 0 ? pod.requiredTerms : [[]];
  return terms.map((term) => requirementsOf([...selector, ...term]));
}

interface Fit {
  pool: NodePoolOffer;
  alternative: Requirements;
}

function describeRequirements(alternative: Requirements | undefined): string {
  const parts = alternative ? [...alternative].map(([key, c]) => describeConstraint(key, c)) : [];
  return parts.length > 0 ? parts.join(', ') : 'no node constraints';
}

/** The pools a pod can land on, and why every other pool is out. */
export function fitsOf(
  pod: SparkPodPlacement,
  pools: readonly NodePoolOffer[],
): { fits: Fit[]; reasons: string[] } {
  const fits: Fit[] = [];
  const reasons: string[] = [];
  for (const pool of pools) {
    const untolerated = pool.taints.filter(
      (t) => (t.effect === 'NoSchedule' || t.effect === 'NoExecute') && !tolerates(pod.tolerations, t),
    );
    if (untolerated.length > 0) {
      const taint = untolerated[0] as { key: string; value?: string; effect: string };
      reasons.push(
        `${pool.name}: taint ${taint.key}${taint.value ? `=${taint.value}` : ''}:${taint.effect} is not tolerated`,
      );
      continue;
    }
    let why: string | undefined;
    for (const alternative of alternativesOf(pod)) {
      why = incompatibility(alternative, pool.requirements);
      if (why === undefined) fits.push({ pool, alternative });
    }
    if (!fits.some((f) => f.pool === pool) && why) reasons.push(`${pool.name}: ${why}`);
  }
  return { fits, reasons };
}

function onlyStable(c: Constraint | undefined): boolean {
  return (
    c !== undefined &&
    !c.complement &&
    c.values.size > 0 &&
    [...c.values].every((v) => STABLE_CAPACITY.has(v))
  );
}

function allowsSpot(c: Constraint | undefined): boolean {
  return c !== undefined && (c.complement ? !c.values.has('spot') : c.values.has('spot'));
}

/**
 * Checks that each Spark pod's node constraints match at least one NodePool of its environment (a
 * pod that matches none stays Pending for ever), that drivers only land on on-demand capacity
 * (losing a driver loses the whole job) and that executors may use spot (they are retried).
 */
export function checkSparkPlacement(
  pods: readonly SparkPodPlacement[],
  pools: readonly NodePoolOffer[],
  /** Why this environment has no Karpenter by design (a local cluster): then "no NodePool" is a warning. */
  noKarpenterReason?: string,
): Finding[] {
  const findings: Finding[] = [];
  for (const pod of pods) {
    const where = { path: pod.path };
    const subject = `the Spark ${pod.role} of ${pod.origin}`;
    if (pools.length === 0) {
      const finding = findingAt(pod.rendered, {
        rule: rules.sparkPlacement,
        message:
          noKarpenterReason === undefined
            ? `${subject} needs a node, but environment ${pod.rendered.env} renders no Karpenter NodePool; enable the karpenter component or remove the Spark workload.`
            : `${subject} has no Karpenter NodePool in ${pod.rendered.env} (${noKarpenterReason}); it schedules only on a node labelled for its pool by hand.`,
        ...where,
      });
      findings.push(noKarpenterReason === undefined ? finding : { ...finding, severity: 'warning' });
      continue;
    }
    const { fits, reasons } = fitsOf(pod, pools);
    if (fits.length === 0) {
      const alternatives = alternativesOf(pod);
      findings.push(
        findingAt(pod.rendered, {
          rule: rules.sparkPlacement,
          message: `${subject} (${describeRequirements(alternatives[0])}) matches no NodePool of ${pod.rendered.env}, so it would stay Pending: ${reasons.join('; ')}. Fix its nodeSelector/affinity/tolerations or a NodePool.`,
          ...where,
        }),
      );
      continue;
    }
    const capacity = fits.map((f) => ({
      pool: f.pool.name,
      types: effectiveCapacityTypes(f.alternative, f.pool),
    }));
    if (pod.role === 'driver') {
      const unstable = capacity.filter((c) => !onlyStable(c.types));
      if (unstable.length > 0) {
        const pool = unstable[0] as { pool: string; types: Constraint | undefined };
        const offered = pool.types ? describeConstraint(CAPACITY_TYPE, pool.types) : `any ${CAPACITY_TYPE}`;
        findings.push(
          findingAt(pod.rendered, {
            rule: rules.sparkDriverOnDemand,
            message: `${subject} can land on spot capacity (NodePool ${pool.pool}: ${offered}); a reclaimed driver fails the whole job. Select ${CAPACITY_TYPE}: on-demand for the driver.`,
            ...where,
          }),
        );
      }
    } else if (!capacity.some((c) => allowsSpot(c.types))) {
      findings.push(
        findingAt(pod.rendered, {
          rule: rules.sparkExecutorSpot,
          message: `${subject} can only run on on-demand capacity (NodePools: ${[...new Set(capacity.map((c) => c.pool))].join(', ')}); executors are retried when reclaimed, so allow ${CAPACITY_TYPE}: spot to cut cost.`,
          ...where,
        }),
      );
    }
  }
  return findings;
}
