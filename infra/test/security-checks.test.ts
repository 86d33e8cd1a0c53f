import { beforeAll, describe, expect, it } from 'vitest';
import { type Allowlist, emptyAllowlist, readAllowlist } from '../src/checks/allowlist.js';
import { checkStacks } from '../src/checks/run-checks.js';
import type { SynthesizedStack } from '../src/checks/synthesized-stack.js';
import { type Json, realEnvironments, ref, repoRoot, synthesizeForChecks } from './helpers.js';

let stacks: SynthesizedStack[];
let allowlist: Allowlist;

beforeAll(async () => {
  stacks = await synthesizeForChecks(await realEnvironments());
  const read = await readAllowlist(repoRoot);
  if (!read.allowlist) throw new Error(JSON.stringify(read.findings));
  allowlist = read.allowlist;
});

const stackOf = (env: string) => stacks.find((s) => s.env === env) as SynthesizedStack;

/** A deliberately broken copy of a synthesized stack, re-serialized the way cdktf writes it. */
function broken(env: string, change: (json: Json) => void): SynthesizedStack {
  const original = stackOf(env);
  const json = structuredClone(original.json) as Json;
  change(json);
  return { ...original, json, text: JSON.stringify(json, null, 2) };
}

/** The name of the first resource of a type whose logical id contains `fragment`. */
function nameOf(json: Json, type: string, fragment = ''): string {
  const name = Object.keys(json.resource[type]).find((n) => n.includes(fragment));
  if (!name) throw new Error(`no ${type} like ${fragment}`);
  return name;
}

const addResource = (json: Json, type: string, name: string, body: Record<string, unknown>) => {
  json.resource[type] ??= {};
  json.resource[type][name] = body;
};

const policyJson = (...statements: object[]) =>
  JSON.stringify({ Version: '2012-10-17', Statement: statements });

const errors = (stack: SynthesizedStack, list = allowlist) =>
  checkStacks([stack], list).filter((f) => f.severity === 'error');

describe('security checks on the real stacks', () => {
  it('pass for every environment, with no unused allow-list entry', () => {
    expect(stacks.map((s) => s.env).sort()).toEqual(['dev', 'prod', 'staging']);
    expect(checkStacks(stacks, allowlist)).toEqual([]);
  });

  it('would fail without the allow-list: the exceptions are real and each is needed', () => {
    const rules = new Set(checkStacks([stackOf('dev')], emptyAllowlist()).map((f) => f.rule));
    expect(rules).toEqual(new Set(['infra/iam-wildcard-resource', 'infra/iam-managed-policy']));
  });
});

describe('infra/s3-encryption', () => {
  it('fires for a bucket without encryption configuration, naming the bucket at its line', () => {
    let bucket = '';
    const stack = broken('dev', (json) => {
      bucket = nameOf(json, 'aws_s3_bucket', 'storage_data');
      const config = Object.entries(json.resource.aws_s3_bucket_server_side_encryption_configuration).find(
        ([, c]: [string, Json]) => c.bucket === `\${aws_s3_bucket.${bucket}.id}`,
      )?.[0] as string;
      delete json.resource.aws_s3_bucket_server_side_encryption_configuration[config];
    });
    const [finding, ...rest] = errors(stack);
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({
      rule: 'infra/s3-encryption',
      resource: `aws_s3_bucket.${bucket}`,
      env: 'dev',
      file: stackOf('dev').file,
      message: expect.stringContaining('no server-side encryption configuration'),
    });
    expect(stack.text.split('\n')[(finding?.line ?? 0) - 1]).toBe(`      "${bucket}": {`);
    expect(finding?.message).toContain('(construct storage/data/bucket)');
  });

  it('fires for a new bucket added without any companion resources, and for SSE-S3 or the AWS managed key', () => {
    const added = broken('staging', (json) =>
      addResource(json, 'aws_s3_bucket', 'scratch', { bucket: 'airspark-staging-scratch' }),
    );
    expect(errors(added).map((f) => [f.rule, f.resource])).toEqual([
      ['infra/s3-encryption', 'aws_s3_bucket.scratch'],
      ['infra/s3-public-access-block', 'aws_s3_bucket.scratch'],
      ['infra/s3-tls-only', 'aws_s3_bucket.scratch'],
      ['infra/s3-access-logging', 'aws_s3_bucket.scratch'],
    ]);
    const setDefault = (value: Record<string, unknown>) =>
      broken('dev', (json) => {
        for (const config of Object.values(
          json.resource.aws_s3_bucket_server_side_encryption_configuration,
        ) as Json[])
          config.rule[0].apply_server_side_encryption_by_default = value;
      });
    expect(errors(setDefault({ sse_algorithm: 'AES256' })).map((f) => f.message)).toEqual(
      Array(4).fill(expect.stringContaining('encrypted with AES256')),
    );
    expect(errors(setDefault({ sse_algorithm: 'aws:kms' })).map((f) => f.message)).toEqual(
      Array(4).fill(expect.stringContaining('AWS managed aws/s3 key')),
    );
  });

  it('follows a bucket named literally rather than by reference', () => {
    const stack = broken('dev', (json) => {
      addResource(json, 'aws_s3_bucket', 'literal', { bucket: 'literal-bucket' });
      addResource(json, 'aws_s3_bucket_server_side_encryption_configuration', 'literal_sse', {
        bucket: 'literal-bucket',
        rule: [
          {
            apply_server_side_encryption_by_default: { sse_algorithm: 'aws:kms', kms_master_key_id: 'arn:x' },
          },
        ],
      });
    });
    expect(errors(stack).filter((f) => f.rule === 'infra/s3-encryption')).toEqual([]);
  });
});

