import { IamRole } from '@cdktf/provider-aws/lib/iam-role/index.js';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment/index.js';
import { Construct } from 'constructs';
import { type AwsContext, awsManagedPolicy } from './aws-context.js';
import { serviceTrust } from './policy.js';

/**
 * What a node needs to join the cluster and run the VPC CNI, and to pull images: no more. (No SSM:
 * nodes are replaced, not logged into; add AmazonSSMManagedInstanceCore deliberately if needed.)
 */
export const NODE_MANAGED_POLICIES = [
  'AmazonEKSWorkerNodePolicy',
  'AmazonEKS_CNI_Policy',
  'AmazonEC2ContainerRegistryPullOnly',
];

/** The IAM role of EC2 nodes (system node group, or nodes Karpenter launches). */
export class NodeRole extends Construct {
  readonly role: IamRole;
  readonly attachments: IamRolePolicyAttachment[];

  constructor(
    scope: Construct,
    id: string,
    context: AwsContext,
    props: { name: string; description: string },
  ) {
    super(scope, id);
    this.role = new IamRole(this, 'role', {
      name: props.name,
      description: props.description,
      assumeRolePolicy: JSON.stringify(serviceTrust('ec2.amazonaws.com')),
    });
    this.attachments = NODE_MANAGED_POLICIES.map(
      (name) =>
        new IamRolePolicyAttachment(this, name, {
          role: this.role.name,
          policyArn: awsManagedPolicy(context, name),
        }),
    );
  }
}
