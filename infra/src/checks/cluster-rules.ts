import type { Finding } from '@airspark/findings';
import { blocks, elementFinding, resources, type SynthesizedStack, stringList } from './synthesized-stack.js';

const everywhere = new Set(['0.0.0.0/0', '::/0']);

/**
 * `infra/eks-public-endpoint`: a public API endpoint must be limited to known CIDRs. The AWS
 * provider's default for both settings is "public, open to 0.0.0.0/0", so absence counts as open.
 */
export function checkEksPublicEndpoint(stack: SynthesizedStack): Finding[] {
  const findings: Finding[] = [];
  for (const cluster of resources(stack, 'aws_eks_cluster')) {
    for (const vpc of blocks(cluster.body.vpc_config)) {
      if (vpc.endpoint_public_access === false) continue;
      const cidrs = stringList(vpc.public_access_cidrs);
      const open = cidrs.length === 0 ? ['0.0.0.0/0 (the default)'] : cidrs.filter((c) => everywhere.has(c));
      if (open.length === 0) continue;
      findings.push(
        elementFinding(
          stack,
          cluster,
          'infra/eks-public-endpoint',
          `the public API endpoint is open to ${open.join(', ')}; set cluster.endpoint.publicAccess to false (reach the API through the VPC) or list the operator CIDRs in cluster.endpoint.publicAccessCidrs.`,
        ),
      );
    }
  }
  return findings;
}

/** `infra/efs-encryption`: every EFS file system encrypted at rest. */
export function checkEfsEncryption(stack: SynthesizedStack): Finding[] {
  return resources(stack, 'aws_efs_file_system')
    .filter((fs) => fs.body.encrypted !== true)
    .map((fs) =>
      elementFinding(
        stack,
        fs,
        'infra/efs-encryption',
        'file system is not encrypted at rest; set encrypted = true with a customer managed kms_key_id (this forces a new file system).',
      ),
    );
}

/** `infra/sqs-encryption`: every queue encrypted at rest (SQS managed SSE or a KMS key). */
export function checkSqsEncryption(stack: SynthesizedStack): Finding[] {
  return resources(stack, 'aws_sqs_queue')
    .filter((q) => q.body.sqs_managed_sse_enabled !== true && typeof q.body.kms_master_key_id !== 'string')
    .map((q) =>
      elementFinding(
        stack,
        q,
        'infra/sqs-encryption',
        'queue is not encrypted at rest; set sqs_managed_sse_enabled = true or a kms_master_key_id.',
      ),
    );
}
