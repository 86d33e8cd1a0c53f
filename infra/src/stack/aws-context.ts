import { awsPartition, type Environment, type PlatformNames, platformNames } from '@airspark/config';

/** What every construct of a stack needs to know about its environment, derived once. */
export interface AwsContext {
  envName: string;
  environment: Environment;
  names: PlatformNames;
  partition: string;
  region: string;
  accountId: string;
  /** `arn:<partition>:<service>:<region>:<account>:<resource>`; pass '' for global parts. */
  arn: (service: string, resource: string, options?: { region?: string; account?: string }) => string;
  clusterArn: string;
}

export function awsContext(envName: string, environment: Environment): AwsContext {
  const partition = awsPartition(environment.aws.region);
  const region = environment.aws.region;
  const accountId = environment.aws.accountId;
  const names = platformNames(environment);
  const arn: AwsContext['arn'] = (service, resource, options = {}) =>
    `arn:${partition}:${service}:${options.region ?? region}:${options.account ?? accountId}:${resource}`;
  return {
    envName,
    environment,
    names,
    partition,
    region,
    accountId,
    arn,
    clusterArn: arn('eks', `cluster/${names.clusterName}`),
  };
}

/** ARN of an AWS managed IAM policy, e.g. `service-role/AmazonEBSCSIDriverPolicy`. */
export const awsManagedPolicy = (context: AwsContext, name: string): string =>
  `arn:${context.partition}:iam::aws:policy/${name}`;
