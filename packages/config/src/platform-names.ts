import type { Environment } from './environment.js';

/** Where a Pod Identity role is bound: the namespace and the service accounts that may use it. */
export interface PodIdentityBinding {
  namespace: string;
  /** The manifests must create exactly these service accounts (set their names explicitly). */
  serviceAccounts: readonly string[];
}

/** A place in S3: a bucket and a key prefix (ending in `/`, or `''` for the whole bucket). */
export interface S3Location {
  bucket: string;
  prefix: string;
}

/**
 * Names that both the infrastructure (cdktf) and the manifests (Argo CD apps) use. Deriving them from
 * the environment in one place is what keeps the two sides from disagreeing: no ARN or queue name
 * is ever copied by hand.
 */
export interface PlatformNames {
  clusterName: string;
  /** EKS managed node group for system pods; its nodes carry `eks.amazonaws.com/nodegroup: <this>`. */
  systemNodeGroup: string;
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
    /** External Secrets Operator: reads the platform's secrets (prefix `secretsPrefix`) only. */
    externalSecrets: string;
    /** AWS Load Balancer Controller: manages the ALBs of Ingresses. */
    awsLoadBalancerController: string;
    /** Spark History Server: reads the Spark event logs. */
    sparkHistoryServer: string;
    /** One role per Spark team, used by its drivers and executors. */
    sparkTeams: Record<string, string>;
  };
  /** Which namespace and service accounts each role of `podIdentityRoles` is bound to (same keys). */
  podIdentityBindings: {
    airflow: PodIdentityBinding;
    livy: PodIdentityBinding;
    karpenterController: PodIdentityBinding;
    efsCsi: PodIdentityBinding;
    ebsCsi: PodIdentityBinding;
    externalSecrets: PodIdentityBinding;
    awsLoadBalancerController: PodIdentityBinding;
    sparkHistoryServer: PodIdentityBinding;
    sparkTeams: Record<string, PodIdentityBinding>;
  };
  /**
   * AWS Secrets Manager names. Every secret the platform creates starts with `secretsPrefix`, and the
   * External Secrets role may read nothing else (plus the RDS-managed master secret, by ARN).
   */
  secrets: {
    secretsPrefix: string;
    airflowFernetKey: string;
    airflowApiSecretKey: string;
    airflowJwtSecret: string;
    /** Password of the chart's in-cluster Postgres (database type in-cluster only). */
    airflowPostgresPassword: string;
    /**
     * The Git connection of the DAG bundle (a read-only repository token): the one value infra/
     * cannot generate. infra/ creates the secret empty; an operator puts the token in once.
     */
    airflowGitConnection: string;
  };
  /** The Airflow metadata database infra/ provisions (database type rds). */
  airflowDatabase: {
    /** RDS instance identifier (also names its subnet group, parameter group, security group). */
    identifier: string;
    /** Whether infra/ provisions it: true for database type rds. */
    provisioned: boolean;
    databaseName: string;
  };
  /** ECR repository names (without registry) of the images the environment pins in its own registry. */
  ecrRepositories: string[];
  /** The S3 places the platform writes to; the IAM policies grant exactly these. */
  storage: {
    /** Airflow `remote_base_log_folder` (as `s3Url(..., 's3')`). */
    airflowRemoteLogs: S3Location;
    /** Spark `spark.kubernetes.file.upload.path` for batches Livy submits with local files. */
    livyUploads: S3Location;
    /** Spark `spark.eventLog.dir` per team (as `s3Url(..., 's3a')`). */
    sparkEventLogs: Record<string, S3Location>;
  };
}

/** Release and service-account names the Airflow chart must be given (each component's `serviceAccount.name`). */
const airflowServiceAccounts = [
  'airflow-api-server',
  'airflow-dag-processor',
  'airflow-scheduler',
  'airflow-triggerer',
  'airflow-worker',
] as const;