describe('infra/s3-public-access-block', () => {
  it('fires when a bucket loses its block, or when one setting is off', () => {
    const without = broken('prod', (json) => {
      delete json.resource.aws_s3_bucket_public_access_block[
        nameOf(json, 'aws_s3_bucket_public_access_block', 'storage_logs')
      ];
    });
    expect(errors(without).map((f) => [f.rule, f.resource])).toEqual([
      [
        'infra/s3-public-access-block',
        `aws_s3_bucket.${nameOf(without.json, 'aws_s3_bucket', 'storage_logs')}`,
      ],
    ]);
    const partly = broken('prod', (json) => {
      json.resource.aws_s3_bucket_public_access_block[
        nameOf(json, 'aws_s3_bucket_public_access_block', 'data')
      ].restrict_public_buckets = false;
    });
    expect(errors(partly).map((f) => f.message)).toEqual([
      expect.stringContaining('leaves restrict_public_buckets off'),
    ]);
  });
});

describe('infra/s3-tls-only', () => {
  it('fires when the bucket policy no longer denies plain HTTP', () => {
    const stack = broken('dev', (json) => {
      const policy = json.resource.aws_s3_bucket_policy[nameOf(json, 'aws_s3_bucket_policy', 'data')];
      policy.policy = policyJson({
        Sid: 'Nothing',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:DeleteBucket',
        Resource: '*',
      });
    });
    expect(errors(stack).map((f) => f.rule)).toEqual(['infra/s3-tls-only']);
  });
});

describe('infra/s3-access-logging', () => {
  it('fires for a bucket whose access logging is removed, naming the bucket', () => {
    let bucket = '';
    const stack = broken('prod', (json) => {
      bucket = nameOf(json, 'aws_s3_bucket', 'storage_data');
      const [logging] = Object.entries(json.resource.aws_s3_bucket_logging).find(
        ([, l]: [string, Json]) => l.bucket === `\${aws_s3_bucket.${bucket}.id}`,
      ) as [string, Json];
      delete json.resource.aws_s3_bucket_logging[logging];
    });
    expect(errors(stack).map((f) => [f.rule, f.resource, f.message.split(';')[0]])).toEqual([
      ['infra/s3-access-logging', `aws_s3_bucket.${bucket}`, 'bucket has no server access logging'],
    ]);
  });

  it('fires for logging into the bucket itself and for a target outside the stack; the access-log bucket is exempt', () => {
    const stack = broken('dev', (json) => {
      const data = nameOf(json, 'aws_s3_bucket', 'storage_data');
      const events = nameOf(json, 'aws_s3_bucket', 'spark-event-logs');
      for (const logging of Object.values(json.resource.aws_s3_bucket_logging) as Json[]) {
        if (logging.bucket === `\${aws_s3_bucket.${data}.id}`) logging.target_bucket = logging.bucket;
        if (logging.bucket === `\${aws_s3_bucket.${events}.id}`)
          logging.target_bucket = 'someone-elses-bucket';
      }
    });
    const messages = errors(stack).map((f) => `${f.rule} ${f.message.split(';')[0]}`);
    expect(messages).toEqual([
      expect.stringContaining('"someone-elses-bucket", which is not a bucket of this stack'),
      'infra/s3-access-logging bucket logs its access into itself, which logs its own log writes without end',
    ]);
    // With the data bucket now a log target of itself, the real access-log bucket is still exempt.
    expect(errors(stack).some((f) => f.resource?.includes('access-logs'))).toBe(false);
  });
});

