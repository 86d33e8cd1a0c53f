import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket/index.js';
import type { S3BucketLifecycleConfigurationRule } from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration/index.js';
import { S3BucketLifecycleConfiguration } from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration/index.js';
import { S3BucketOwnershipControls } from '@cdktf/provider-aws/lib/s3-bucket-ownership-controls/index.js';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy/index.js';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block/index.js';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration/index.js';
import { S3BucketVersioningA } from '@cdktf/provider-aws/lib/s3-bucket-versioning/index.js';
import { Construct } from 'constructs';
import type { AwsContext } from './aws-context.js';
import { CustomerKey } from './kms.js';
import { denyInsecureTransport, policy, policyJson } from './policy.js';

export type BucketKind = 'data' | 'logs' | 'sparkEventLogs';

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

/** One private bucket: owner-enforced, versioned, KMS-encrypted, TLS-only, public access blocked. */
export class PrivateBucket extends Construct {
  readonly bucket: S3Bucket;

  constructor(scope: Construct, id: string, props: { name: string; kind: BucketKind; key: CustomerKey }) {
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
          applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms', kmsMasterKeyId: props.key.key.arn },
          // One data key per bucket rather than per object: far fewer KMS calls for Spark's many files.
          bucketKeyEnabled: true,
        },
      ],
    });
    new S3BucketPolicy(this, 'policy', {
      bucket: this.bucket.id,
      policy: policyJson(policy(denyInsecureTransport('s3', [this.bucket.arn, `${this.bucket.arn}/*`]))),
    });
    new S3BucketLifecycleConfiguration(this, 'lifecycle', {
      bucket: this.bucket.id,
      rule: lifecycleRules(props.kind),
    });
  }
}

/** The environment's three buckets and the key that encrypts them. */
export class StorageBuckets extends Construct {
  readonly key: CustomerKey;
  readonly buckets: Record<BucketKind, PrivateBucket>;

  constructor(scope: Construct, id: string, context: AwsContext) {
    super(scope, id);
    const names = context.environment.storage.buckets;
    this.key = new CustomerKey(this, 'key', {
      alias: `${context.names.clusterName}-s3`,
      description: `S3 buckets of airspark environment ${context.envName}`,
    });
    const bucket = (kind: BucketKind, id: string) =>
      new PrivateBucket(this, id, { name: names[kind], kind, key: this.key });
    this.buckets = {
      data: bucket('data', 'data'),
      logs: bucket('logs', 'logs'),
      sparkEventLogs: bucket('sparkEventLogs', 'spark-event-logs'),
    };
  }
}
