import { EfsAccessPoint } from '@cdktf/provider-aws/lib/efs-access-point/index.js';
import { EfsFileSystem } from '@cdktf/provider-aws/lib/efs-file-system/index.js';
import { EfsFileSystemPolicy } from '@cdktf/provider-aws/lib/efs-file-system-policy/index.js';
import { EfsMountTarget } from '@cdktf/provider-aws/lib/efs-mount-target/index.js';
import type { EksCluster } from '@cdktf/provider-aws/lib/eks-cluster/index.js';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group/index.js';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule/index.js';
import { Construct } from 'constructs';
import type { AwsContext } from './aws-context.js';
import { CustomerKey } from './kms.js';
import type { Network } from './network.js';
import { policy, policyJson } from './policy.js';

/** The uid and gid of the apache/spark images (and of Livy, built on them). */
export const SPARK_UID = 185;
export const SHARED_DATA_PATH = '/spark-shared';
export const NFS_PORT = 2049;

/**
 * EFS for data that Spark drivers, executors and Livy-submitted jobs share: encrypted at rest with
 * a key of ours, reachable over NFS only from the cluster's nodes, only over TLS, never as root.
 */
export class SharedFileSystem extends Construct {
  readonly fileSystem: EfsFileSystem;
  readonly accessPoint: EfsAccessPoint;
  readonly mountTargets: EfsMountTarget[];

  constructor(
    scope: Construct,
    id: string,
    props: { context: AwsContext; network: Network; cluster: EksCluster },
  ) {
    super(scope, id);
    const { context, network, cluster } = props;
    const clusterName = context.names.clusterName;

    const key = new CustomerKey(this, 'key', {
      alias: `${clusterName}-efs`,
      description: `EFS shared data of ${clusterName}`,
    });

    const securityGroup = new SecurityGroup(this, 'security-group', {
      name: `${clusterName}-efs`,
      description: `NFS from the nodes of ${clusterName} to its EFS mount targets`,
      vpcId: network.vpc.id,
      tags: { Name: `${clusterName}-efs` },
    });
    // Every node (managed group and Karpenter's) carries the EKS cluster security group.
    new VpcSecurityGroupIngressRule(this, 'nfs-from-cluster', {
      securityGroupId: securityGroup.id,
      description: 'NFS from the cluster nodes',
      ipProtocol: 'tcp',
      fromPort: NFS_PORT,
      toPort: NFS_PORT,
      referencedSecurityGroupId: cluster.vpcConfig.clusterSecurityGroupId,
    });

    this.fileSystem = new EfsFileSystem(this, 'file-system', {
      encrypted: true,
      kmsKeyId: key.key.arn,
      performanceMode: 'generalPurpose',
      // Elastic throughput follows Spark's bursts without provisioning or burst credits.
      throughputMode: 'elastic',
      lifecyclePolicy: [{ transitionToIa: 'AFTER_30_DAYS' }],
      tags: { Name: `${clusterName}-shared` },
    });

    this.mountTargets = network.privateSubnets.map(
      (subnet, i) =>
        new EfsMountTarget(this, `mount-target-${context.environment.network.availabilityZones[i]}`, {
          fileSystemId: this.fileSystem.id,
          subnetId: subnet.id,
          securityGroups: [securityGroup.id],
        }),
    );

    this.accessPoint = new EfsAccessPoint(this, 'shared-data', {
      fileSystemId: this.fileSystem.id,
      posixUser: { uid: SPARK_UID, gid: SPARK_UID },
      rootDirectory: {
        path: SHARED_DATA_PATH,
        creationInfo: { ownerUid: SPARK_UID, ownerGid: SPARK_UID, permissions: '0770' },
      },
      tags: { Name: `${clusterName}-spark-shared` },
    });

    // Clients may mount and write through the mount targets (no root access: access points set the
    // POSIX identity), and only over TLS (the EFS CSI driver mounts with TLS by default).
    new EfsFileSystemPolicy(this, 'policy', {
      fileSystemId: this.fileSystem.id,
      policy: policyJson(
        policy(
          {
            Sid: 'MountThroughMountTargets',
            Effect: 'Allow',
            Principal: { AWS: '*' },
            Action: ['elasticfilesystem:ClientMount', 'elasticfilesystem:ClientWrite'],
            Resource: this.fileSystem.arn,
            Condition: { Bool: { 'elasticfilesystem:AccessedViaMountTarget': 'true' } },
          },
          {
            Sid: 'DenyInsecureTransport',
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Action: [
              'elasticfilesystem:ClientMount',
              'elasticfilesystem:ClientWrite',
              'elasticfilesystem:ClientRootAccess',
            ],
            Resource: this.fileSystem.arn,
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          },
        ),
      ),
    });
  }
}