describe('infra/cloudwatch-log-encryption', () => {
  it('fires for the EKS control-plane log group without the platform key, at its line', () => {
    let group = '';
    const stack = broken('prod', (json) => {
      group = nameOf(json, 'aws_cloudwatch_log_group', 'cluster_logs');
      delete json.resource.aws_cloudwatch_log_group[group].kms_key_id;
    });
    const [finding, ...rest] = errors(stack);
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({
      rule: 'infra/cloudwatch-log-encryption',
      resource: `aws_cloudwatch_log_group.${group}`,
      message: expect.stringContaining('not encrypted with a customer managed key'),
    });
    expect(stack.text.split('\n')[(finding?.line ?? 0) - 1]).toBe(`      "${group}": {`);
  });

  it('fires for a key that is not a KMS key of the stack, or not an ARN', () => {
    const withKey = (key: string) =>
      broken('staging', (json) => {
        json.resource.aws_cloudwatch_log_group[
          nameOf(json, 'aws_cloudwatch_log_group', 'cluster_logs')
        ].kms_key_id = key;
      });
    expect(errors(withKey(ref('aws_s3_bucket', 'x', 'arn'))).map((f) => f.message)).toEqual([
      expect.stringContaining('not to a KMS key of this stack'),
    ]);
    expect(errors(withKey('alias/aws/logs')).map((f) => f.message)).toEqual([
      expect.stringContaining('is not a KMS key ARN'),
    ]);
    expect(errors(withKey('arn:aws:kms:eu-west-1:222222222222:key/abc'))).toEqual([]);
  });
});

describe('infra/iam-wildcard-action', () => {
  const withPolicy = (...statements: object[]) =>
    broken('dev', (json) =>
      addResource(json, 'aws_iam_policy', 'too_broad', {
        name: 'too-broad',
        policy: policyJson(...statements),
      }),
    );

  it('fires for Action "*", naming the policy and the statement', () => {
    const [finding, ...rest] = errors(
      withPolicy({ Sid: 'Everything', Effect: 'Allow', Action: '*', Resource: 'arn:aws:s3:::x' }),
    );
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({
      rule: 'infra/iam-wildcard-action',
      resource: 'aws_iam_policy.too_broad',
      message: expect.stringContaining('statement "Everything" allows Action "*"'),
    });
  });

  it('fires for a whole service ("s3:*") and for NotAction; a Deny with "*" is fine', () => {
    expect(
      errors(withPolicy({ Effect: 'Allow', Action: ['s3:GetObject', 's3:*'], Resource: 'arn:aws:s3:::x/*' })),
    ).toEqual([
      expect.objectContaining({
        rule: 'infra/iam-wildcard-action',
        message: expect.stringContaining('statement #1 (no Sid)'),
      }),
    ]);
    expect(
      errors(withPolicy({ Sid: 'Not', Effect: 'Allow', NotAction: 'iam:*', Resource: 'arn:aws:s3:::x' })),
    ).toEqual([
      expect.objectContaining({
        rule: 'infra/iam-wildcard-action',
        message: expect.stringContaining('NotAction'),
      }),
    ]);
    expect(errors(withPolicy({ Sid: 'Fence', Effect: 'Deny', Action: '*', Resource: '*' }))).toEqual([]);
  });

  it('reads aws_iam_policy_document data sources and role trust policies too', () => {
    const data = broken('dev', (json) => {
      json.data = {
        aws_iam_policy_document: {
          broad: { statement: [{ sid: 'All', actions: ['*'], resources: ['arn:aws:s3:::x'] }] },
        },
      };
    });
    expect(errors(data)).toEqual([
      expect.objectContaining({
        rule: 'infra/iam-wildcard-action',
        resource: 'data.aws_iam_policy_document.broad',
      }),
    ]);
    const trust = broken('dev', (json) => {
      const role = json.resource.aws_iam_role[nameOf(json, 'aws_iam_role', 'workload-roles_airflow')];
      role.assume_role_policy = policyJson({
        Sid: 'Anyone',
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: 'sts:*',
      });
    });
    expect(errors(trust).map((f) => f.rule)).toEqual(['infra/iam-wildcard-action']);
  });
});

