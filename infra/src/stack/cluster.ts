import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group/index.js';
import { Ec2Tag } from '@cdktf/provider-aws/lib/ec2-tag/index.js';
import { EksAccessEntry } from '@cdktf/provider-aws/lib/eks-access-entry/index.js';
import { EksAccessPolicyAssociation } from '@cdktf/provider-aws/lib/eks-access-policy-association/index.js';
import { EksCluster } from '@cdktf/provider-aws/lib/eks-cluster/index.js';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role/index.js';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy/index.js';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment/index.js';
import { Construct } from 'constructs';
import { type AwsContext, awsManagedPolicy } from './aws-context.js';
import { CustomerKey } from './kms.js';
import type { Network } from './network.js';
import { policy, policyJson, serviceTrust } from './policy.js';

/** Control-plane log types shipped to CloudWatch: who called the API, and how they authenticated. */
export const CLUSTER_LOG_TYPES = ['api', 'audit', 'authenticator'];
export const CLUSTER_LOG_RETENTION_DAYS = 90;

/** A readable, stable construct id for an IAM principal: its account and name. */
export const principalId = (arn: string): string =>
  arn
    .replace(/^arn:[^:]+:iam::/, '')
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

/**
 * The EKS control plane: API-mode authentication (access entries only, no aws-auth ConfigMap, and
 * no implicit admin for whoever runs the deploy), secrets encrypted with a key of our own,
 * audit logs with a bounded retention, and an endpoint that is private or limited to known CIDRs.
 */
export class Cluster extends Construct {
  readonly cluster: EksCluster;

  constructor(scope: Construct, id: string, context: AwsContext, network: Network, platformKeyArn: string) {
    super(scope, id);
    const { environment, names } = context;
    const clusterName = names.clusterName;

    const secretsKey = new CustomerKey(this, 'secrets-key', {
      alias: `${clusterName}-eks-secrets`,
      description: `Envelope encryption of Kubernetes secrets of EKS cluster ${clusterName}`,
    });

    const role = new IamRole(this, 'role', {
      name: `${clusterName}-cluster`,
      description: `EKS control plane of ${clusterName}`,
      assumeRolePolicy: policyJson(serviceTrust('eks.amazonaws.com', ['sts:AssumeRole', 'sts:TagSession'])),
    });
    const managed = new IamRolePolicyAttachment(this, 'cluster-policy', {
      role: role.name,
      policyArn: awsManagedPolicy(context, 'AmazonEKSClusterPolicy'),
    });
    const encryption = new IamRolePolicy(this, 'secrets-encryption', {
      name: 'secrets-encryption',
      role: role.name,
      policy: policyJson(
        policy({
          Sid: 'UseSecretsKey',
          Effect: 'Allow',
          Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ListGrants', 'kms:DescribeKey'],
          Resource: secretsKey.key.arn,
        }),
      ),
    });

    // Created before the cluster, so that EKS does not create it without a retention or
    // unencrypted: audit logs name every caller and object, so they are encrypted with the
    // platform key (whose policy admits CloudWatch Logs for this group).
    const logs = new CloudwatchLogGroup(this, 'logs', {
      name: `/aws/eks/${clusterName}/cluster`,
      retentionInDays: CLUSTER_LOG_RETENTION_DAYS,
      kmsKeyId: platformKeyArn,
    });

    const endpoint = environment.cluster.endpoint;
    this.cluster = new EksCluster(this, 'cluster', {
      name: clusterName,
      version: environment.cluster.kubernetesVersion,
      roleArn: role.arn,
      vpcConfig: {
        subnetIds: network.privateSubnets.map((s) => s.id),
        endpointPrivateAccess: true,
        endpointPublicAccess: endpoint.publicAccess,
        ...(endpoint.publicAccess ? { publicAccessCidrs: endpoint.publicAccessCidrs ?? [] } : {}),
      },
      accessConfig: { authenticationMode: 'API', bootstrapClusterCreatorAdminPermissions: false },
      // Every add-on is an EKS managed add-on of ours (see addons.ts), none is installed behind our back.
      bootstrapSelfManagedAddons: false,
      encryptionConfig: { provider: { keyArn: secretsKey.key.arn }, resources: ['secrets'] },
      enabledClusterLogTypes: CLUSTER_LOG_TYPES,
      // Standard support only: extended support is billed per hour and should be a decision.
      upgradePolicy: { supportType: 'STANDARD' },
      dependsOn: [managed, encryption, logs],
    });

    // Karpenter selects the security groups of its nodes by this tag; the EKS-created cluster
    // security group is the one every node needs (and the one EFS admits).
    new Ec2Tag(this, 'cluster-security-group-discovery', {
      resourceId: this.cluster.vpcConfig.clusterSecurityGroupId,
      key: 'karpenter.sh/discovery',
      value: names.karpenterDiscoveryTag,
    });

    for (const principalArn of environment.cluster.adminRoleArns) {
      const id = principalId(principalArn);
      const entry = new EksAccessEntry(this, `admin-${id}`, {
        clusterName: this.cluster.name,
        principalArn,
        type: 'STANDARD',
      });
      new EksAccessPolicyAssociation(this, `admin-${id}-policy`, {
        clusterName: this.cluster.name,
        principalArn,
        policyArn: `arn:${context.partition}:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy`,
        accessScope: { type: 'cluster' },
        dependsOn: [entry],
      });
    }
  }
}
