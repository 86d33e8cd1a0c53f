import { type LoadedEnvironment, platformNames, positionOf } from '@airspark/config';
import type { Finding } from '@airspark/findings';
import { INTERRUPTION_EVENTS } from '../stack/karpenter.js';
import { DEFAULT_SYSTEM_NODE_GROUP, isArmInstanceType } from '../stack/system-nodes.js';

/** The subnet plan (network.ts) cuts the VPC in eighths and the last eighth in 32 public subnets. */
export const VPC_PREFIX_RANGE = { min: 16, max: 19 } as const;
const IAM_ROLE_NAME_MAX = 64;
const EVENT_RULE_NAME_MAX = 64;
const BUCKET_NAME_MAX = 63;
const everywhere = new Set(['0.0.0.0/0', '::/0']);

/**
 * What the infrastructure needs of an environment beyond its schema: facts that would otherwise
 * only fail at `terraform apply`, half-way through, or silently produce an insecure stack. Each
 * finding points at the line of environment.yaml to change.
 */
export function checkInfraRequirements(loaded: LoadedEnvironment): Finding[] {
  const { environment: env, source, file, name } = loaded;
  const findings: Finding[] = [];
  const fail = (pathInFile: string[], message: string) =>
    findings.push({
      severity: 'error',
      rule: 'infra/environment',
      message,
      file,
      ...positionOf(source, pathInFile),
      env: name,
    });

  if (env.cluster.provider === 'local') {
    fail(
      ['cluster', 'provider'],
      `${name} is a local cluster (cluster.provider: local): it has no AWS infrastructure to synthesize; bring it up with \`pnpm cluster up\`.`,
    );
    return findings;
  }

  const endpoint = env.cluster.endpoint;
  if (endpoint.publicAccess) {
    if (!endpoint.publicAccessCidrs) {
      fail(
        ['cluster', 'endpoint', 'publicAccess'],
        'a public API endpoint without publicAccessCidrs is open to 0.0.0.0/0; list the operator CIDRs in cluster.endpoint.publicAccessCidrs or set publicAccess to false.',
      );
    }
    (endpoint.publicAccessCidrs ?? []).forEach((cidr, i) => {
      if (everywhere.has(cidr))
        fail(
          ['cluster', 'endpoint', 'publicAccessCidrs', String(i)],
          `${cidr} opens the API endpoint to the whole internet; list the operator CIDRs instead.`,
        );
    });
  }

  const prefix = Number(env.network.vpcCidr.split('/')[1]);
  if (prefix < VPC_PREFIX_RANGE.min || prefix > VPC_PREFIX_RANGE.max) {
    fail(
      ['network', 'vpcCidr'],
      `the VPC must be a /${VPC_PREFIX_RANGE.min} to /${VPC_PREFIX_RANGE.max} (AWS allows at most a /16; smaller than a /19 leaves public subnets too small for load balancers), not /${prefix}.`,
    );
  }
  env.network.availabilityZones.forEach((zone, i) => {
    if (!zone.startsWith(env.aws.region) || zone.length !== env.aws.region.length + 1)
      fail(['network', 'availabilityZones', String(i)], `zone ${zone} is not in region ${env.aws.region}.`);
  });

  const nodes = env.cluster.systemNodeGroup ?? DEFAULT_SYSTEM_NODE_GROUP;
  if (!(nodes.minSize <= nodes.desiredSize && nodes.desiredSize <= nodes.maxSize)) {
    fail(
      ['cluster', 'systemNodeGroup'],
      `node group sizes must satisfy minSize <= desiredSize <= maxSize (${nodes.minSize}, ${nodes.desiredSize}, ${nodes.maxSize}).`,
    );
  }
  const arm = nodes.instanceTypes.filter(isArmInstanceType);
  if (arm.length > 0 && arm.length < nodes.instanceTypes.length) {
    fail(
      ['cluster', 'systemNodeGroup', 'instanceTypes'],
      `instance types mix Arm (${arm.join(', ')}) and x86; one node group runs one AMI architecture.`,
    );
  }

  const buckets = { ...env.storage.buckets, terraformState: env.terraformState.bucket };
  const seen = new Map<string, string>();
  for (const [key, bucket] of Object.entries(buckets)) {
    const other = seen.get(bucket);
    const at = key === 'terraformState' ? ['terraformState', 'bucket'] : ['storage', 'buckets', key];
    if (other) fail(at, `bucket ${bucket} is also the ${other} bucket; every bucket needs its own name.`);
    seen.set(bucket, key);
  }

  const names = platformNames(env);
  const roles = [
    ...Object.values(names.podIdentityRoles).flatMap((r) => (typeof r === 'string' ? [r] : Object.values(r))),
    names.karpenterNodeRole,
    `${names.clusterName}-system-node`,
    `${names.clusterName}-cluster`,
  ];
  for (const role of roles.filter((r) => r.length > IAM_ROLE_NAME_MAX)) {
    fail(
      ['cluster', 'name'],
      `IAM role name ${role} is longer than ${IAM_ROLE_NAME_MAX} characters; shorten the cluster or team name.`,
    );
  }
  const longestRule = `${names.clusterName}-karpenter-${INTERRUPTION_EVENTS.map((e) => e.id).sort((a, b) => b.length - a.length)[0]}`;
  if (longestRule.length > EVENT_RULE_NAME_MAX) {
    fail(
      ['cluster', 'name'],
      `EventBridge rule name ${longestRule} is longer than ${EVENT_RULE_NAME_MAX} characters; shorten the cluster name.`,
    );
  }
  const database = env.components.airflow.database;
  if (database.type === 'rds' && !database.rds) {
    fail(
      ['components', 'airflow', 'database', 'type'],
      'database type rds needs its settings: add components.airflow.database.rds (instanceClass, engineVersion, storage, multiAz, backups, deletionProtection).',
    );
  }
  if (database.type !== 'rds' && database.rds) {
    fail(
      ['components', 'airflow', 'database', 'rds'],
      `components.airflow.database.rds is only read when type is rds (here ${database.type}); remove it or set type: rds.`,
    );
  }
  if (database.rds && database.rds.maxAllocatedStorageGiB < database.rds.allocatedStorageGiB) {
    fail(
      ['components', 'airflow', 'database', 'rds', 'maxAllocatedStorageGiB'],
      `maxAllocatedStorageGiB (${database.rds.maxAllocatedStorageGiB}) is below allocatedStorageGiB (${database.rds.allocatedStorageGiB}); storage autoscaling needs a ceiling above the start.`,
    );
  }
  const accessLogs = `${names.clusterName}-s3-access-logs-${env.aws.accountId}`;
  if (accessLogs.length > BUCKET_NAME_MAX) {
    fail(
      ['cluster', 'name'],
      `the access-log bucket name ${accessLogs} is longer than ${BUCKET_NAME_MAX} characters; shorten the cluster name.`,
    );
  }
  return findings;
}
