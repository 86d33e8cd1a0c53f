import { DEFAULT_SYSTEM_NODE_GROUP, isArmInstanceType, SYSTEM_NODE_LABELS } from '@airspark/config';
import type { EksCluster } from '@cdktf/provider-aws/lib/eks-cluster/index.js';
import { EksNodeGroup } from '@cdktf/provider-aws/lib/eks-node-group/index.js';
import { LaunchTemplate } from '@cdktf/provider-aws/lib/launch-template/index.js';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import type { AwsContext } from './aws-context.js';
import type { Network } from './network.js';
import { NodeRole } from './node-role.js';

// One definition, read by the validator too (xref/pod-placement): packages/config/src/system-node-group.ts.
export { DEFAULT_SYSTEM_NODE_GROUP, isArmInstanceType };

export const amiTypeFor = (instanceTypes: readonly string[]): string =>
  instanceTypes.every(isArmInstanceType) ? 'AL2023_ARM_64_STANDARD' : 'AL2023_x86_64_STANDARD';

export const ROOT_VOLUME_GIB = 50;

/**
 * The managed node group for system pods (add-ons, Argo CD and the rest of the platform, the
 * Karpenter controller, which must not run on nodes it manages). Spark runs on nodes Karpenter launches.
 */
export class SystemNodes extends Construct {
  readonly nodeGroup: EksNodeGroup;

  constructor(
    scope: Construct,
    id: string,
    props: { context: AwsContext; cluster: EksCluster; network: Network; after: ITerraformDependable[] },
  ) {
    super(scope, id);
    const { context } = props;
    const clusterName = context.names.clusterName;
    const sizes = context.environment.cluster.systemNodeGroup ?? DEFAULT_SYSTEM_NODE_GROUP;

    const nodeRole = new NodeRole(this, 'role', context, {
      name: `${clusterName}-system-node`,
      description: `Nodes of the system node group of ${clusterName}`,
    });

    const launchTemplate = new LaunchTemplate(this, 'launch-template', {
      name: `${clusterName}-system`,
      description: `System nodes of ${clusterName}: encrypted root volume, IMDSv2 only`,
      updateDefaultVersion: true,
      blockDeviceMappings: [
        {
          deviceName: '/dev/xvda',
          ebs: {
            volumeSize: ROOT_VOLUME_GIB,
            volumeType: 'gp3',
            encrypted: 'true',
            deleteOnTermination: 'true',
          },
        },
      ],
      // IMDSv2 with one hop: pods (one hop further) cannot read the node role's credentials; they
      // get their own through Pod Identity. Karpenter's EC2NodeClass default is the same.
      metadataOptions: { httpEndpoint: 'enabled', httpTokens: 'required', httpPutResponseHopLimit: 1 },
      tagSpecifications: [
        { resourceType: 'instance', tags: { Name: `${clusterName}-system` } },
        { resourceType: 'volume', tags: { Name: `${clusterName}-system` } },
      ],
    });

    this.nodeGroup = new EksNodeGroup(this, 'node-group', {
      clusterName: props.cluster.name,
      nodeGroupName: context.names.systemNodeGroup,
      nodeRoleArn: nodeRole.role.arn,
      subnetIds: props.network.privateSubnets.map((s) => s.id),
      amiType: amiTypeFor(sizes.instanceTypes),
      capacityType: 'ON_DEMAND',
      instanceTypes: [...sizes.instanceTypes],
      scalingConfig: { minSize: sizes.minSize, maxSize: sizes.maxSize, desiredSize: sizes.desiredSize },
      updateConfig: { maxUnavailable: 1 },
      launchTemplate: { id: launchTemplate.id, version: `${launchTemplate.latestVersion}` },
      // The platform's pods select these (packages/config/src/system-node-group.ts): without them
      // nothing could schedule until Karpenter, which Argo CD deploys, launched a node (ADR 0031).
      labels: { ...SYSTEM_NODE_LABELS },
      dependsOn: [...nodeRole.attachments, ...props.after],
    });
  }
}
