/**
 * The labels of the nodes that exist before Karpenter does: the one source for the EKS managed
 * system node group (infra/src/stack/system-nodes.ts), the validator's idea of which nodes an
 * environment can have, and the `local` cluster's node (docs/adr/0031-platform-pods-on-system-nodes.md).
 *
 * The platform's long-running pods (Argo CD, the Spark Operator, Airflow, Livy) select
 * PLATFORM_NODE_SELECTOR. The system node group carries it, so they schedule the moment they sync,
 * before Karpenter (synced by that same Argo CD) can launch anything; Karpenter's NodePool
 * `general` carries the same label, so the platform can grow onto Karpenter nodes later. A key of
 * its own, not `NodeGroupType`: that one names the Karpenter pool (spark-driver, spark-executor,
 * general), and the local cluster's single node takes a Spark pool's value as Karpenter's stand-in.
 */
export const PLATFORM_NODE_SELECTOR = { 'airspark.dev/platform': 'true' } as const;

/** Every label the system node group's nodes carry (besides the ones EKS and the kubelet add). */
export const SYSTEM_NODE_GROUP_LABELS = {
  ...PLATFORM_NODE_SELECTOR,
  'airspark.dev/node-group': 'system',
} as const;