export function platformNames(env: Environment): PlatformNames {
  const cluster = env.cluster.name;
  const teams = env.spark.teams;
  const buckets = env.storage.buckets;
  return {
    clusterName: cluster,
    systemNodeGroup: 'system',
    karpenterInterruptionQueue: `${cluster}-karpenter`,
    karpenterNodeRole: `${cluster}-karpenter-node`,
    karpenterDiscoveryTag: cluster,
    podIdentityRoles: {
      airflow: `${cluster}-airflow`,
      livy: `${cluster}-livy`,
      karpenterController: `${cluster}-karpenter-controller`,
      efsCsi: `${cluster}-efs-csi`,
      ebsCsi: `${cluster}-ebs-csi`,
      externalSecrets: `${cluster}-external-secrets`,
      awsLoadBalancerController: `${cluster}-aws-load-balancer-controller`,
      sparkHistoryServer: `${cluster}-spark-history-server`,
      sparkTeams: Object.fromEntries(teams.map((t) => [t.name, `${cluster}-spark-${t.name}`])),
    },
    podIdentityBindings: {
      airflow: { namespace: 'airflow', serviceAccounts: airflowServiceAccounts },
      livy: { namespace: 'livy', serviceAccounts: ['livy'] },
      karpenterController: { namespace: 'karpenter', serviceAccounts: ['karpenter'] },
      // The EKS add-ons create these two themselves.
      efsCsi: { namespace: 'kube-system', serviceAccounts: ['efs-csi-controller-sa'] },
      ebsCsi: { namespace: 'kube-system', serviceAccounts: ['ebs-csi-controller-sa'] },
      externalSecrets: { namespace: 'external-secrets', serviceAccounts: ['external-secrets'] },
      awsLoadBalancerController: {
        namespace: 'kube-system',
        serviceAccounts: ['aws-load-balancer-controller'],
      },
      sparkHistoryServer: { namespace: 'spark-history', serviceAccounts: ['spark-history-server'] },
      sparkTeams: Object.fromEntries(
        teams.map((t) => [t.name, { namespace: t.namespace, serviceAccounts: ['spark'] }]),
      ),
    },
    secrets: {
      secretsPrefix: `${cluster}/`,
      airflowFernetKey: `${cluster}/airflow/fernet-key`,
      airflowApiSecretKey: `${cluster}/airflow/api-secret-key`,
      airflowJwtSecret: `${cluster}/airflow/jwt-secret`,
      airflowPostgresPassword: `${cluster}/airflow/postgres-password`,
      airflowGitConnection: `${cluster}/airflow/git-connection`,
    },
    airflowDatabase: {
      identifier: `${cluster}-airflow`,
      provisioned: env.components.airflow.database.type === 'rds',
      databaseName: 'airflow',
    },
    ecrRepositories: ownEcrRepositories(env),
    storage: {
      airflowRemoteLogs: { bucket: buckets.logs, prefix: 'airflow-logs/' },
      livyUploads: { bucket: buckets.data, prefix: 'livy-uploads/' },
      sparkEventLogs: Object.fromEntries(
        teams.map((t) => [t.name, { bucket: buckets.sparkEventLogs, prefix: `${t.name}/` }]),
      ),
    },
  };
}

/**
 * The repositories (path after the registry host) of the images an environment pins in the ECR
 * registry of its own account and region: the ones its stack creates. Images elsewhere (a mirror,
 * another account) are not its to create.
 */
function ownEcrRepositories(env: Environment): string[] {
  const registry = `${env.aws.accountId}.dkr.ecr.${env.aws.region}.amazonaws.com/`;
  const images = [env.components.airflow.image, env.components.livy.image, env.spark.jobImage];
  const own = images.map((i) => i.repository).filter((r) => r.startsWith(registry));
  return [...new Set(own.map((r) => r.slice(registry.length)))].sort();
}

export function roleArn(env: Environment, roleName: string): string {
  return `arn:${awsPartition(env.aws.region)}:iam::${env.aws.accountId}:role/${roleName}`;
}

/** The AWS partition a region belongs to (ARNs differ between them). */
export function awsPartition(region: string): 'aws' | 'aws-us-gov' {
  return region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws';
}

/** `s3://bucket/prefix` (Airflow, AWS CLI) or `s3a://bucket/prefix` (open-source Spark's Hadoop S3A). */
export function s3Url(location: S3Location, scheme: 's3' | 's3a' = 's3'): string {
  const prefix = location.prefix.replace(/\/+$/, '');
  return prefix === '' ? `${scheme}://${location.bucket}` : `${scheme}://${location.bucket}/${prefix}`;
}
