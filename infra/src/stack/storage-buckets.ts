import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket/index.js';
import type { S3BucketLifecycleConfigurationRule } from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration/index.js';
import { S3BucketLifecycleConfiguration } from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration/index.js';
import { S3BucketLoggingA } from '@cdktf/provider-aws/lib/s3-bucket-logging/index.js';
import { S3BucketOwnershipControls } from '@cdktf/provider-aws/lib/s3-bucket-ownership-controls/index.js';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy/index.js';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block/index.js';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration/index.js';
import { S3BucketVersioningA } from '@cdktf/provider-aws/lib/s3-bucket-versioning/index.js';
import { Construct } from 'constructs';
import type { AwsContext } from './aws-context.js';
import { CustomerKey } from './kms.js';
import { denyInsecureTransport, type PolicyStatement, policy, policyJson } from './policy.js';

export type BucketKind = 'data' | 'logs' | 'sparkEventLogs' | 'accessLogs';

/**
 * How long objects live. Data is kept (old versions expire); logs and Spark event logs are
 * diagnostics and expire. Incomplete multipart uploads (failed Spark writes) never linger.
 */
export const BUCKET_LIFECYCLE: Record<
  BucketKind,
  { expireAfterDays?: number; noncurrentVersionDays: number }
> = {
  data: { noncurrentVersionDays: 90 },
  logs: { expireAfterDays: 90, noncurrentVersionDays: 30 },
  sparkEventLogs: { expireAfterDays: 30, noncurrentVersionDays: 7 },
  // S3 server access logs: a year, the usual audit horizon.
  accessLogs: { expireAfterDays: 365, noncurrentVersionDays: 30 },
};
export const ABORT_MULTIPART_UPLOADS_AFTER_DAYS = 7;

function lifecycleRules(kind: BucketKind): S3BucketLifecycleConfigurationRule[] {
  const settings = BUCKET_LIFECYCLE[kind];
  const everything = { filter: [{}], status: 'Enabled' };
  const rules: S3BucketLifecycleConfigurationRule[] = [
    {
      id: 'abort-incomplete-multipart-uploads',
      ...everything,
      abortIncompleteMultipartUpload: [{ daysAfterInitiation: ABORT_MULTIPART_UPLOADS_AFTER_DAYS }],
    },
    {
      id: 'expire-noncurrent-versions',
      ...everything,
      noncurrentVersionExpiration: [{ noncurrentDays: settings.noncurrentVersionDays }],
    },
  ];
  if (settings.expireAfterDays !== undefined) {
    rules.push(
      { id: 'expire-objects', ...everything, expiration: [{ days: settings.expireAfterDays }] },
      // Expiring a versioned object leaves a delete marker; remove it once no version is left.
      {
        id: 'remove-expired-delete-markers',
        ...everything,
        expiration: [{ expiredObjectDeleteMarker: true }],
      },
    );
  }
  return rules;
}

export interface PrivateBucketProps {
  name: string;
  kind: BucketKind;
  /** The customer managed KMS key of the bucket's default encryption. */
  keyArn: string;
  /** Where S3 writes this bucket's server access logs; absent only for the access-log bucket itself. */
  accessLogs?: { bucket: S3Bucket; prefix: string };
  /** Statements the bucket policy grants besides the TLS-only deny. */
  extraPolicy?: (bucketArn: string) => PolicyStatement[];
}

/**
 * One private bucket: owner-enforced, versioned, KMS-encrypted, TLS-only, public access blocked,
 * its server access logs in the access-log bucket.
 */
export class PrivateBucket extends Construct {
  readonly bucket: S3Bucket;