describe('infra/iam-wildcard-resource', () => {
  const withStatement = (statement: object) =>
    broken('dev', (json) =>
      addResource(json, 'aws_iam_role_policy', 'wide', {
        role: 'r',
        name: 'wide',
        policy: policyJson(statement),
      }),
    );

  it('fires for Resource "*" without a Condition, and for a whole-service ARN', () => {
    expect(
      errors(withStatement({ Sid: 'Wide', Effect: 'Allow', Action: 's3:GetObject', Resource: '*' })),
    ).toEqual([
      expect.objectContaining({ rule: 'infra/iam-wildcard-resource', resource: 'aws_iam_role_policy.wide' }),
    ]);
    expect(
      errors(
        withStatement({
          Sid: 'Wide',
          Effect: 'Allow',
          Action: 'sqs:SendMessage',
          Resource: 'arn:aws:sqs:eu-west-1:1:*',
        }),
      ),
    ).toHaveLength(1);
  });

  it('accepts a Condition that narrows it, and an allow-listed Sid with listed actions only', () => {
    expect(
      errors(
        withStatement({
          Sid: 'Regional',
          Effect: 'Allow',
          Action: 'ec2:DescribeImages',
          Resource: '*',
          Condition: { StringEquals: { 'aws:RequestedRegion': 'eu-west-1' } },
        }),
      ),
    ).toEqual([]);
    expect(
      errors(
        withStatement({
          Sid: 'AllowPricingReadActions',
          Effect: 'Allow',
          Action: 'pricing:GetProducts',
          Resource: '*',
        }),
      ),
    ).toEqual([]);
  });

  it('still fires when an action is smuggled into an allow-listed Sid', () => {
    expect(
      errors(
        withStatement({
          Sid: 'AllowPricingReadActions',
          Effect: 'Allow',
          Action: ['pricing:GetProducts', 'iam:CreateUser'],
          Resource: '*',
        }),
      ),
    ).toEqual([expect.objectContaining({ rule: 'infra/iam-wildcard-resource' })]);
  });

  it('does not treat a KMS key policy’s "*" (this key) as a wildcard', () => {
    const stack = broken('dev', (json) => {
      const key = json.resource.aws_kms_key[nameOf(json, 'aws_kms_key', 'storage')];
      key.policy = policyJson({
        Sid: 'Use',
        Effect: 'Allow',
        Principal: { AWS: 'arn:aws:iam::111111111111:role/x' },
        Action: 'kms:Decrypt',
        Resource: '*',
      });
    });
    expect(errors(stack)).toEqual([]);
  });
});

