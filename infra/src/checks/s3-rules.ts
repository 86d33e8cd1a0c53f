import type { Finding } from '@airspark/findings';
import { policyDocuments } from './policy-documents.js';
import {
  blocks,
  elementFinding,
  isExpression,
  referenceOf,
  resources,
  type SynthesizedStack,
  type TerraformElement,
} from './synthesized-stack.js';

/** The bucket a bucket-level resource (`bucket = ...`) configures: by reference or by literal name. */
export function bucketOwnerFinder(buckets: TerraformElement[]) {
  return (value: unknown): TerraformElement | undefined => {
    const reference = referenceOf(value);
    if (reference) {
      return reference.type === 'aws_s3_bucket' &&
        (reference.attribute === 'id' || reference.attribute === 'bucket')
        ? buckets.find((b) => b.name === reference.name)
        : undefined;
    }
    if (typeof value === 'string' && !isExpression(value))
      return buckets.find((b) => b.body.bucket === value);
    return undefined;
  };
}

function attachedTo(stack: SynthesizedStack, type: string, buckets: TerraformElement[]) {
  const owner = bucketOwnerFinder(buckets);
  const byBucket = new Map<TerraformElement, TerraformElement[]>();
  for (const element of resources(stack, type)) {
    const bucket = owner(element.body.bucket);
    if (bucket) byBucket.set(bucket, [...(byBucket.get(bucket) ?? []), element]);
  }
  return (bucket: TerraformElement) => byBucket.get(bucket) ?? [];
}

const kmsAlgorithms = new Set(['aws:kms', 'aws:kms:dsse']);

/** `infra/s3-encryption`: default encryption with KMS and a customer managed key. */
export function checkS3Encryption(stack: SynthesizedStack): Finding[] {
  const buckets = resources(stack, 'aws_s3_bucket');
  const configurations = attachedTo(stack, 'aws_s3_bucket_server_side_encryption_configuration', buckets);
  const findings: Finding[] = [];
  for (const bucket of buckets) {
    const defaults = [
      ...configurations(bucket).flatMap((c) => blocks(c.body.rule)),
      // The deprecated inline form on aws_s3_bucket itself.
      ...blocks(bucket.body.server_side_encryption_configuration).flatMap((c) => blocks(c.rule)),
    ].flatMap((rule) => blocks(rule.apply_server_side_encryption_by_default));
    const kms = defaults.filter((d) => kmsAlgorithms.has(String(d.sse_algorithm)));
    let problem: string | undefined;
    if (defaults.length === 0)
      problem =
        'bucket has no server-side encryption configuration; add an aws_s3_bucket_server_side_encryption_configuration with sse_algorithm "aws:kms" and a customer managed KMS key.';
    else if (kms.length === 0)
      problem = `bucket is encrypted with ${defaults.map((d) => String(d.sse_algorithm)).join(', ')}; use "aws:kms" with a customer managed key, so that reading data also needs kms:Decrypt.`;
    else if (!kms.some((d) => typeof d.kms_master_key_id === 'string' && d.kms_master_key_id !== ''))
      problem =
        'bucket uses the AWS managed aws/s3 key; set kms_master_key_id to a customer managed KMS key.';
    if (problem) findings.push(elementFinding(stack, bucket, 'infra/s3-encryption', problem));
  }
  return findings;
}

const publicAccessFlags = [
  'block_public_acls',
  'block_public_policy',
  'ignore_public_acls',
  'restrict_public_buckets',
];

/** `infra/s3-public-access-block`: all four public access block settings on, per bucket. */
export function checkS3PublicAccessBlock(stack: SynthesizedStack): Finding[] {
  const buckets = resources(stack, 'aws_s3_bucket');
  const blocksOf = attachedTo(stack, 'aws_s3_bucket_public_access_block', buckets);
  const findings: Finding[] = [];
  for (const bucket of buckets) {
    const attached = blocksOf(bucket);
    if (attached.length === 0) {
      findings.push(
        elementFinding(
          stack,
          bucket,
          'infra/s3-public-access-block',
          `bucket has no aws_s3_bucket_public_access_block; add one with ${publicAccessFlags.join(', ')} all true.`,
        ),
      );
      continue;
    }
    const off = publicAccessFlags.filter((flag) => !attached.some((b) => b.body[flag] === true));
    if (off.length > 0) {
      findings.push(
        elementFinding(
          stack,
          bucket,
          'infra/s3-public-access-block',
          `the public access block of this bucket leaves ${off.join(', ')} off; set ${off.length === 1 ? 'it' : 'them'} to true.`,
        ),
      );
    }
  }
  return findings;
}

/** `infra/s3-tls-only`: a bucket policy denies every request that does not use TLS. */
export function checkS3TlsOnly(stack: SynthesizedStack): Finding[] {
  const buckets = resources(stack, 'aws_s3_bucket');
  const policiesOf = attachedTo(stack, 'aws_s3_bucket_policy', buckets);
  const documents = policyDocuments(stack);
  const findings: Finding[] = [];
  for (const bucket of buckets) {
    const deniesPlainHttp = policiesOf(bucket).some((policy) =>
      documents
        .filter((d) => d.element.address === policy.address)
        .flatMap((d) => d.statements)
        .some(
          (s) =>
            s.effect === 'Deny' &&
            s.conditions.some(
              (c) => c.operator === 'Bool' && c.key === 'aws:SecureTransport' && c.values.includes('false'),
            ),
        ),
    );
    if (!deniesPlainHttp) {
      findings.push(
        elementFinding(
          stack,
          bucket,
          'infra/s3-tls-only',
          'no bucket policy denies requests without TLS; add a Deny statement for s3:* with condition Bool aws:SecureTransport = false.',
        ),
      );
    }
  }
  return findings;
}
