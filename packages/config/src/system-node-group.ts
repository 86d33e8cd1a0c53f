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
 * The label the platform's long-running pods (Argo CD, the Spark Operator, Livy, Airflow, the Spark
 * History Server) select (docs/adr/0031-platform-pods-on-system-nodes.md). The system node group
 * carries it, so they schedule the moment they sync, before Karpenter (synced by that same Argo CD)
 * can launch anything; Karpenter's NodePool `general` carries it too, so the platform can grow onto
 * Karpenter nodes later. A key of its own, not `NodeGroupType`: that one names the Karpenter pool
 * (spark-driver, spark-executor, general), and the local cluster's single node takes a Spark pool's
 * value as Karpenter's stand-in.
 */
export const PLATFORM_NODE_SELECTOR = { 'airspark.dev/platform': 'true' } as const;

/**
 * Kubernetes labels of every system node (besides the ones EKS and the kubelet add): one source for
 * the EKS managed node group (infra/src/stack/system-nodes.ts), the validator's idea of which nodes an
 * environment can have (xref/pod-placement) and the `local` cluster's node.
 */
export const SYSTEM_NODE_LABELS: Readonly<Record<string, string>> = {
  ...PLATFORM_NODE_SELECTOR,
  'airspark.dev/node-group': 'system',
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
