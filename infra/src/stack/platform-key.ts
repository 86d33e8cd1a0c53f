import { KmsAlias } from '@cdktf/provider-aws/lib/kms-alias/index.js';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key/index.js';
import { Construct } from 'constructs';
import type { AwsContext } from './aws-context.js';
import { type PolicyStatement, policy, policyJson } from './policy.js';

/**
 * What the account itself may do with the key. The default key policy grants the account root
 * `kms:*`; listing the actions instead keeps the same meaning (IAM policies of the account decide
 * who may use the key) without a wildcard action the security checks would refuse.
 */
export const KEY_ACCOUNT_ACTIONS = [
  'kms:CancelKeyDeletion',
  'kms:CreateAlias',
  'kms:CreateGrant',
  'kms:Decrypt',
  'kms:DeleteAlias',
  'kms:DescribeKey',
  'kms:DisableKey',
  'kms:DisableKeyRotation',
  'kms:EnableKey',
  'kms:EnableKeyRotation',
  'kms:Encrypt',
  'kms:GenerateDataKey',
  'kms:GenerateDataKeyWithoutPlaintext',
  'kms:GetKeyPolicy',
  'kms:GetKeyRotationStatus',
  'kms:ListAliases',
  'kms:ListGrants',
  'kms:ListKeyPolicies',
  'kms:ListResourceTags',
  'kms:PutKeyPolicy',
  'kms:ReEncryptFrom',
  'kms:ReEncryptTo',
  'kms:RetireGrant',
  'kms:RevokeGrant',
  'kms:RotateKeyOnDemand',
  'kms:ScheduleKeyDeletion',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:UpdateAlias',
  'kms:UpdateKeyDescription',
];

/**
 * CloudWatch Logs log groups of this stack, by name pattern (the key policy admits only these):
 * the control plane's, the VPC flow logs', the database's, and Enhanced Monitoring's fixed, account-wide `RDSOSMetrics`
 * (one environment per account, so it is this stack's).
 */
export const platformLogGroupPatterns = (context: AwsContext): string[] => [
  `/aws/eks/${context.names.clusterName}/*`,
  `/aws/vpc/${context.names.clusterName}/*`,
  `/aws/rds/instance/${context.names.airflowDatabase.identifier}/*`,
  'RDSOSMetrics',
];

/**
 * The platform key: encrypts what is not S3 data or Kubernetes secrets (those have keys of their
 * own): the control-plane and database log groups, the Airflow metadata database and its
 * RDS-managed master secret, the platform's Secrets Manager secrets, the ECR repositories and the
 * S3 access-log bucket. CloudWatch Logs and S3 server access logging use a key only when the key
 * policy names them (an IAM policy cannot grant a service principal), so the policy does, each
 * limited to this account and to the log groups / buckets of this stack.
 */
export class PlatformKey extends Construct {
  readonly key: KmsKey;

  constructor(scope: Construct, id: string, context: AwsContext) {
    super(scope, id);
    const { accountId, region, partition, names } = context;
    const statements: PolicyStatement[] = [
      {
        Sid: 'AccountAdministersAndDelegatesToIam',
        Effect: 'Allow',
        Principal: { AWS: `arn:${partition}:iam::${accountId}:root` },
        Action: KEY_ACCOUNT_ACTIONS,
        Resource: '*',
      },
      {
        Sid: 'CloudWatchLogsOfThisStack',
        Effect: 'Allow',
        Principal: { Service: `logs.${region}.amazonaws.com` },
        Action: [
          'kms:Encrypt',
          'kms:Decrypt',
          'kms:ReEncryptFrom',
          'kms:ReEncryptTo',
          'kms:GenerateDataKey',
          'kms:GenerateDataKeyWithoutPlaintext',
          'kms:DescribeKey',
        ],
        Resource: '*',
        Condition: {
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': platformLogGroupPatterns(context).map(
              (pattern) => `arn:${partition}:logs:${region}:${accountId}:log-group:${pattern}`,
            ),
          },
        },
      },
      {
        Sid: 'S3ServerAccessLogDelivery',
        Effect: 'Allow',
        Principal: { Service: 'logging.s3.amazonaws.com' },
        Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
        Resource: '*',
        Condition: { StringEquals: { 'aws:SourceAccount': accountId } },
      },
    ];
    this.key = new KmsKey(this, 'key', {
      description: `Platform key of airspark environment ${context.envName}: logs, database, secrets, images`,
      enableKeyRotation: true,
      deletionWindowInDays: 30,
      policy: policyJson(policy(...statements)),
    });
    new KmsAlias(this, 'alias', { name: `alias/${names.clusterName}-platform`, targetKeyId: this.key.keyId });
  }
}
