import type { Finding } from '@airspark/findings';
import type { Allowlist } from './allowlist.js';
import type { CheckContext } from './check-context.js';
import { checkEfsEncryption, checkEksPublicEndpoint, checkSqsEncryption } from './cluster-rules.js';
import {
  checkIamManagedPolicies,
  checkIamPolicyReadable,
  checkIamWildcardAction,
  checkIamWildcardResource,
} from './iam-rules.js';
import { checkCloudwatchLogEncryption, checkS3AccessLogging, checkVpcFlowLogs } from './logging-rules.js';
import { checkS3Encryption, checkS3PublicAccessBlock, checkS3TlsOnly } from './s3-rules.js';
import type { SynthesizedStack } from './synthesized-stack.js';

export interface SecurityRule {
  id: string;
  summary: string;
  check: (stack: SynthesizedStack, context: CheckContext) => Finding[];
}

/** Every security check on synthesized stacks; README's table lists the same ids. */
export const securityRules: readonly SecurityRule[] = [
  {
    id: 'infra/s3-encryption',
    summary: 'S3 buckets encrypted with a customer managed KMS key',
    check: checkS3Encryption,
  },
  {
    id: 'infra/s3-public-access-block',
    summary: 'S3 buckets block every form of public access',
    check: checkS3PublicAccessBlock,
  },
  { id: 'infra/s3-tls-only', summary: 'S3 bucket policies deny requests without TLS', check: checkS3TlsOnly },
  {
    id: 'infra/s3-access-logging',
    summary: 'S3 buckets send server access logs to the access-log bucket of the stack',
    check: checkS3AccessLogging,
  },
  {
    id: 'infra/iam-wildcard-action',
    summary: 'no Allow of "*", "service:*" or NotAction',
    check: checkIamWildcardAction,
  },
  {
    id: 'infra/iam-wildcard-resource',
    summary: 'no Allow on "*" without a Condition, unless allow-listed with a reason',
    check: checkIamWildcardResource,
  },
  {
    id: 'infra/iam-policy-unreadable',
    summary: 'every policy is JSON or an aws_iam_policy_document the checks can read',
    check: checkIamPolicyReadable,
  },
  {
    id: 'infra/iam-managed-policy',
    summary: 'managed policies attached by ARN are allow-listed with a reason',
    check: checkIamManagedPolicies,
  },
  {
    id: 'infra/eks-public-endpoint',
    summary: 'no EKS API endpoint open to 0.0.0.0/0',
    check: checkEksPublicEndpoint,
  },
  { id: 'infra/efs-encryption', summary: 'EFS file systems encrypted at rest', check: checkEfsEncryption },
  { id: 'infra/sqs-encryption', summary: 'SQS queues encrypted at rest', check: checkSqsEncryption },
  {
    id: 'infra/cloudwatch-log-encryption',
    summary: 'CloudWatch log groups encrypted with a customer managed KMS key of the stack',
    check: checkCloudwatchLogEncryption,
  },
  { id: 'infra/vpc-flow-logs', summary: 'every VPC has a flow log of all traffic', check: checkVpcFlowLogs },
];

/**
 * Runs every rule on every stack. Allow-list entries that no stack needed are reported as warnings,
 * so that exceptions disappear with the code that needed them (unless `reportUnused` is false: a
 * run over some environments cannot tell an entry another one needs from a stale one).
 */
export function checkStacks(
  stacks: readonly SynthesizedStack[],
  allowlist: Allowlist,
  options: { reportUnused?: boolean } = {},
): Finding[] {
  const context: CheckContext = { allowlist, used: new Set() };
  const findings = stacks.flatMap((stack) => securityRules.flatMap((rule) => rule.check(stack, context)));
  if (stacks.length === 0 || options.reportUnused === false) return findings;
  const entries = [
    ...allowlist.wildcardResources.map((e) => ({ entry: e, what: `wildcard-resource entry "${e.sid}"` })),
    ...allowlist.managedPolicies.map((e) => ({ entry: e, what: `managed-policy entry "${e.policy}"` })),
  ];
  for (const { entry, what } of entries) {
    if (context.used.has(entry)) continue;
    findings.push({
      severity: 'warning',
      rule: 'infra/allowlist-unused',
      message: `${what} matches nothing in the checked stacks; remove it so that exceptions do not outlive their reason.`,
      file: allowlist.file,
      line: entry.line,
      column: entry.column,
    });
  }
  return findings;
}
