import type { FromSchema } from 'json-schema-to-ts';

/**
 * JSON Schema of `clusters/<env>/infra-outputs.json`: the values only known after `cdktf deploy`
 * that manifests need. Names known before the deploy (roles, queue, buckets, cluster) are not here:
 * they come from `platformNames()` of @airspark/config. `schema/infra-outputs.schema.json` is
 * written from this object (`pnpm --filter @airspark/infra schema:write`) and checked fresh by a test.
 */
export const infraOutputsSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://airspark.dev/schemas/infra-outputs.schema.json',
  title: 'airspark infrastructure outputs',
  description:
    'Written by `pnpm infra:handoff --env <env>` from the Terraform outputs of stack airspark-<env>; never edited by hand.',
  type: 'object',
  additionalProperties: false,
  required: [
    'environment',
    'stack',
    'clusterName',
    'clusterArn',
    'clusterEndpoint',
    'vpcId',
    'efsFileSystemId',
    'efsAccessPointId',
  ],
  properties: {
    $schema: { type: 'string' },
    environment: { type: 'string', pattern: '^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$' },
    stack: { type: 'string', pattern: '^airspark-[a-z0-9-]+$' },
    clusterName: { type: 'string', minLength: 1 },
    clusterArn: { type: 'string', pattern: '^arn:aws(-us-gov)?:eks:[a-z0-9-]+:[0-9]{12}:cluster/.+$' },
    clusterEndpoint: { type: 'string', pattern: '^https://[A-Za-z0-9.-]+$' },
    vpcId: { type: 'string', pattern: '^vpc-[0-9a-f]{8,17}$' },
    efsFileSystemId: {
      type: 'string',
      pattern: '^fs-[0-9a-f]{8,40}$',
      description: 'EFS file system for the StorageClass `fileSystemId` parameter.',
    },
    efsAccessPointId: {
      type: 'string',
      pattern: '^fsap-[0-9a-f]{8,40}$',
      description:
        'Access point for shared Spark/Livy data (uid/gid 185): a PersistentVolume `volumeHandle: <fs>::<fsap>`.',
    },
    airflowDatabaseAddress: {
      type: 'string',
      pattern: '^[a-z0-9.-]+\\.rds\\.amazonaws\\.com$',
      description: 'Host of the Airflow metadata database (database type rds only).',
    },
    airflowDatabaseSecretArn: {
      type: 'string',
      pattern: '^arn:aws(-us-gov)?:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:rds!.+$',
      description:
        'The RDS-managed secret with the master user name and password (database type rds only); External Secrets builds the connection from it.',
    },
  },
} as const;

export type InfraOutputs = FromSchema<typeof infraOutputsSchema>;