  constructor(scope: Construct, id: string, props: PrivateBucketProps) {
    super(scope, id);
    this.bucket = new S3Bucket(this, 'bucket', { bucket: props.name });
    new S3BucketOwnershipControls(this, 'ownership', {
      bucket: this.bucket.id,
      rule: { objectOwnership: 'BucketOwnerEnforced' },
    });
    new S3BucketPublicAccessBlock(this, 'public-access-block', {
      bucket: this.bucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    new S3BucketVersioningA(this, 'versioning', {
      bucket: this.bucket.id,
      versioningConfiguration: { status: 'Enabled' },
    });
    new S3BucketServerSideEncryptionConfigurationA(this, 'encryption', {
      bucket: this.bucket.id,
      rule: [
        {
          applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms', kmsMasterKeyId: props.keyArn },
          // One data key per bucket rather than per object: far fewer KMS calls for Spark's many files.
          bucketKeyEnabled: true,
        },
      ],
    });
    new S3BucketPolicy(this, 'policy', {
      bucket: this.bucket.id,
      policy: policyJson(
        policy(
          denyInsecureTransport('s3', [this.bucket.arn, `${this.bucket.arn}/*`]),
          ...(props.extraPolicy?.(this.bucket.arn) ?? []),
        ),
      ),
    });
    if (props.accessLogs) {
      new S3BucketLoggingA(this, 'access-logging', {
        bucket: this.bucket.id,
        targetBucket: props.accessLogs.bucket.id,
        targetPrefix: props.accessLogs.prefix,
      });
    }
    new S3BucketLifecycleConfiguration(this, 'lifecycle', {
      bucket: this.bucket.id,
      rule: lifecycleRules(props.kind),
    });
  }
}

/** Name of the access-log bucket: the logs bucket's name with `-access-logs` (63 characters at most). */
export const accessLogBucketName = (context: AwsContext): string =>
  `${context.names.clusterName}-s3-access-logs-${context.accountId}`;

/**
 * The bucket S3 server access logs of the other buckets go to. S3's log delivery
 * (`logging.s3.amazonaws.com`) may write into it only for this account's buckets of this stack,
 * under their prefixes. It does not log itself (a log of log writes, delivered into itself, would
 * grow without end); that is the one bucket without access logging, by design.
 */
function accessLogBucket(scope: Construct, context: AwsContext, platformKeyArn: string, sources: string[]) {
  const { partition, accountId } = context;
  return new PrivateBucket(scope, 'access-logs', {
    name: accessLogBucketName(context),
    kind: 'accessLogs',
    keyArn: platformKeyArn,
    extraPolicy: (arn) => [
      {
        Sid: 'S3ServerAccessLogDelivery',
        Effect: 'Allow',
        Principal: { Service: 'logging.s3.amazonaws.com' },
        Action: 's3:PutObject',
        Resource: sources.map((source) => `${arn}/${source}/*`),
        Condition: {
          StringEquals: { 'aws:SourceAccount': accountId },
          ArnLike: { 'aws:SourceArn': sources.map((source) => `arn:${partition}:s3:::${source}`) },
        },
      },
    ],
  });
}

/** The environment's three buckets, the key that encrypts them, and the bucket of their access logs. */
export class StorageBuckets extends Construct {
  readonly key: CustomerKey;
  readonly buckets: Record<Exclude<BucketKind, 'accessLogs'>, PrivateBucket>;
  readonly accessLogs: PrivateBucket;

  constructor(scope: Construct, id: string, context: AwsContext, platformKeyArn: string) {
    super(scope, id);
    const names = context.environment.storage.buckets;
    this.key = new CustomerKey(this, 'key', {
      alias: `${context.names.clusterName}-s3`,
      description: `S3 buckets of airspark environment ${context.envName}`,
    });
    this.accessLogs = accessLogBucket(this, context, platformKeyArn, Object.values(names));
    const bucket = (kind: Exclude<BucketKind, 'accessLogs'>, id: string) =>
      new PrivateBucket(this, id, {
        name: names[kind],
        kind,
        keyArn: this.key.key.arn,
        // One prefix per source bucket: its name, so the logs of each are apart.
        accessLogs: { bucket: this.accessLogs.bucket, prefix: `${names[kind]}/` },
      });
    this.buckets = {
      data: bucket('data', 'data'),
      logs: bucket('logs', 'logs'),
      sparkEventLogs: bucket('sparkEventLogs', 'spark-event-logs'),
    };
  }
}
