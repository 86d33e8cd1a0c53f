import type { AwsContext } from './aws-context.js';
import type { PolicyStatement } from './policy.js';

/** Read-only calls the controller makes to discover subnets, security groups and its own load balancers. */
export const LOAD_BALANCER_CONTROLLER_DESCRIBE_ACTIONS = [
  'ec2:DescribeAccountAttributes',
  'ec2:DescribeAddresses',
  'ec2:DescribeAvailabilityZones',
  'ec2:DescribeInternetGateways',
  'ec2:DescribeVpcs',
  'ec2:DescribeVpcPeeringConnections',
  'ec2:DescribeSubnets',
  'ec2:DescribeSecurityGroups',
  'ec2:DescribeInstances',
  'ec2:DescribeNetworkInterfaces',
  'ec2:DescribeTags',
  'ec2:GetCoipPoolUsage',
  'ec2:DescribeCoipPools',
  'ec2:GetSecurityGroupsForVpc',
  'ec2:DescribeIpamPools',
  'ec2:DescribeRouteTables',
  'elasticloadbalancing:DescribeLoadBalancers',
  'elasticloadbalancing:DescribeLoadBalancerAttributes',
  'elasticloadbalancing:DescribeListeners',
  'elasticloadbalancing:DescribeListenerCertificates',
  'elasticloadbalancing:DescribeSSLPolicies',
  'elasticloadbalancing:DescribeRules',
  'elasticloadbalancing:DescribeTargetGroups',
  'elasticloadbalancing:DescribeTargetGroupAttributes',
  'elasticloadbalancing:DescribeTargetHealth',
  'elasticloadbalancing:DescribeTags',
  'elasticloadbalancing:DescribeTrustStores',
  'elasticloadbalancing:DescribeListenerAttributes',
  'elasticloadbalancing:DescribeCapacityReservation',
  'acm:ListCertificates',
];

/**
 * The AWS Load Balancer Controller's permissions: upstream's recommended policy
 * (kubernetes-sigs/aws-load-balancer-controller docs/install/iam_policy.json at v3.5.0), narrowed:
 * - application load balancers only (the platform makes no NLB; an NLB would need the `net/` ARNs back);
 * - every ARN limited to this account and region instead of `*:*`;
 * - security-group writes limited to this VPC (`ec2:Vpc`), as are security groups it creates;
 * - no WAF, Shield or Cognito (the chart values switch those features off), no IAM server certificates.
 * Upstream's tag conditions (`elbv2.k8s.aws/cluster`) are kept: the controller may change only what
 * it created. Sids are ours; the one unconditioned `*` statement is read-only and allow-listed.
 */
