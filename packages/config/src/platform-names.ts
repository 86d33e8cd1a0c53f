import type { Environment } from './environment.js';

/**
 * Names that both the infrastructure (cdktf) and the manifests (Argo CD apps) use. Deriving them from
 * the environment in one place is what keeps the two sides from disagreeing: no ARN or queue name
 * is ever copied by hand.
 */
export interface PlatformNames {
  clusterName: string;
  /** SQS queue Karpenter reads interruption events from (chart setting `settings.interruptionQueue`). */
  karpenterInterruptionQueue: string;
  /** IAM role of the nodes Karpenter launches (EC2NodeClass `spec.role`). */
  karpenterNodeRole: string;
  /** Tag value on subnets and security groups that Karpenter discovers (`karpenter.sh/discovery`). */
  karpenterDiscoveryTag: string;
  /** IAM roles bound to Kubernetes service accounts through EKS Pod Identity. */
  podIdentityRoles: {
    airflow: string;
    livy: string;
    karpenterController: string;
    efsCsi: string;
    ebsCsi: string;
    /** One role per Spark team, used by its drivers and executors. */
    sparkTeams: Record<string, string>;
  };
}

export function platformNames(env: Environment): PlatformNames {
  const cluster = env.cluster.name;
  return {
    clusterName: cluster,
    karpenterInterruptionQueue: `${cluster}-karpenter`,
    karpenterNodeRole: `${cluster}-karpenter-node`,
    karpenterDiscoveryTag: cluster,
    podIdentityRoles: {
      airflow: `${cluster}-airflow`,
      livy: `${cluster}-livy`,
      karpenterController: `${cluster}-karpenter-controller`,
      efsCsi: `${cluster}-efs-csi`,
      ebsCsi: `${cluster}-ebs-csi`,
      sparkTeams: Object.fromEntries(env.spark.teams.map((t) => [t.name, `${cluster}-spark-${t.name}`])),
    },
  };
}

export function roleArn(env: Environment, roleName: string): string {
  return `arn:aws:iam::${env.aws.accountId}:role/${roleName}`;
}