describe('infra/iam-policy-unreadable', () => {
  it('fires for a policy the checks cannot evaluate, instead of passing it unseen', () => {
    const stack = broken('dev', (json) =>
      addResource(json, 'aws_iam_policy', 'opaque', { name: 'opaque', policy: `\${jsonencode(local.p)}` }),
    );
    expect(errors(stack)).toEqual([
      expect.objectContaining({ rule: 'infra/iam-policy-unreadable', resource: 'aws_iam_policy.opaque' }),
    ]);
  });

  it('follows a policy that points at an aws_iam_policy_document (checked where it is defined)', () => {
    const stack = broken('dev', (json) => {
      json.data = {
        aws_iam_policy_document: {
          ok: { statement: [{ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::b/*'] }] },
        },
      };
      addResource(json, 'aws_iam_policy', 'documented', {
        name: 'd',
        policy: `\${data.aws_iam_policy_document.ok.json}`,
      });
    });
    expect(errors(stack)).toEqual([]);
  });
});

describe('infra/iam-managed-policy', () => {
  it('fires for a managed policy that is not allow-listed', () => {
    const stack = broken('dev', (json) =>
      addResource(json, 'aws_iam_role_policy_attachment', 'admin', {
        role: 'r',
        policy_arn: 'arn:aws:iam::aws:policy/AdministratorAccess',
      }),
    );
    expect(errors(stack)).toEqual([
      expect.objectContaining({
        rule: 'infra/iam-managed-policy',
        resource: 'aws_iam_role_policy_attachment.admin',
        message: expect.stringContaining('"AdministratorAccess"'),
      }),
    ]);
  });

  it('accepts a policy of the stack itself, whose document the other rules check', () => {
    const stack = broken('dev', (json) =>
      addResource(json, 'aws_iam_role_policy_attachment', 'own', {
        role: 'r',
        policy_arn: `\${aws_iam_policy.own.arn}`,
      }),
    );
    expect(errors(stack)).toEqual([]);
  });
});

describe('infra/eks-public-endpoint', () => {
  const withEndpoint = (vpc: Record<string, unknown>) =>
    broken('prod', (json) => {
      const cluster = json.resource.aws_eks_cluster[nameOf(json, 'aws_eks_cluster')];
      cluster.vpc_config = { subnet_ids: cluster.vpc_config.subnet_ids, ...vpc };
    });

  it('fires for a public endpoint open to the world, stated or by default', () => {
    for (const vpc of [
      { endpoint_public_access: true, public_access_cidrs: ['0.0.0.0/0'] },
      { endpoint_public_access: true },
      {},
    ]) {
      expect(errors(withEndpoint(vpc))).toEqual([
        expect.objectContaining({ rule: 'infra/eks-public-endpoint', env: 'prod' }),
      ]);
    }
  });

  it('accepts a private endpoint and a public one limited to known CIDRs', () => {
    expect(errors(withEndpoint({ endpoint_public_access: false }))).toEqual([]);
    expect(
      errors(withEndpoint({ endpoint_public_access: true, public_access_cidrs: ['198.51.100.0/24'] })),
    ).toEqual([]);
  });
});

describe('infra/efs-encryption and infra/sqs-encryption', () => {
  it('fire for an unencrypted file system and queue', () => {
    const stack = broken('staging', (json) => {
      delete json.resource.aws_efs_file_system[nameOf(json, 'aws_efs_file_system')].encrypted;
      delete json.resource.aws_sqs_queue[nameOf(json, 'aws_sqs_queue')].sqs_managed_sse_enabled;
    });
    expect(errors(stack).map((f) => f.rule)).toEqual(['infra/efs-encryption', 'infra/sqs-encryption']);
  });
});

describe('infra/allowlist-unused', () => {
  it('warns about an entry no stack needs, at its line', () => {
    const stale = {
      ...allowlist,
      managedPolicies: [
        ...allowlist.managedPolicies,
        { policy: 'ReadOnlyAccess', reason: 'x'.repeat(20), line: 99, column: 5 },
      ],
    };
    expect(checkStacks(stacks, stale)).toEqual([
      expect.objectContaining({
        severity: 'warning',
        rule: 'infra/allowlist-unused',
        file: 'infra/security-allowlist.yaml',
        line: 99,
        message: expect.stringContaining('"ReadOnlyAccess"'),
      }),
    ]);
  });
});

describe('infra/allowlist-unused', () => {
  it('warns about an entry no checked stack needs, but not when asked to judge a subset of environments', () => {
    const dev = [stackOf('dev')];
    const unused = checkStacks(dev, allowlist).filter((f) => f.rule === 'infra/allowlist-unused');
    // RDS Enhanced Monitoring exists only where infra provisions the database (not dev).
    expect(unused.map((f) => f.message)).toEqual([
      expect.stringContaining('managed-policy entry "service-role/AmazonRDSEnhancedMonitoringRole"'),
    ]);
    expect(checkStacks(dev, allowlist, { reportUnused: false })).toEqual([]);
  });
});

describe('infra/vpc-flow-logs', () => {
  it('fires for the VPC when its flow log is removed or records only rejected traffic', () => {
    let vpc = '';
    const without = broken('prod', (json) => {
      vpc = nameOf(json, 'aws_vpc', 'network_vpc');
      delete json.resource.aws_flow_log;
    });
    expect(errors(without).map((f) => [f.rule, f.resource])).toEqual([
      ['infra/vpc-flow-logs', `aws_vpc.${vpc}`],
    ]);
    const rejectOnly = broken('dev', (json) => {
      for (const log of Object.values(json.resource.aws_flow_log) as Json[]) log.traffic_type = 'REJECT';
    });
    expect(errors(rejectOnly).map((f) => f.rule)).toEqual(['infra/vpc-flow-logs']);
  });
});
