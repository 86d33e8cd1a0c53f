import { CloudwatchEventRule } from '@cdktf/provider-aws/lib/cloudwatch-event-rule/index.js';
import { CloudwatchEventTarget } from '@cdktf/provider-aws/lib/cloudwatch-event-target/index.js';
import { EksAccessEntry } from '@cdktf/provider-aws/lib/eks-access-entry/index.js';
import type { EksCluster } from '@cdktf/provider-aws/lib/eks-cluster/index.js';
import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue/index.js';
import { SqsQueuePolicy } from '@cdktf/provider-aws/lib/sqs-queue-policy/index.js';
import { Construct } from 'constructs';
import type { AwsContext } from './aws-context.js';
import { NodeRole } from './node-role.js';
import { PodIdentityRole } from './pod-identity-role.js';
import {
  denyInsecureTransport,
  type PolicyDocument,
  type PolicyStatement,
  policy,
  policyJson,
} from './policy.js';

/** The events Karpenter drains nodes ahead of (Karpenter's own CloudFormation reference). */
export const INTERRUPTION_EVENTS = [
  { id: 'health-event', source: 'aws.health', detailType: 'AWS Health Event' },
  { id: 'spot-interruption', source: 'aws.ec2', detailType: 'EC2 Spot Instance Interruption Warning' },
  { id: 'rebalance', source: 'aws.ec2', detailType: 'EC2 Instance Rebalance Recommendation' },
  { id: 'state-change', source: 'aws.ec2', detailType: 'EC2 Instance State-change Notification' },
] as const;

/** Karpenter drops messages older than this anyway; a longer retention only replays stale events. */
export const INTERRUPTION_QUEUE_RETENTION_SECONDS = 300;

/**
 * The controller's permissions, after Karpenter's reference policy for v1: every EC2 write is
 * limited to resources tagged (or being tagged) for this cluster and a NodePool, instance profiles
 * to those tagged for this cluster, region and an EC2NodeClass, PassRole to the node role alone.
 * Reads that EC2 cannot scope by resource are limited to the region; the two reads that IAM and
 * the Pricing API cannot scope at all are allow-listed with their reason. When
 * components.karpenter.chartVersion moves, compare with the reference policy of that version
 * (Karpenter docs, getting-started `cloudformation.yaml`).
 */
