import type { PodIdentityBinding } from '@airspark/config';
import type { EksCluster } from '@cdktf/provider-aws/lib/eks-cluster/index.js';
import { EksPodIdentityAssociation } from '@cdktf/provider-aws/lib/eks-pod-identity-association/index.js';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role/index.js';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy/index.js';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment/index.js';
import { Construct } from 'constructs';
import type { AwsContext } from './aws-context.js';
import { type PolicyDocument, policy, policyJson } from './policy.js';

export interface PodIdentityRoleProps {
  context: AwsContext;
  cluster: EksCluster;
  roleName: string;
  binding: PodIdentityBinding;
  description: string;
  /** Inline policy: exactly what the workload needs. */
  permissions?: PolicyDocument;
  /** AWS managed policies, each allow-listed with its reason in infra/security-allowlist.yaml. */
  managedPolicies?: string[];
  /**
   * When an EKS add-on owns the association (`pod_identity_association` of aws_eks_addon), the role
   * must not get a second, standalone one.
   */
  associatedByAddon?: boolean;
}

/**
 * An IAM role for Kubernetes service accounts through EKS Pod Identity. The trust policy admits the
 * Pod Identity service only for this account, this cluster, and the bound namespace and service
 * accounts (the session tags Pod Identity sets), so an association made elsewhere cannot use it.
 */
export class PodIdentityRole extends Construct {
  readonly role: IamRole;

  constructor(scope: Construct, id: string, props: PodIdentityRoleProps) {
    super(scope, id);
    const { context, binding } = props;
    this.role = new IamRole(this, 'role', {
      name: props.roleName,
      description: props.description,
      assumeRolePolicy: policyJson(
        policy({
          Sid: 'AllowEksPodIdentity',
          Effect: 'Allow',
          Principal: { Service: 'pods.eks.amazonaws.com' },
          Action: ['sts:AssumeRole', 'sts:TagSession'],
          Condition: {
            StringEquals: {
              'aws:SourceAccount': context.accountId,
              'aws:RequestTag/eks-cluster-name': context.names.clusterName,
              'aws:RequestTag/kubernetes-namespace': binding.namespace,
              'aws:RequestTag/kubernetes-service-account': [...binding.serviceAccounts],
            },
          },
        }),
      ),
    });
    if (props.permissions) {
      new IamRolePolicy(this, 'permissions', {
        name: 'permissions',
        role: this.role.name,
        policy: policyJson(props.permissions),
      });
    }
    for (const arn of props.managedPolicies ?? []) {
      new IamRolePolicyAttachment(this, `managed-${arn.split('/').pop()}`, {
        role: this.role.name,
        policyArn: arn,
      });
    }
    if (!props.associatedByAddon) {
      for (const serviceAccount of binding.serviceAccounts) {
        new EksPodIdentityAssociation(this, `association-${serviceAccount}`, {
          clusterName: props.cluster.name,
          namespace: binding.namespace,
          serviceAccount,
          roleArn: this.role.arn,
        });
      }
    }
  }
}
