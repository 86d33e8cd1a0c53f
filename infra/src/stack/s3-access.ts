import type { S3Location } from '@airspark/config';
import type { AwsContext } from './aws-context.js';
import type { PolicyStatement } from './policy.js';

/** Object actions for reading and writing, including the multipart uploads Spark's S3A makes. */
export const S3_OBJECT_READ_WRITE = [
  's3:GetObject',
  's3:PutObject',
  's3:DeleteObject',
  's3:AbortMultipartUpload',
  's3:ListMultipartUploadParts',
];

/** Sid-safe form of a name: `spark-event-logs` → `SparkEventLogs`. */
export const sidPart = (name: string): string =>
  name
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');

/**
 * Read and write under one S3 location: listing limited to its prefix, objects limited to it.
 * `what` names the statements (`LocateAirflowLogs`, `ListAirflowLogs`, `ReadWriteAirflowLogs`).
 */
export function s3ReadWrite(context: AwsContext, what: string, location: S3Location): PolicyStatement[] {
  const bucketArn = `arn:${context.partition}:s3:::${location.bucket}`;
  const name = sidPart(what);
  return [
    // A Condition on s3:prefix would never hold for GetBucketLocation (no prefix in that request),
    // so locating the bucket is a statement of its own.
    { Sid: `Locate${name}`, Effect: 'Allow', Action: 's3:GetBucketLocation', Resource: bucketArn },
    {
      Sid: `List${name}`,
      Effect: 'Allow',
      Action: 's3:ListBucket',
      Resource: bucketArn,
      ...(location.prefix === ''
        ? {}
        : { Condition: { StringLike: { 's3:prefix': [`${location.prefix}*`, location.prefix] } } }),
    },
    {
      Sid: `ReadWrite${name}`,
      Effect: 'Allow',
      Action: S3_OBJECT_READ_WRITE,
      Resource: `${bucketArn}/${location.prefix}*`,
    },
  ];
}

/** Use of the buckets' KMS key, and only through S3 (read-only roles pass just kms:Decrypt). */
export function s3KeyUse(
  context: AwsContext,
  keyArn: string,
  actions: string[] = ['kms:Decrypt', 'kms:GenerateDataKey'],
): PolicyStatement {
  return {
    Sid: 'UseBucketKeyThroughS3',
    Effect: 'Allow',
    Action: actions,
    Resource: keyArn,
    Condition: { StringEquals: { 'kms:ViaService': `s3.${context.region}.amazonaws.com` } },
  };
}