export function karpenterControllerPolicy(
  context: AwsContext,
  refs: { queueArn: string; nodeRoleArn: string },
): PolicyDocument {
  const { partition, region, accountId, names } = context;
  const cluster = names.clusterName;
  const ec2 = (resource: string, account = '*') => `arn:${partition}:ec2:${region}:${account}:${resource}`;
  const instanceProfiles = `arn:${partition}:iam::${accountId}:instance-profile/*`;
  const ownedRequest = {
    [`aws:RequestTag/kubernetes.io/cluster/${cluster}`]: 'owned',
    'aws:RequestTag/eks:eks-cluster-name': cluster,
  };
  const ownedResource = { [`aws:ResourceTag/kubernetes.io/cluster/${cluster}`]: 'owned' };
  const launched = [
    ec2('fleet/*'),
    ec2('instance/*'),
    ec2('volume/*'),
    ec2('network-interface/*'),
    ec2('launch-template/*'),
    ec2('spot-instances-request/*'),
  ];
  const statements: PolicyStatement[] = [
    {
      Sid: 'AllowScopedEC2InstanceAccessActions',
      Effect: 'Allow',
      Action: ['ec2:RunInstances', 'ec2:CreateFleet'],
      Resource: [
        ec2('image/*', ''),
        ec2('snapshot/*', ''),
        ec2('security-group/*'),
        ec2('subnet/*'),
        ec2('capacity-reservation/*'),
      ],
    },
    {
      Sid: 'AllowScopedEC2LaunchTemplateAccessActions',
      Effect: 'Allow',
      Action: ['ec2:RunInstances', 'ec2:CreateFleet'],
      Resource: ec2('launch-template/*'),
      Condition: {
        StringEquals: ownedResource,
        StringLike: { 'aws:ResourceTag/karpenter.sh/nodepool': '*' },
      },
    },
    {
      Sid: 'AllowScopedEC2InstanceActionsWithTags',
      Effect: 'Allow',
      Action: ['ec2:RunInstances', 'ec2:CreateFleet', 'ec2:CreateLaunchTemplate'],
      Resource: launched,
      Condition: { StringEquals: ownedRequest, StringLike: { 'aws:RequestTag/karpenter.sh/nodepool': '*' } },
    },
    {
      Sid: 'AllowScopedResourceCreationTagging',
      Effect: 'Allow',
      Action: 'ec2:CreateTags',
      Resource: launched,
      Condition: {
        StringEquals: {
          ...ownedRequest,
          'ec2:CreateAction': ['RunInstances', 'CreateFleet', 'CreateLaunchTemplate'],
        },
        StringLike: { 'aws:RequestTag/karpenter.sh/nodepool': '*' },
      },
    },
    {
      Sid: 'AllowScopedResourceTagging',
      Effect: 'Allow',
      Action: 'ec2:CreateTags',
      Resource: ec2('instance/*'),
      Condition: {
        StringEquals: ownedResource,
        StringLike: { 'aws:ResourceTag/karpenter.sh/nodepool': '*' },
        StringEqualsIfExists: { 'aws:RequestTag/eks:eks-cluster-name': cluster },
        'ForAllValues:StringEquals': {
          'aws:TagKeys': ['eks:eks-cluster-name', 'karpenter.sh/nodeclaim', 'Name'],
        },
      },
    },
    {
      Sid: 'AllowScopedDeletion',
      Effect: 'Allow',
      Action: ['ec2:TerminateInstances', 'ec2:DeleteLaunchTemplate'],
      Resource: [ec2('instance/*'), ec2('launch-template/*')],
      Condition: {
        StringEquals: ownedResource,
        StringLike: { 'aws:ResourceTag/karpenter.sh/nodepool': '*' },
      },
    },
    {
      Sid: 'AllowRegionalReadActions',
      Effect: 'Allow',
      Action: [
        'ec2:DescribeAvailabilityZones',
        'ec2:DescribeCapacityReservations',
        'ec2:DescribeImages',
        'ec2:DescribeInstances',
        'ec2:DescribeInstanceTypeOfferings',
        'ec2:DescribeInstanceTypes',
        'ec2:DescribeLaunchTemplates',
        'ec2:DescribeSecurityGroups',
        'ec2:DescribeSpotPriceHistory',
        'ec2:DescribeSubnets',
      ],
      Resource: '*',
      Condition: { StringEquals: { 'aws:RequestedRegion': region } },
    },
    {
      Sid: 'AllowSSMReadActions',
      Effect: 'Allow',
      Action: 'ssm:GetParameter',
      Resource: `arn:${partition}:ssm:${region}::parameter/aws/service/*`,
    },
    { Sid: 'AllowPricingReadActions', Effect: 'Allow', Action: 'pricing:GetProducts', Resource: '*' },
    {
      Sid: 'AllowInterruptionQueueActions',
      Effect: 'Allow',
      Action: ['sqs:DeleteMessage', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage'],
      Resource: refs.queueArn,
    },
    {
      Sid: 'AllowPassingInstanceRole',
      Effect: 'Allow',
      Action: 'iam:PassRole',
      Resource: refs.nodeRoleArn,
      Condition: { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } },
    },
    {
      Sid: 'AllowScopedInstanceProfileCreationActions',
      Effect: 'Allow',
      Action: 'iam:CreateInstanceProfile',
      Resource: instanceProfiles,
      Condition: {
        StringEquals: { ...ownedRequest, 'aws:RequestTag/topology.kubernetes.io/region': region },
        StringLike: { 'aws:RequestTag/karpenter.k8s.aws/ec2nodeclass': '*' },
      },
    },
    {
      Sid: 'AllowScopedInstanceProfileTagActions',
      Effect: 'Allow',
      Action: 'iam:TagInstanceProfile',
      Resource: instanceProfiles,
      Condition: {
        StringEquals: {
          ...ownedResource,
          'aws:ResourceTag/topology.kubernetes.io/region': region,
          ...ownedRequest,
          'aws:RequestTag/topology.kubernetes.io/region': region,
        },
        StringLike: {
          'aws:ResourceTag/karpenter.k8s.aws/ec2nodeclass': '*',
          'aws:RequestTag/karpenter.k8s.aws/ec2nodeclass': '*',
        },
      },
    },
    {
      Sid: 'AllowScopedInstanceProfileActions',
      Effect: 'Allow',
      Action: [
        'iam:AddRoleToInstanceProfile',
        'iam:RemoveRoleFromInstanceProfile',
        'iam:DeleteInstanceProfile',
      ],
      Resource: instanceProfiles,
      Condition: {
        StringEquals: { ...ownedResource, 'aws:ResourceTag/topology.kubernetes.io/region': region },
        StringLike: { 'aws:ResourceTag/karpenter.k8s.aws/ec2nodeclass': '*' },
      },
    },
    {
      Sid: 'AllowInstanceProfileReadActions',
      Effect: 'Allow',
      Action: 'iam:GetInstanceProfile',
      Resource: instanceProfiles,
    },
    {
      Sid: 'AllowUnscopedInstanceProfileListAction',
      Effect: 'Allow',
      Action: 'iam:ListInstanceProfiles',
      Resource: '*',
    },
    {
      Sid: 'AllowAPIServerEndpointDiscovery',
      Effect: 'Allow',
      Action: 'eks:DescribeCluster',
      Resource: context.clusterArn,
    },
  ];
  return policy(...statements);
}

