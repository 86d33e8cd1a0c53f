/**
 * The Terraform outputs of every airspark stack. The stack declares them under these names and the
 * hand-off reads them back under the same names, so both sides import this one table.
 */
export const STACK_OUTPUTS = {
  clusterName: 'cluster_name',
  clusterArn: 'cluster_arn',
  clusterEndpoint: 'cluster_endpoint',
  vpcId: 'vpc_id',
  efsFileSystemId: 'efs_file_system_id',
  efsAccessPointId: 'efs_access_point_id',
  karpenterInterruptionQueue: 'karpenter_interruption_queue',
  /** Map of role key (`airflow`, `spark-team-a`, ...) to ARN: checked against platformNames. */
  podIdentityRoleArns: 'pod_identity_role_arns',
  /** Only when infra/ provisions the Airflow database (database type rds). */
  airflowDatabaseAddress: 'airflow_database_address',
  airflowDatabaseSecretArn: 'airflow_database_secret_arn',
} as const;

export type StackOutputKey = keyof typeof STACK_OUTPUTS;

/** The Terraform stack (and cdktf.out folder) of an environment. */
export function stackName(env: string): string {
  return `airspark-${env}`;
}
