import type { EksCluster } from '@cdktf/provider-aws/lib/eks-cluster/index.js';
import { Construct } from 'constructs';
import type { AwsContext } from './aws-context.js';
import { PodIdentityRole } from './pod-identity-role.js';
import { policy } from './policy.js';
import { s3KeyUse, s3ReadWrite } from './s3-access.js';
import type { StorageBuckets } from './storage-buckets.js';

/**
 * The platform's workloads and what each may touch in S3:
 * - Airflow: its remote logs, and the data bucket (ingestion tasks write raw data, checks read results).
 * - each Spark team: the data bucket, and its own folder of Spark event logs.
 * - Livy: the folder spark-submit uploads local files of batches to.
 */
export class WorkloadRoles extends Construct {
  readonly roles: Record<string, PodIdentityRole>;

  constructor(
    scope: Construct,
    id: string,
    props: { context: AwsContext; cluster: EksCluster; storage: StorageBuckets },
  ) {
    super(scope, id);
    const { context, cluster, storage } = props;
    const { names } = context;
    const dataBucket = { bucket: context.environment.storage.buckets.data, prefix: '' };
    const keyUse = s3KeyUse(context, storage.key.key.arn);

    const airflow = new PodIdentityRole(this, 'airflow', {
      context,
      cluster,
      roleName: names.podIdentityRoles.airflow,
      binding: names.podIdentityBindings.airflow,
      description: `Airflow of ${names.clusterName}: remote logs and data`,
      permissions: policy(
        ...s3ReadWrite(context, 'airflow-logs', names.storage.airflowRemoteLogs),
        ...s3ReadWrite(context, 'data', dataBucket),
        keyUse,
      ),
    });

    const livy = new PodIdentityRole(this, 'livy', {
      context,
      cluster,
      roleName: names.podIdentityRoles.livy,
      binding: names.podIdentityBindings.livy,
      description: `Livy of ${names.clusterName}: uploads of batch files`,
      permissions: policy(...s3ReadWrite(context, 'livy-uploads', names.storage.livyUploads), keyUse),
    });

    const teams = Object.fromEntries(
      context.environment.spark.teams.map((team) => {
        const eventLogs = names.storage.sparkEventLogs[team.name];
        const binding = names.podIdentityBindings.sparkTeams[team.name];
        const roleName = names.podIdentityRoles.sparkTeams[team.name];
        if (!eventLogs || !binding || !roleName)
          throw new Error(`platformNames has no entry for team ${team.name}`);
        const role = new PodIdentityRole(this, `spark-${team.name}`, {
          context,
          cluster,
          roleName,
          binding,
          description: `Spark drivers and executors of ${team.name} on ${names.clusterName}`,
          permissions: policy(
            ...s3ReadWrite(context, 'data', dataBucket),
            ...s3ReadWrite(context, 'spark-event-logs', eventLogs),
            keyUse,
          ),
        });
        return [`spark-${team.name}`, role];
      }),
    );

    this.roles = { airflow, livy, ...teams };
  }
}
