import type { Environment } from './environment.js';

/**
 * The EKS managed system node group, as one definition that both the infrastructure code (infra/,
 * which creates it) and the validator (which places pods on it) read.
 */

/** Used when environment.yaml leaves cluster.systemNodeGroup out. */
export const DEFAULT_SYSTEM_NODE_GROUP = {
  instanceTypes: ['m7i.large'],
  minSize: 2,
  maxSize: 3,
  desiredSize: 2,
} as const;

/**
 * Kubernetes labels of every system node. The platform's long-running pods (Argo CD, the Spark
 * Operator, Livy, Airflow) select `NodeGroupType: general`; at bootstrap, and until the Karpenter
 * `general` NodePool is synced (wave 30), the system nodes are the only nodes there are, so they carry
 * that label too. Without it those pods stay Pending and the sync waves never finish
 * (xref/pod-placement).
 */
export const SYSTEM_NODE_LABELS: Readonly<Record<string, string>> = {
  'airspark.dev/node-group': 'system',
  NodeGroupType: 'general',
};

/** Graviton instance types carry a `g` after the generation digit: m7g, c7gn, r8gd. */
export const isArmInstanceType = (instanceType: string): boolean => /^[a-z]+\d+g[a-z]*\./.test(instanceType);

/** What the system node group of an environment offers a pod: its labels and well-known node labels. */
export interface SystemNodeGroup {
  name: string;
  instanceTypes: readonly string[];
  zones: readonly string[];
  labels: Readonly<Record<string, string>>;
}

export function systemNodeGroupOf(environment: Environment, name = 'system'): SystemNodeGroup {
  const sizes = environment.cluster.systemNodeGroup ?? DEFAULT_SYSTEM_NODE_GROUP;
  return {
    name,
    instanceTypes: [...sizes.instanceTypes],
    zones: [...(environment.network?.availabilityZones ?? [])],
    labels: SYSTEM_NODE_LABELS,
  };
}
