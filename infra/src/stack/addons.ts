import { EksAddon, type EksAddonConfig } from '@cdktf/provider-aws/lib/eks-addon/index.js';
import type { EksCluster } from '@cdktf/provider-aws/lib/eks-cluster/index.js';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { type AwsContext, awsManagedPolicy } from './aws-context.js';
import { PodIdentityRole } from './pod-identity-role.js';

/**
 * Add-ons float to the version EKS picks for the cluster's Kubernetes version when first created;
 * with `OVERWRITE` a later apply also undoes changes made to them in the cluster.
 */
function addon(
  scope: Construct,
  cluster: EksCluster,
  name: string,
  options: Partial<EksAddonConfig> = {},
): EksAddon {
  return new EksAddon(scope, name, {
    clusterName: cluster.name,
    addonName: name,
    resolveConflictsOnCreate: 'OVERWRITE',
    resolveConflictsOnUpdate: 'OVERWRITE',
    ...options,
  });
}

/**
 * The add-ons nodes need to become Ready: created before the node group. The VPC CNI enforces
 * Kubernetes NetworkPolicies only when told to, and the platform relies on them (Livy has no
 * authentication; its NetworkPolicy is its fence).
 */
export class NodeAddons extends Construct {
  readonly addons: EksAddon[];

  constructor(scope: Construct, id: string, cluster: EksCluster) {
    super(scope, id);
    this.addons = [
      addon(this, cluster, 'vpc-cni', {
        configurationValues: JSON.stringify({ enableNetworkPolicy: 'true' }),
      }),
      addon(this, cluster, 'kube-proxy'),
      addon(this, cluster, 'eks-pod-identity-agent'),
    ];
  }
}

/**
 * The add-ons that need running nodes (EKS waits for them to become healthy): created after the node
 * group. The CSI drivers get their AWS permissions through Pod Identity associations that the add-on
 * itself manages.
 */
export class WorkloadAddons extends Construct {
  readonly addons: EksAddon[];
  readonly roles: { ebsCsi: PodIdentityRole; efsCsi: PodIdentityRole };

  constructor(
    scope: Construct,
    id: string,
    props: { context: AwsContext; cluster: EksCluster; after: ITerraformDependable[] },
  ) {
    super(scope, id);
    const { context, cluster } = props;
    const { names } = context;
    const csiRole = (key: 'ebsCsi' | 'efsCsi', policy: string, description: string) =>
      new PodIdentityRole(this, `${key}-role`, {
        context,
        cluster,
        roleName: names.podIdentityRoles[key],
        binding: names.podIdentityBindings[key],
        description,
        managedPolicies: [awsManagedPolicy(context, policy)],
        associatedByAddon: true,
      });
    this.roles = {
      ebsCsi: csiRole(
        'ebsCsi',
        'service-role/AmazonEBSCSIDriverPolicy',
        `EBS CSI controller of ${names.clusterName}`,
      ),
      efsCsi: csiRole(
        'efsCsi',
        'service-role/AmazonEFSCSIDriverPolicy',
        `EFS CSI controller of ${names.clusterName}`,
      ),
    };
    const associations = (key: 'ebsCsi' | 'efsCsi') =>
      names.podIdentityBindings[key].serviceAccounts.map((serviceAccount) => ({
        roleArn: this.roles[key].role.arn,
        serviceAccount,
      }));
    const after = { dependsOn: props.after };
    this.addons = [
      addon(this, cluster, 'coredns', after),
      addon(this, cluster, 'aws-ebs-csi-driver', {
        ...after,
        podIdentityAssociation: associations('ebsCsi'),
      }),
      addon(this, cluster, 'aws-efs-csi-driver', {
        ...after,
        podIdentityAssociation: associations('efsCsi'),
      }),
    ];
  }
}
