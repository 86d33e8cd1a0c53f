import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group/index.js';
import { DbInstance } from '@cdktf/provider-aws/lib/db-instance/index.js';
import { DbParameterGroup } from '@cdktf/provider-aws/lib/db-parameter-group/index.js';
import { DbSubnetGroup } from '@cdktf/provider-aws/lib/db-subnet-group/index.js';
import type { EksCluster } from '@cdktf/provider-aws/lib/eks-cluster/index.js';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role/index.js';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment/index.js';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group/index.js';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule/index.js';
import { Construct } from 'constructs';
import { type AwsContext, awsManagedPolicy } from './aws-context.js';
import type { Network } from './network.js';
import { policyJson, serviceTrust } from './policy.js';

export const POSTGRES_PORT = 5432;
/** The PostgreSQL log RDS ships to CloudWatch (connections, errors, slow statements). */
export const DATABASE_LOG_RETENTION_DAYS = 90;
/** Master user name: RDS keeps its password in Secrets Manager; Airflow connects as this user. */
export const DATABASE_MASTER_USER = 'airflow';
/** Enhanced Monitoring: OS metrics of the instance every minute (CPU steal, memory, I/O per process). */
export const MONITORING_INTERVAL_SECONDS = 60;

export type RdsSettings = NonNullable<AwsContext['environment']['components']['airflow']['database']['rds']>;

/**
 * Airflow's metadata database: RDS PostgreSQL (docs/adr/0040-airflow-metadata-database-rds.md).
 * - private subnets only, not publicly accessible; a security group admitting PostgreSQL only from
 *   the EKS cluster security group (every node, so every pod, carries it);
 * - storage, Performance Insights and the master secret encrypted with the platform key;
 * - the master password generated and kept by RDS in Secrets Manager (`manage_master_user_password`):
 *   it never passes through Terraform, so it is in neither the plan nor the state;
 * - TLS required (`rds.force_ssl`), IAM authentication on, the PostgreSQL log in an encrypted group;
 * - Multi-AZ, backups and deletion protection as environment.yaml says (prod: all on); a final
 *   snapshot on deletion everywhere.
 */
export class MetadataDatabase extends Construct {
  readonly instance: DbInstance;
  readonly securityGroup: SecurityGroup;

  constructor(
    scope: Construct,
    id: string,
    props: {
      context: AwsContext;
      network: Network;
      cluster: EksCluster;
      settings: RdsSettings;
      platformKeyArn: string;
    },
  ) {
    super(scope, id);
    const { context, network, cluster, settings, platformKeyArn } = props;
    const { identifier, databaseName } = context.names.airflowDatabase;
    const major = settings.engineVersion.split('.')[0] as string;

    const subnets = new DbSubnetGroup(this, 'subnets', {
      name: identifier,
      description: `Private subnets of ${identifier}`,
      subnetIds: network.privateSubnets.map((s) => s.id),
    });

    this.securityGroup = new SecurityGroup(this, 'security-group', {
      name: `${identifier}-db`,
      description: `PostgreSQL from the nodes of ${context.names.clusterName} to ${identifier}`,
      vpcId: network.vpc.id,
      tags: { Name: `${identifier}-db` },
    });
    new VpcSecurityGroupIngressRule(this, 'postgres-from-cluster', {
      securityGroupId: this.securityGroup.id,
      description: 'PostgreSQL from the cluster nodes and pods',
      ipProtocol: 'tcp',
      fromPort: POSTGRES_PORT,
      toPort: POSTGRES_PORT,
      referencedSecurityGroupId: cluster.vpcConfig.clusterSecurityGroupId,
    });

    const parameters = new DbParameterGroup(this, 'parameters', {
      name: `${identifier}-postgres${major}`,
      family: `postgres${major}`,
      description: `TLS-only PostgreSQL ${major} for ${identifier}`,
      parameter: [
        { name: 'rds.force_ssl', value: '1' },
        // Statements slower than 5 s go to the log: enough to find a scheduler query gone bad.
        { name: 'log_min_duration_statement', value: '5000' },
      ],
      lifecycle: { createBeforeDestroy: true },
    });

    // Created before the instance so that RDS does not create it unencrypted and kept forever.
    const logs = new CloudwatchLogGroup(this, 'logs', {
      name: `/aws/rds/instance/${identifier}/postgresql`,
      retentionInDays: DATABASE_LOG_RETENTION_DAYS,
      kmsKeyId: platformKeyArn,
    });

    // Enhanced Monitoring's agent publishes OS metrics to CloudWatch Logs as this role.
    const monitoring = new IamRole(this, 'monitoring-role', {
      name: `${identifier}-rds-monitoring`,
      description: `RDS Enhanced Monitoring of ${identifier}`,
      assumeRolePolicy: policyJson(serviceTrust('monitoring.rds.amazonaws.com')),
    });
    // RDS would create Enhanced Monitoring's group unencrypted and kept forever; made here first.
    const osMetrics = new CloudwatchLogGroup(this, 'os-metrics', {
      name: 'RDSOSMetrics',
      retentionInDays: DATABASE_LOG_RETENTION_DAYS,
      kmsKeyId: platformKeyArn,
    });
    const monitoringPolicy = new IamRolePolicyAttachment(this, 'monitoring-policy', {
      role: monitoring.name,
      policyArn: awsManagedPolicy(context, 'service-role/AmazonRDSEnhancedMonitoringRole'),
    });

    this.instance = new DbInstance(this, 'instance', {
      identifier,
      engine: 'postgres',
      engineVersion: settings.engineVersion,
      autoMinorVersionUpgrade: true,
      instanceClass: settings.instanceClass,
      dbName: databaseName,
      username: DATABASE_MASTER_USER,
      manageMasterUserPassword: true,
      masterUserSecretKmsKeyId: platformKeyArn,
      port: POSTGRES_PORT,
      dbSubnetGroupName: subnets.name,
      vpcSecurityGroupIds: [this.securityGroup.id],
      publiclyAccessible: false,
      multiAz: settings.multiAz,
      storageType: 'gp3',
      allocatedStorage: settings.allocatedStorageGiB,
      maxAllocatedStorage: settings.maxAllocatedStorageGiB,
      storageEncrypted: true,
      kmsKeyId: platformKeyArn,
      parameterGroupName: parameters.name,
      iamDatabaseAuthenticationEnabled: true,
      backupRetentionPeriod: settings.backupRetentionDays,
      copyTagsToSnapshot: true,
      deletionProtection: settings.deletionProtection,
      skipFinalSnapshot: false,
      finalSnapshotIdentifier: `${identifier}-final`,
      performanceInsightsEnabled: true,
      performanceInsightsKmsKeyId: platformKeyArn,
      performanceInsightsRetentionPeriod: 7,
      enabledCloudwatchLogsExports: ['postgresql'],
      monitoringInterval: MONITORING_INTERVAL_SECONDS,
      monitoringRoleArn: monitoring.arn,
      dependsOn: [logs, osMetrics, monitoringPolicy],
    });
  }
}