export function loadBalancerControllerStatements(context: AwsContext, vpcId: string): PolicyStatement[] {
  const { partition, region, accountId } = context;
  const elb = (resource: string) =>
    `arn:${partition}:elasticloadbalancing:${region}:${accountId}:${resource}`;
  const ec2 = (resource: string) => `arn:${partition}:ec2:${region}:${accountId}:${resource}`;
  const securityGroups = ec2('security-group/*');
  const loadBalancers = elb('loadbalancer/app/*/*');
  const targetGroups = elb('targetgroup/*/*');
  const listeners = elb('listener/app/*/*/*');
  const rules = elb('listener-rule/app/*/*/*');
  const inThisVpc = { ArnEquals: { 'ec2:Vpc': ec2(`vpc/${vpcId}`) } };
  const createdByController = { Null: { 'aws:ResourceTag/elbv2.k8s.aws/cluster': 'false' } };
  return [
    {
      Sid: 'CreateElbServiceLinkedRole',
      Effect: 'Allow',
      Action: 'iam:CreateServiceLinkedRole',
      Resource: `arn:${partition}:iam::${accountId}:role/aws-service-role/elasticloadbalancing.amazonaws.com/*`,
      Condition: { StringEquals: { 'iam:AWSServiceName': 'elasticloadbalancing.amazonaws.com' } },
    },
    {
      Sid: 'DescribeLoadBalancingResources',
      Effect: 'Allow',
      Action: LOAD_BALANCER_CONTROLLER_DESCRIBE_ACTIONS,
      Resource: '*',
    },
    {
      Sid: 'DescribeCertificates',
      Effect: 'Allow',
      Action: 'acm:DescribeCertificate',
      Resource: `arn:${partition}:acm:${region}:${accountId}:certificate/*`,
    },
    {
      Sid: 'ManageIngressOfSecurityGroupsInVpc',
      Effect: 'Allow',
      Action: ['ec2:AuthorizeSecurityGroupIngress', 'ec2:RevokeSecurityGroupIngress'],
      Resource: securityGroups,
      Condition: inThisVpc,
    },
    {
      Sid: 'CreateSecurityGroupInVpc',
      Effect: 'Allow',
      Action: 'ec2:CreateSecurityGroup',
      Resource: [securityGroups, ec2(`vpc/${vpcId}`)],
    },
    {
      Sid: 'TagSecurityGroupOnCreate',
      Effect: 'Allow',
      Action: 'ec2:CreateTags',
      Resource: securityGroups,
      Condition: {
        StringEquals: { 'ec2:CreateAction': 'CreateSecurityGroup' },
        Null: { 'aws:RequestTag/elbv2.k8s.aws/cluster': 'false' },
      },
    },
    {
      Sid: 'TagOwnSecurityGroups',
      Effect: 'Allow',
      Action: ['ec2:CreateTags', 'ec2:DeleteTags'],
      Resource: securityGroups,
      Condition: {
        Null: {
          'aws:RequestTag/elbv2.k8s.aws/cluster': 'true',
          'aws:ResourceTag/elbv2.k8s.aws/cluster': 'false',
        },
      },
    },
    {
      Sid: 'ManageOwnSecurityGroups',
      Effect: 'Allow',
      Action: [
        'ec2:AuthorizeSecurityGroupIngress',
        'ec2:RevokeSecurityGroupIngress',
        'ec2:DeleteSecurityGroup',
      ],
      Resource: securityGroups,
      Condition: createdByController,
    },
    {
      Sid: 'CreateTaggedLoadBalancers',
      Effect: 'Allow',
      Action: ['elasticloadbalancing:CreateLoadBalancer', 'elasticloadbalancing:CreateTargetGroup'],
      Resource: [loadBalancers, targetGroups],
      Condition: { Null: { 'aws:RequestTag/elbv2.k8s.aws/cluster': 'false' } },
    },
    {
      Sid: 'ManageListenersAndRules',
      Effect: 'Allow',
      Action: [
        'elasticloadbalancing:CreateListener',
        'elasticloadbalancing:DeleteListener',
        'elasticloadbalancing:CreateRule',
        'elasticloadbalancing:DeleteRule',
      ],
      Resource: [loadBalancers, listeners, rules],
    },
    {
      Sid: 'TagOwnLoadBalancers',
      Effect: 'Allow',
      Action: ['elasticloadbalancing:AddTags', 'elasticloadbalancing:RemoveTags'],
      Resource: [targetGroups, loadBalancers],
      Condition: {
        Null: {
          'aws:RequestTag/elbv2.k8s.aws/cluster': 'true',
          'aws:ResourceTag/elbv2.k8s.aws/cluster': 'false',
        },
      },
    },
    {
      Sid: 'TagListenersAndRules',
      Effect: 'Allow',
      Action: ['elasticloadbalancing:AddTags', 'elasticloadbalancing:RemoveTags'],
      Resource: [listeners, rules],
    },
    {
      Sid: 'ModifyOwnLoadBalancers',
      Effect: 'Allow',
      Action: [
        'elasticloadbalancing:ModifyLoadBalancerAttributes',
        'elasticloadbalancing:SetIpAddressType',
        'elasticloadbalancing:SetSecurityGroups',
        'elasticloadbalancing:SetSubnets',
        'elasticloadbalancing:DeleteLoadBalancer',
        'elasticloadbalancing:ModifyTargetGroup',
        'elasticloadbalancing:ModifyTargetGroupAttributes',
        'elasticloadbalancing:DeleteTargetGroup',
        'elasticloadbalancing:ModifyListenerAttributes',
        'elasticloadbalancing:ModifyCapacityReservation',
        'elasticloadbalancing:ModifyIpPools',
      ],
      Resource: [loadBalancers, targetGroups, listeners],
      Condition: createdByController,
    },
    {
      Sid: 'TagOnCreate',
      Effect: 'Allow',
      Action: 'elasticloadbalancing:AddTags',
      Resource: [targetGroups, loadBalancers],
      Condition: {
        StringEquals: { 'elasticloadbalancing:CreateAction': ['CreateTargetGroup', 'CreateLoadBalancer'] },
        Null: { 'aws:RequestTag/elbv2.k8s.aws/cluster': 'false' },
      },
    },
    {
      Sid: 'RegisterTargets',
      Effect: 'Allow',
      Action: ['elasticloadbalancing:RegisterTargets', 'elasticloadbalancing:DeregisterTargets'],
      Resource: targetGroups,
    },
    {
      Sid: 'ModifyListenersAndRules',
      Effect: 'Allow',
      Action: [
        'elasticloadbalancing:ModifyListener',
        'elasticloadbalancing:AddListenerCertificates',
        'elasticloadbalancing:RemoveListenerCertificates',
        'elasticloadbalancing:ModifyRule',
        'elasticloadbalancing:SetRulePriorities',
      ],
      Resource: [listeners, rules],
    },
  ];
}
