import type { Environment } from '@airspark/config';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider/index.js';
import { S3Backend, TerraformOutput, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { STACK_OUTPUTS, type StackOutputKey, stackName } from '../handoff/stack-outputs.js';
import { NodeAddons, WorkloadAddons } from './addons.js';
import { type AwsContext, awsContext } from './aws-context.js';
import { Cluster } from './cluster.js';
import { FlowLogs } from './flow-logs.js';
import { ImageRepositories } from './image-repositories.js';
import { Karpenter } from './karpenter.js';
import { MetadataDatabase } from './metadata-database.js';
import { Network } from './network.js';
import { PlatformKey } from './platform-key.js';
import { PlatformRoles } from './platform-roles.js';
import { PlatformSecrets } from './platform-secrets.js';
import { SharedFileSystem } from './shared-file-system.js';
import { StorageBuckets } from './storage-buckets.js';
import { SystemNodes } from './system-nodes.js';
import { WorkloadRoles } from './workload-roles.js';

/**
 * S3-native state locking (a lock file beside the state) needs Terraform 1.10 or newer; the
 * write-only arguments that keep generated secrets out of the state (platform-secrets.ts) need 1.11.
 */
export const REQUIRED_TERRAFORM_VERSION = '>= 1.11.0';

export const stateKey = (envName: string): string => `airspark/${envName}/terraform.tfstate`;

/** Everything AWS provides to one environment, as one Terraform stack. */
export class AirsparkStack extends TerraformStack {
  readonly context: AwsContext;

  constructor(scope: Construct, envName: string, environment: Environment) {
    super(scope, stackName(envName));
    const context = awsContext(envName, environment);
    this.context = context;

    new AwsProvider(this, 'aws', {
      region: context.region,
      // Applying dev's stack with prod's credentials (or the reverse) fails before changing anything.
      allowedAccountIds: [context.accountId],
      defaultTags: [
        {
          tags: {
            'airspark.dev/environment': envName,
            'airspark.dev/stack': stackName(envName),
            'airspark.dev/managed-by': 'cdktf',
          },
        },
      ],
    });
    new S3Backend(this, {
      bucket: environment.terraformState.bucket,
      key: stateKey(envName),
      region: environment.terraformState.region ?? context.region,
      encrypt: true,
    });
    // cdktf 0.21 predates `use_lockfile`; the override writes it into the backend block.
    this.addOverride('terraform.backend.s3.use_lockfile', true);
    this.addOverride('terraform.required_version', REQUIRED_TERRAFORM_VERSION);

    const network = new Network(this, 'network', context);
    const platformKey = new PlatformKey(this, 'platform-key', context).key;
    const { cluster } = new Cluster(this, 'cluster', context, network, platformKey.arn);
    new FlowLogs(this, 'flow-logs', { context, network, platformKeyArn: platformKey.arn });
    const nodeAddons = new NodeAddons(this, 'node-addons', cluster);
    const systemNodes = new SystemNodes(this, 'system-nodes', {
      context,
      cluster,
      network,
      after: nodeAddons.addons,
    });
    const workloadAddons = new WorkloadAddons(this, 'workload-addons', {
      context,
      cluster,
      after: [systemNodes.nodeGroup],
    });
    const storage = new StorageBuckets(this, 'storage', context, platformKey.arn);
    const fileSystem = new SharedFileSystem(this, 'shared-file-system', { context, network, cluster });
    const karpenter = new Karpenter(this, 'karpenter', { context, cluster });
    const workloads = new WorkloadRoles(this, 'workload-roles', { context, cluster, storage });
    const { database } = environment.components.airflow;
    const metadataDatabase =
      database.type === 'rds' && database.rds
        ? new MetadataDatabase(this, 'airflow-database', {
            context,
            network,
            cluster,
            settings: database.rds,
            platformKeyArn: platformKey.arn,
          })
        : undefined;
    const databaseSecretArn = metadataDatabase?.instance.masterUserSecret.get(0).secretArn;
    new PlatformSecrets(this, 'platform-secrets', {
      context,
      stack: this,
      platformKeyArn: platformKey.arn,
      inClusterPostgres: database.type === 'in-cluster',
    });
    const platformRoles = new PlatformRoles(this, 'platform-roles', {
      context,
      cluster,
      vpcId: network.vpc.id,
      platformKeyArn: platformKey.arn,
      s3KeyArn: storage.key.key.arn,
      ...(databaseSecretArn ? { databaseSecretArn } : {}),
    });
    new ImageRepositories(this, 'image-repositories', { context, platformKeyArn: platformKey.arn });

    const output = (key: StackOutputKey, value: unknown, description: string) =>
      new TerraformOutput(this, STACK_OUTPUTS[key], { value, description });
    output('clusterName', cluster.name, 'EKS cluster name');
    output('clusterArn', cluster.arn, 'EKS cluster ARN');
    output('clusterEndpoint', cluster.endpoint, 'Kubernetes API endpoint');
    output('vpcId', network.vpc.id, 'VPC id');
    output('efsFileSystemId', fileSystem.fileSystem.id, 'EFS file system for shared Spark data');
    output(
      'efsAccessPointId',
      fileSystem.accessPoint.id,
      'EFS access point (uid/gid 185) for shared Spark data',
    );
    output('karpenterInterruptionQueue', karpenter.queue.name, 'SQS queue of Karpenter interruption events');
    output(
      'podIdentityRoleArns',
      Object.fromEntries(
        Object.entries({
          ...workloads.roles,
          ...workloadAddons.roles,
          ...platformRoles.roles,
          karpenterController: karpenter.controllerRole,
        }).map(([key, role]) => [key, role.role.arn]),
      ),
      'IAM roles bound through EKS Pod Identity, by platformNames key',
    );
    if (metadataDatabase) {
      output(
        'airflowDatabaseAddress',
        metadataDatabase.instance.address,
        'Host name of the Airflow metadata database (RDS PostgreSQL)',
      );
      output(
        'airflowDatabaseSecretArn',
        databaseSecretArn,
        'ARN of the RDS-managed Secrets Manager secret with the database master credentials (not the password)',
      );
    }
  }
}