/**
 * What Karpenter needs from AWS: the role of the nodes it launches (with its access entry), the
 * interruption queue fed by EventBridge, and the controller's own role through Pod Identity.
 */
export class Karpenter extends Construct {
  readonly queue: SqsQueue;
  readonly controllerRole: PodIdentityRole;
  readonly nodeRole: NodeRole;

  constructor(scope: Construct, id: string, props: { context: AwsContext; cluster: EksCluster }) {
    super(scope, id);
    const { context, cluster } = props;
    const { names } = context;

    this.nodeRole = new NodeRole(this, 'node-role', context, {
      name: names.karpenterNodeRole,
      description: `Nodes Karpenter launches for ${names.clusterName}`,
    });
    new EksAccessEntry(this, 'node-access', {
      clusterName: cluster.name,
      principalArn: this.nodeRole.role.arn,
      type: 'EC2_LINUX',
    });

    this.queue = new SqsQueue(this, 'interruption-queue', {
      name: names.karpenterInterruptionQueue,
      messageRetentionSeconds: INTERRUPTION_QUEUE_RETENTION_SECONDS,
      sqsManagedSseEnabled: true,
    });
    const rules = INTERRUPTION_EVENTS.map(
      (event) =>
        new CloudwatchEventRule(this, `${event.id}-rule`, {
          name: `${names.clusterName}-karpenter-${event.id}`,
          description: `Karpenter interruption handling: ${event.detailType}`,
          eventPattern: JSON.stringify({ source: [event.source], 'detail-type': [event.detailType] }),
        }),
    );
    rules.forEach((rule, i) => {
      new CloudwatchEventTarget(this, `${INTERRUPTION_EVENTS[i]?.id}-target`, {
        rule: rule.name,
        targetId: 'KarpenterInterruptionQueue',
        arn: this.queue.arn,
      });
    });
    new SqsQueuePolicy(this, 'interruption-queue-policy', {
      queueUrl: this.queue.url,
      policy: policyJson(
        policy(
          {
            Sid: 'EventBridgeSendsInterruptionEvents',
            Effect: 'Allow',
            Principal: { Service: ['events.amazonaws.com', 'sqs.amazonaws.com'] },
            Action: 'sqs:SendMessage',
            Resource: this.queue.arn,
          },
          denyInsecureTransport('sqs', [this.queue.arn]),
        ),
      ),
    });

    this.controllerRole = new PodIdentityRole(this, 'controller', {
      context,
      cluster,
      roleName: names.podIdentityRoles.karpenterController,
      binding: names.podIdentityBindings.karpenterController,
      description: `Karpenter controller of ${names.clusterName}`,
      permissions: karpenterControllerPolicy(context, {
        queueArn: this.queue.arn,
        nodeRoleArn: this.nodeRole.role.arn,
      }),
    });
  }
}
