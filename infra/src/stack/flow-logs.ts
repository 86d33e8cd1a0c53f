import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group/index.js';
import { FlowLog } from '@cdktf/provider-aws/lib/flow-log/index.js';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role/index.js';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy/index.js';
import { Construct } from 'constructs';
import type { AwsContext } from './aws-context.js';
import type { Network } from './network.js';
import { policy, policyJson } from './policy.js';

export const FLOW_LOG_RETENTION_DAYS = 90;
export const flowLogGroupName = (context: AwsContext): string =>
  `/aws/vpc/${context.names.clusterName}/flow-logs`;

/**
 * VPC flow logs (accepted and rejected traffic of every interface) into a log group encrypted with
 * the platform key: what talked to what, for incident response. The delivery role may write to
 * that group only, and only the VPC Flow Logs service of this account may assume it.
 */
export class FlowLogs extends Construct {
  constructor(
    scope: Construct,
    id: string,
    props: { context: AwsContext; network: Network; platformKeyArn: string },
  ) {
    super(scope, id);
    const { context, network, platformKeyArn } = props;
    const group = new CloudwatchLogGroup(this, 'logs', {
      name: flowLogGroupName(context),
      retentionInDays: FLOW_LOG_RETENTION_DAYS,
      kmsKeyId: platformKeyArn,
    });
    const role = new IamRole(this, 'delivery-role', {
      name: `${context.names.clusterName}-vpc-flow-logs`,
      description: `VPC flow log delivery of ${context.names.clusterName}`,
      assumeRolePolicy: policyJson(
        policy({
          Sid: 'TrustVpcFlowLogsOfThisAccount',
          Effect: 'Allow',
          Principal: { Service: 'vpc-flow-logs.amazonaws.com' },
          Action: 'sts:AssumeRole',
          Condition: { StringEquals: { 'aws:SourceAccount': context.accountId } },
        }),
      ),
    });
    new IamRolePolicy(this, 'delivery-permissions', {
      name: 'deliver-flow-logs',
      role: role.name,
      policy: policyJson(
        policy({
          Sid: 'WriteFlowLogGroup',
          Effect: 'Allow',
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
          Resource: [group.arn, `${group.arn}:*`],
        }),
      ),
    });
    new FlowLog(this, 'flow-log', {
      vpcId: network.vpc.id,
      trafficType: 'ALL',
      logDestinationType: 'cloud-watch-logs',
      logDestination: group.arn,
      iamRoleArn: role.arn,
      maxAggregationInterval: 60,
    });
  }
}
