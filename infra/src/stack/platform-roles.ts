import type { EksCluster } from '@cdktf/provider-aws/lib/eks-cluster/index.js';
import { Construct } from 'constructs';
import type { AwsContext } from './aws-context.js';
import { loadBalancerControllerStatements } from './load-balancer-controller-policy.js';
import { PodIdentityRole } from './pod-identity-role.js';
import { type PolicyStatement, policy } from './policy.js';
import { s3KeyUse, sidPart } from './s3-access.js';

export interface PlatformRolesProps {
  context: AwsContext;
  cluster: EksCluster;
  vpcId: string;
  platformKeyArn: string;
  s3KeyArn: string;
  /** ARN of the RDS-managed master secret of the Airflow database, when infra/ provisions one. */
  databaseSecretArn?: string;
}

/**
 * Pod Identity roles of the platform's own controllers:
 * - External Secrets Operator: read (never list, write or delete) the secrets under the platform's
 *   prefix and the RDS-managed database secret, decrypt them with the platform key through Secrets
 *   Manager only;
 * - AWS Load Balancer Controller: upstream's policy narrowed to this account, region and VPC;
 * - Spark History Server: read the Spark event logs of the team folders, nothing else.
 */
export class PlatformRoles extends Construct {
  readonly roles: Record<
    'externalSecrets' | 'awsLoadBalancerController' | 'sparkHistoryServer',
    PodIdentityRole
  >;

  constructor(scope: Construct, id: string, props: PlatformRolesProps) {
    super(scope, id);
    const { context, cluster } = props;
    const { names, partition, region, accountId } = context;
    const role = (key: keyof PlatformRoles['roles'], description: string, statements: PolicyStatement[]) =>
      new PodIdentityRole(this, key, {
        context,
        cluster,
        roleName: names.podIdentityRoles[key],
        binding: names.podIdentityBindings[key],
        description,
        permissions: policy(...statements),
      });

    const secretArns = [
      `arn:${partition}:secretsmanager:${region}:${accountId}:secret:${names.secrets.secretsPrefix}*`,
      ...(props.databaseSecretArn ? [props.databaseSecretArn] : []),
    ];
    const externalSecrets = role('externalSecrets', `External Secrets Operator of ${names.clusterName}`, [
      {
        Sid: 'ReadPlatformSecrets',
        Effect: 'Allow',
        Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
        Resource: secretArns,
      },
      {
        Sid: 'DecryptThroughSecretsManager',
        Effect: 'Allow',
        Action: 'kms:Decrypt',
        Resource: props.platformKeyArn,
        Condition: { StringEquals: { 'kms:ViaService': `secretsmanager.${region}.amazonaws.com` } },
      },
    ]);

    const loadBalancerController = role(
      'awsLoadBalancerController',
      `AWS Load Balancer Controller of ${names.clusterName}`,
      loadBalancerControllerStatements(context, props.vpcId),
    );

    const eventLogs = Object.values(names.storage.sparkEventLogs);
    const eventLogBucket = context.environment.storage.buckets.sparkEventLogs;
    const bucketArn = `arn:${partition}:s3:::${eventLogBucket}`;
    const historyServer = role('sparkHistoryServer', `Spark History Server of ${names.clusterName}`, [
      { Sid: 'LocateSparkEventLogs', Effect: 'Allow', Action: 's3:GetBucketLocation', Resource: bucketArn },
      {
        Sid: 'ListSparkEventLogs',
        Effect: 'Allow',
        Action: 's3:ListBucket',
        Resource: bucketArn,
        Condition: { StringLike: { 's3:prefix': eventLogs.flatMap((l) => [l.prefix, `${l.prefix}*`]) } },
      },
      {
        Sid: `Read${sidPart('spark-event-logs')}`,
        Effect: 'Allow',
        Action: 's3:GetObject',
        Resource: eventLogs.map((l) => `${bucketArn}/${l.prefix}*`),
      },
      s3KeyUse(context, props.s3KeyArn, ['kms:Decrypt']),
    ]);

    this.roles = {
      externalSecrets,
      awsLoadBalancerController: loadBalancerController,
      sparkHistoryServer: historyServer,
    };
  }
}
