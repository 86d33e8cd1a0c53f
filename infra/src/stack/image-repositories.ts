import { EcrLifecyclePolicy } from '@cdktf/provider-aws/lib/ecr-lifecycle-policy/index.js';
import { EcrRegistryPolicy } from '@cdktf/provider-aws/lib/ecr-registry-policy/index.js';
import { EcrReplicationConfiguration } from '@cdktf/provider-aws/lib/ecr-replication-configuration/index.js';
import { EcrRepository } from '@cdktf/provider-aws/lib/ecr-repository/index.js';
import { IamOpenidConnectProvider } from '@cdktf/provider-aws/lib/iam-openid-connect-provider/index.js';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role/index.js';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy/index.js';
import { Construct } from 'constructs';
import type { AwsContext } from './aws-context.js';
import { policy, policyJson } from './policy.js';

/** Untagged images (a failed or superseded push) go after a week; release tags are never expired. */
export const UNTAGGED_IMAGE_DAYS = 7;
export const GITHUB_OIDC_URL = 'https://token.actions.githubusercontent.com';
export const GITHUB_OIDC_AUDIENCE = 'sts.amazonaws.com';

/** Push and pull of one repository's images: what docker/build-push-action needs, no deletes. */
export const ECR_PUSH_ACTIONS = [
  'ecr:BatchCheckLayerAvailability',
  'ecr:BatchGetImage',
  'ecr:CompleteLayerUpload',
  'ecr:GetDownloadUrlForLayer',
  'ecr:InitiateLayerUpload',
  'ecr:PutImage',
  'ecr:UploadLayerPart',
];

export const imagePublisherRoleName = (context: AwsContext): string =>
  `${context.names.clusterName}-image-publisher`;

/**
 * The ECR repositories of the images the environment pins in its own registry: tags immutable
 * (a pin means one image forever), scanned on push, encrypted with the platform key, untagged
 * images expired. Where environment.yaml has `imagePublishing`, also the GitHub OIDC provider and
 * the role the image workflow assumes: only jobs of that repository in that GitHub environment,
 * only push to these repositories.
 */
export class ImageRepositories extends Construct {
  readonly repositories: EcrRepository[];
  readonly publisherRole?: IamRole;

  constructor(scope: Construct, id: string, props: { context: AwsContext; platformKeyArn: string }) {
    super(scope, id);
    const { context, platformKeyArn } = props;
    this.repositories = context.names.ecrRepositories.map((name) => {
      const kebab = name.replace(/[^A-Za-z0-9]+/g, '-');
      const repository = new EcrRepository(this, kebab, {
        name,
        imageTagMutability: 'IMMUTABLE',
        imageScanningConfiguration: { scanOnPush: true },
        encryptionConfiguration: [{ encryptionType: 'KMS', kmsKey: platformKeyArn }],
      });
      new EcrLifecyclePolicy(this, `${kebab}-lifecycle`, {
        repository: repository.name,
        policy: JSON.stringify({
          rules: [
            {
              rulePriority: 1,
              description: `expire untagged images after ${UNTAGGED_IMAGE_DAYS} days`,
              selection: {
                tagStatus: 'untagged',
                countType: 'sinceImagePushed',
                countUnit: 'days',
                countNumber: UNTAGGED_IMAGE_DAYS,
              },
              action: { type: 'expire' },
            },
          ],
        }),
      });
      return repository;
    });

    // The platform's repositories share a prefix (`airspark/`): replication and the registry policy
    // cover exactly that prefix, never the whole registry.
    const prefixes = [...new Set(context.names.ecrRepositories.map((r) => `${r.split('/')[0]}/`))];
    const source = context.environment.imageReplicationSource;
    if (source && this.repositories.length > 0) {
      const { partition, region, accountId } = context;
      new EcrRegistryPolicy(this, 'replication-from-source', {
        policy: policyJson(
          policy({
            Sid: 'ReplicationFromPublishingAccount',
            Effect: 'Allow',
            Principal: { AWS: `arn:${partition}:iam::${source.accountId}:root` },
            Action: ['ecr:CreateRepository', 'ecr:ReplicateImage'],
            Resource: prefixes.map((p) => `arn:${partition}:ecr:${region}:${accountId}:repository/${p}*`),
          }),
        ),
      });
    }
    const publishing = context.environment.imagePublishing;
    if (!publishing || this.repositories.length === 0) return;
    if (publishing.replicateTo && publishing.replicateTo.length > 0) {
      new EcrReplicationConfiguration(this, 'replication', {
        replicationConfiguration: {
          rule: [
            {
              destination: publishing.replicateTo.map((d) => ({ region: d.region, registryId: d.accountId })),
              repositoryFilter: prefixes.map((p) => ({ filter: p, filterType: 'PREFIX_MATCH' })),
            },
          ],
        },
      });
    }
    const provider = new IamOpenidConnectProvider(this, 'github-oidc', {
      url: GITHUB_OIDC_URL,
      clientIdList: [GITHUB_OIDC_AUDIENCE],
    });
    this.publisherRole = new IamRole(this, 'publisher', {
      name: imagePublisherRoleName(context),
      description: `Image workflow of ${publishing.githubRepository} (GitHub OIDC): push to the platform's ECR repositories`,
      maxSessionDuration: 3600,
      assumeRolePolicy: policyJson(
        policy({
          Sid: 'GithubActionsOfOneRepositoryEnvironment',
          Effect: 'Allow',
          Principal: { Federated: provider.arn },
          Action: 'sts:AssumeRoleWithWebIdentity',
          Condition: {
            StringEquals: {
              'token.actions.githubusercontent.com:aud': GITHUB_OIDC_AUDIENCE,
              'token.actions.githubusercontent.com:sub': `repo:${publishing.githubRepository}:environment:${publishing.githubEnvironment}`,
            },
          },
        }),
      ),
    });
    new IamRolePolicy(this, 'publisher-permissions', {
      name: 'push-images',
      role: this.publisherRole.name,
      policy: policyJson(
        policy(
          {
            Sid: 'GetEcrLoginToken',
            Effect: 'Allow',
            Action: 'ecr:GetAuthorizationToken',
            Resource: '*',
          },
          {
            Sid: 'PushPlatformImages',
            Effect: 'Allow',
            Action: ECR_PUSH_ACTIONS,
            Resource: this.repositories.map((r) => r.arn),
          },
        ),
      ),
    });
  }
}
