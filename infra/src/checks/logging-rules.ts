import type { Finding } from '@airspark/findings';
import { bucketOwnerFinder } from './s3-rules.js';
import { elementFinding, referenceOf, resources, type SynthesizedStack } from './synthesized-stack.js';

/**
 * `infra/s3-access-logging`: every bucket's server access logs go to another bucket. A bucket that
 * receives access logs is exempt (logging it into itself would log its own log writes without end,
 * and into another log bucket only moves the question), but it must not also log elsewhere in a
 * loop, and a log target must itself be a bucket of the stack.
 */
export function checkS3AccessLogging(stack: SynthesizedStack): Finding[] {
  const buckets = resources(stack, 'aws_s3_bucket');
  const owner = bucketOwnerFinder(buckets);
  const logging = resources(stack, 'aws_s3_bucket_logging');
  const findings: Finding[] = [];
  // A log target is a bucket another bucket logs into (logging into itself does not make one).
  const targets = new Set(
    logging
      .filter((l) => owner(l.body.target_bucket) !== owner(l.body.bucket))
      .map((l) => owner(l.body.target_bucket))
      .filter((b) => b !== undefined),
  );
  for (const entry of logging) {
    if (owner(entry.body.target_bucket) === undefined)
      findings.push(
        elementFinding(
          stack,
          entry,
          'infra/s3-access-logging',
          `access logs go to ${JSON.stringify(entry.body.target_bucket)}, which is not a bucket of this stack; point target_bucket at the access-log bucket (storage-buckets.ts).`,
        ),
      );
  }
  for (const bucket of buckets) {
    const own = logging.filter((l) => owner(l.body.bucket) === bucket);
    const inline = bucket.body.logging !== undefined;
    if (own.length === 0 && !inline && !targets.has(bucket))
      findings.push(
        elementFinding(
          stack,
          bucket,
          'infra/s3-access-logging',
          'bucket has no server access logging; add an aws_s3_bucket_logging that sends its logs to the access-log bucket (PrivateBucket does this when given accessLogs).',
        ),
      );
    else if (own.some((l) => owner(l.body.target_bucket) === bucket))
      findings.push(
        elementFinding(
          stack,
          bucket,
          'infra/s3-access-logging',
          'bucket logs its access into itself, which logs its own log writes without end; send them to the access-log bucket.',
        ),
      );
  }
  return findings;
}

/**
 * `infra/cloudwatch-log-encryption`: every log group is encrypted with a customer managed KMS key
 * (CloudWatch's default encryption uses a key no IAM policy of ours governs). The key's policy must
 * admit CloudWatch Logs, or creating the group fails; platform-key.ts does that.
 */
export function checkCloudwatchLogEncryption(stack: SynthesizedStack): Finding[] {
  const keys = new Set(resources(stack, 'aws_kms_key').map((k) => k.name));
  const findings: Finding[] = [];
  for (const group of resources(stack, 'aws_cloudwatch_log_group')) {
    const key = group.body.kms_key_id;
    let problem: string | undefined;
    if (typeof key !== 'string' || key === '')
      problem =
        'log group is not encrypted with a customer managed key; set kms_key_id to the platform key (whose key policy admits CloudWatch Logs for this group).';
    else {
      const reference = referenceOf(key);
      if (reference && (reference.type !== 'aws_kms_key' || !keys.has(reference.name)))
        problem = `kms_key_id refers to ${reference.type}.${reference.name}.${reference.attribute}, not to a KMS key of this stack; use the platform key's arn.`;
      else if (!reference && !/^arn:aws[a-z-]*:kms:/.test(key))
        problem = `kms_key_id ${JSON.stringify(key)} is not a KMS key ARN; CloudWatch Logs needs the key's ARN.`;
    }
    if (problem) findings.push(elementFinding(stack, group, 'infra/cloudwatch-log-encryption', problem));
  }
  return findings;
}

/** `infra/vpc-flow-logs`: every VPC of the stack has a flow log (all traffic) attached. */
export function checkVpcFlowLogs(stack: SynthesizedStack): Finding[] {
  const logs = resources(stack, 'aws_flow_log');
  return resources(stack, 'aws_vpc')
    .filter(
      (vpc) =>
        !logs.some((l) => {
          const reference = referenceOf(l.body.vpc_id);
          return (
            reference?.type === 'aws_vpc' && reference.name === vpc.name && l.body.traffic_type === 'ALL'
          );
        }),
    )
    .map((vpc) =>
      elementFinding(
        stack,
        vpc,
        'infra/vpc-flow-logs',
        'VPC has no flow log of all traffic; attach an aws_flow_log with traffic_type ALL (flow-logs.ts) so that incident response can see what talked to what.',
      ),
    );
}
