import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { type LoadedEnvironment, platformNames } from '@airspark/config';
import { beforeAll, describe, expect, it } from 'vitest';
import { ECR_PUSH_ACTIONS, imagePublisherRoleName } from '../src/stack/image-repositories.js';
import { DATABASE_MASTER_USER, POSTGRES_PORT } from '../src/stack/metadata-database.js';
import { type Json, realEnvironment, ref, repoRoot, resourcesOf, synthStack } from './helpers.js';

/** One resource of a type whose logical id contains `fragment`. */
function one(json: Json, type: string, fragment = ''): [string, Json] {
  const found = resourcesOf(json, type).filter(([name]) => name.includes(fragment));
  if (found.length !== 1) throw new Error(`expected one ${type} like "${fragment}", found ${found.length}`);
  return found[0] as [string, Json];
}

const platformKey = (json: Json) => ref('aws_kms_key', one(json, 'aws_kms_key', 'platform-key')[0], 'arn');
const statementsOf = (document: string) => JSON.parse(document).Statement as Json[];

describe.each(['dev', 'staging', 'prod'])('issue 14 resources of airspark-%s', (envName) => {
  let env: LoadedEnvironment;
  let json: Json;
  let text: string;

  beforeAll(async () => {
    env = await realEnvironment(envName);
    const out = synthStack(env);
    json = out.json;
    text = out.synthesized;
  });

  it('encrypts the EKS control-plane log group with the platform key, whose policy admits CloudWatch Logs for this stack only', () => {
    const [, group] = one(json, 'aws_cloudwatch_log_group', 'cluster_logs');
    expect(group.kms_key_id).toBe(platformKey(json));
    const [, key] = one(json, 'aws_kms_key', 'platform-key');
    expect(key.enable_key_rotation).toBe(true);
    const logs = statementsOf(key.policy).find((s) => s.Sid === 'CloudWatchLogsOfThisStack');
    expect(logs.Principal).toEqual({ Service: `logs.${env.environment.aws.region}.amazonaws.com` });
    expect(logs.Condition.ArnLike['kms:EncryptionContext:aws:logs:arn']).toContain(
      `arn:aws:logs:${env.environment.aws.region}:${env.environment.aws.accountId}:log-group:/aws/eks/${env.environment.cluster.name}/*`,
    );
  });

  it('logs all VPC traffic into a log group encrypted with the platform key, delivered by a role limited to it', () => {
    const [vpcId] = one(json, 'aws_vpc');
    const [, flowLog] = one(json, 'aws_flow_log');
    const [groupId, group] = one(json, 'aws_cloudwatch_log_group', 'flow-logs');
    expect(flowLog).toMatchObject({
      vpc_id: ref('aws_vpc', vpcId),
      traffic_type: 'ALL',
      log_destination_type: 'cloud-watch-logs',
      log_destination: ref('aws_cloudwatch_log_group', groupId, 'arn'),
    });
    expect(group.kms_key_id).toBe(platformKey(json));
    const [, delivery] = one(json, 'aws_iam_role_policy', 'flow-logs_delivery-permissions');
    expect(statementsOf(delivery.policy)[0].Resource).toEqual([
      ref('aws_cloudwatch_log_group', groupId, 'arn'),
      `${ref('aws_cloudwatch_log_group', groupId, 'arn')}:*`,
    ]);
  });

  it('sends the access logs of every data bucket to the access-log bucket, which S3 log delivery may write for this account only', () => {
    const [accessLogId] = one(json, 'aws_s3_bucket', 'access-logs');
    const logging = resourcesOf(json, 'aws_s3_bucket_logging').map(([, l]) => l);
    expect(logging).toHaveLength(3);
    for (const l of logging) expect(l.target_bucket).toBe(ref('aws_s3_bucket', accessLogId));
    expect(logging.map((l) => l.target_prefix).sort()).toEqual(
      Object.values(env.environment.storage.buckets)
        .map((b) => `${b}/`)
        .sort(),
    );
    const [, policy] = resourcesOf(json, 'aws_s3_bucket_policy').find(
      ([, p]) => p.bucket === ref('aws_s3_bucket', accessLogId),
    ) as [string, Json];
    const delivery = statementsOf(policy.policy).find((s) => s.Sid === 'S3ServerAccessLogDelivery');
    expect(delivery).toMatchObject({
      Principal: { Service: 'logging.s3.amazonaws.com' },
      Action: 's3:PutObject',
      Condition: { StringEquals: { 'aws:SourceAccount': env.environment.aws.accountId } },
    });
  });

  it('generates the Airflow keys in Secrets Manager through write-only arguments: no value in any resource, output or data source', () => {
    const names = platformNames(env.environment);
    const secrets = resourcesOf(json, 'aws_secretsmanager_secret').map(([, s]) => s);
    const expected = [
      names.secrets.airflowFernetKey,
      names.secrets.airflowApiSecretKey,
      names.secrets.airflowJwtSecret,
    ];
    if (env.environment.components.airflow.database.type === 'in-cluster')
      expected.push(names.secrets.airflowPostgresPassword);
    expect(secrets.map((s) => s.name).sort()).toEqual(
      [...expected, names.secrets.airflowGitConnection].sort(),
    );
    // Every secret but the Git connection (a token from outside, put in by an operator) gets a generated value.
    expect(resourcesOf(json, 'aws_secretsmanager_secret_version')).toHaveLength(expected.length);
    for (const s of secrets) expect(s.kms_key_id).toBe(platformKey(json));
    for (const [, version] of resourcesOf(json, 'aws_secretsmanager_secret_version')) {
      expect(version.secret_string).toBeUndefined();
      expect(version.secret_string_wo).toMatch(/ephemeral\.aws_secretsmanager_random_password\./);
      expect(version.secret_string_wo_version).toBe(1);
    }
    // Neither a random_password resource nor the (stateful) data source: nothing that stores a value.
    expect(text).not.toMatch(
      /"random_password"\s*:\s*\{|"aws_secretsmanager_random_password"\s*:\s*\{[^}]*"data"/,
    );
    expect(json.data?.aws_secretsmanager_random_password).toBeUndefined();
    expect(Object.keys(json.ephemeral.aws_secretsmanager_random_password)).toHaveLength(expected.length);
    const [, fernet] = resourcesOf(json, 'aws_secretsmanager_secret_version').find(([n]) =>
      n.includes('fernet'),
    ) as [string, Json];
    expect(fernet.secret_string_wo).toBe(
      `\${replace(replace(base64encode(ephemeral.aws_secretsmanager_random_password.airflow_fernet_key.random_password), "+", "-"), "/", "_")}`,
    );
    expect(JSON.stringify(json.output)).not.toMatch(/secret_string|random_password/);
  });

  it('lets External Secrets read only the platform prefix (and the RDS secret), decrypting through Secrets Manager only', () => {
    const names = platformNames(env.environment);
    const role = resourcesOf(json, 'aws_iam_role').find(
      ([, r]) => r.name === names.podIdentityRoles.externalSecrets,
    );
    expect(role).toBeDefined();
    const [, permissions] = one(json, 'aws_iam_role_policy', 'externalSecrets_permissions');
    const [read, decrypt] = statementsOf(permissions.policy);
    expect(read.Action).toEqual(['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret']);
    expect(read.Resource[0]).toBe(
      `arn:aws:secretsmanager:${env.environment.aws.region}:${env.environment.aws.accountId}:secret:${env.environment.cluster.name}/*`,
    );
    expect(read.Resource.every((r: string) => r !== '*')).toBe(true);
    if (names.airflowDatabase.provisioned)
      expect(read.Resource[1]).toMatch(/^\$\{aws_db_instance\..+\.master_user_secret\[0\]\.secret_arn\}$/);
    else expect(read.Resource).toHaveLength(1);
    expect(decrypt).toMatchObject({
      Action: 'kms:Decrypt',
      Resource: platformKey(json),
      Condition: {
        StringEquals: { 'kms:ViaService': `secretsmanager.${env.environment.aws.region}.amazonaws.com` },
      },
    });
  });

  it('gives the Spark History Server read-only access to the team event-log folders', () => {
    const [, permissions] = one(json, 'aws_iam_role_policy', 'sparkHistoryServer_permissions');
    const actions = statementsOf(permissions.policy).flatMap((s) => s.Action);
    expect(actions.sort()).toEqual(['kms:Decrypt', 's3:GetBucketLocation', 's3:GetObject', 's3:ListBucket']);
    const read = statementsOf(permissions.policy).find((s) => s.Action === 's3:GetObject');
    expect(read.Resource).toEqual(
      env.environment.spark.teams.map(
        (t) => `arn:aws:s3:::${env.environment.storage.buckets.sparkEventLogs}/${t.name}/*`,
      ),
    );
  });

  it('scopes the load balancer controller to this account, region and VPC, with no WAF, Shield or Cognito', () => {
    const [, permissions] = one(json, 'aws_iam_role_policy', 'awsLoadBalancerController_permissions');
    const statements = statementsOf(permissions.policy);
    const actions = statements.flatMap((s) => s.Action);
    expect(actions.some((a: string) => /^(waf|wafv2|waf-regional|shield|cognito-idp):/.test(a))).toBe(false);
    for (const s of statements) {
      for (const r of [s.Resource].flat()) {
        if (r === '*') expect(s.Sid).toBe('DescribeLoadBalancingResources');
        else expect(r).not.toMatch(/:\*:\*:/);
      }
    }
    const sg = statements.find((s) => s.Sid === 'ManageIngressOfSecurityGroupsInVpc');
    expect(sg.Condition.ArnEquals['ec2:Vpc']).toMatch(/:vpc\/\$\{aws_vpc\..+\.id\}$/);
  });

  it('creates the ECR repositories immutable, scanned on push, KMS-encrypted, with a lifecycle policy', () => {
    const repositories = resourcesOf(json, 'aws_ecr_repository').map(([, r]) => r);
    expect(repositories.map((r) => r.name).sort()).toEqual([
      'airspark/airflow',
      'airspark/livy',
      'airspark/spark-jobs',
    ]);
    for (const r of repositories) {
      expect(r.image_tag_mutability).toBe('IMMUTABLE');
      expect(r.image_scanning_configuration).toEqual({ scan_on_push: true });
      expect(r.encryption_configuration).toEqual([{ encryption_type: 'KMS', kms_key: platformKey(json) }]);
    }
    const lifecycles = resourcesOf(json, 'aws_ecr_lifecycle_policy').map(([, l]) => JSON.parse(l.policy));
    expect(lifecycles).toHaveLength(3);
    for (const l of lifecycles) expect(l.rules[0].selection.tagStatus).toBe('untagged');
  });

  it('trusts GitHub OIDC only where the environment publishes images, for one repository environment, push only', () => {
    const publishing = env.environment.imagePublishing;
    const providers = resourcesOf(json, 'aws_iam_openid_connect_provider');
    const role = resourcesOf(json, 'aws_iam_role').find(
      ([, r]) => r.name === imagePublisherRoleName({ names: platformNames(env.environment) } as never),
    );
    if (!publishing) {
      expect(providers).toHaveLength(0);
      expect(role).toBeUndefined();
      return;
    }
    expect(providers.map(([, p]) => p.url)).toEqual(['https://token.actions.githubusercontent.com']);
    const [trust] = statementsOf((role as [string, Json])[1].assume_role_policy);
    expect(trust.Action).toBe('sts:AssumeRoleWithWebIdentity');
    expect(trust.Condition.StringEquals).toEqual({
      'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
      'token.actions.githubusercontent.com:sub': `repo:${publishing.githubRepository}:environment:${publishing.githubEnvironment}`,
    });
    const [, permissions] = one(json, 'aws_iam_role_policy', 'publisher-permissions');
    const push = statementsOf(permissions.policy).find((s) => s.Sid === 'PushPlatformImages');
    expect(push.Action).toEqual(ECR_PUSH_ACTIONS);
    expect(push.Action.some((a: string) => a.startsWith('ecr:Delete'))).toBe(false);
    expect(push.Resource).toHaveLength(3);
  });

  it('provisions the Airflow database on RDS where environment.yaml says rds: private, encrypted, cluster-only, password managed by RDS', () => {
    const database = env.environment.components.airflow.database;
    const instances = resourcesOf(json, 'aws_db_instance');
    if (database.type !== 'rds' || !database.rds) {
      expect(instances).toHaveLength(0);
      return;
    }
    const [, db] = one(json, 'aws_db_instance');
    expect(db).toMatchObject({
      engine: 'postgres',
      engine_version: database.rds.engineVersion,
      username: DATABASE_MASTER_USER,
      manage_master_user_password: true,
      master_user_secret_kms_key_id: platformKey(json),
      storage_encrypted: true,
      kms_key_id: platformKey(json),
      publicly_accessible: false,
      multi_az: database.rds.multiAz,
      deletion_protection: database.rds.deletionProtection,
      backup_retention_period: database.rds.backupRetentionDays,
      skip_final_snapshot: false,
      iam_database_authentication_enabled: true,
    });
    expect(db.password).toBeUndefined();
    expect(db.password_wo).toBeUndefined();
    if (envName === 'prod') expect([db.multi_az, db.deletion_protection]).toEqual([true, true]);
    const [sgId] = one(json, 'aws_security_group', 'airflow-database');
    expect(db.vpc_security_group_ids).toEqual([ref('aws_security_group', sgId)]);
    const rules = resourcesOf(json, 'aws_vpc_security_group_ingress_rule')
      .map(([, r]) => r)
      .filter((r) => r.security_group_id === ref('aws_security_group', sgId));
    expect(rules).toEqual([
      expect.objectContaining({
        from_port: POSTGRES_PORT,
        to_port: POSTGRES_PORT,
        ip_protocol: 'tcp',
        referenced_security_group_id: expect.stringMatching(/vpc_config\[0\]\.cluster_security_group_id/),
      }),
    ]);
    expect(rules[0].cidr_ipv4).toBeUndefined();
    const [, subnets] = one(json, 'aws_db_subnet_group');
    expect(subnets.subnet_ids).toHaveLength(env.environment.network.availabilityZones.length);
    expect(subnets.subnet_ids.every((s: string) => s.includes('private'))).toBe(true);
    const [, parameters] = one(json, 'aws_db_parameter_group');
    expect(parameters.parameter).toContainEqual({ name: 'rds.force_ssl', value: '1' });
    const [, logs] = one(json, 'aws_cloudwatch_log_group', 'airflow-database_logs');
    const [, osMetrics] = one(json, 'aws_cloudwatch_log_group', 'os-metrics');
    expect(osMetrics).toMatchObject({ name: 'RDSOSMetrics', kms_key_id: platformKey(json) });
    expect(db.monitoring_interval).toBe(60);
    expect(logs.kms_key_id).toBe(platformKey(json));
  });
});

describe('the image workflow and the repositories it pushes to', () => {
  it('builds an image for every ECR repository of the publishing environment, in the GitHub environment its role trusts', async () => {
    const workflow = await readFile(path.join(repoRoot, '.github/workflows/images.yml'), 'utf8');
    const dev = (await realEnvironment('dev')).environment;
    const publishing = dev.imagePublishing;
    if (!publishing) throw new Error('dev publishes no images');
    for (const repository of platformNames(dev).ecrRepositories) {
      const image = repository.replace(/^airspark\//, '');
      expect(workflow).toContain(`- "${image}/*"`);
      expect(workflow).toMatch(new RegExp(`^\\s+${image}\\) echo "context=`, 'm'));
    }
    expect(workflow).toMatch(new RegExp(`^\\s+environment: ${publishing.githubEnvironment}$`, 'm'));
    expect(workflow).toContain('id-token: write');
    expect(workflow).not.toMatch(/AWS_ACCESS_KEY_ID|aws-secret-access-key/i);
  });
});

describe('ECR replication from the publishing account', () => {
  it('replicates the platform prefix into every account that names the publisher as its source, and those admit only it', async () => {
    const [dev, staging, prod] = await Promise.all(['dev', 'staging', 'prod'].map(realEnvironment));
    const publisher = dev?.environment;
    if (!publisher?.imagePublishing) throw new Error('dev publishes no images');
    const [, replication] = one(synthStack(dev as never).json, 'aws_ecr_replication_configuration');
    const [rule] = replication.replication_configuration.rule;
    expect(rule.repository_filter).toEqual([{ filter: 'airspark/', filter_type: 'PREFIX_MATCH' }]);
    const destinations = rule.destination.map((d: Json) => d.registry_id).sort();
    const receivers = [staging, prod].map((e) => e?.environment);
    expect(destinations).toEqual(receivers.map((e) => e?.aws.accountId).sort());
    for (const receiver of receivers) {
      expect(receiver?.imageReplicationSource?.accountId).toBe(publisher.aws.accountId);
      const json = synthStack({ name: receiver?.name, environment: receiver } as never).json;
      const [, registryPolicy] = one(json, 'aws_ecr_registry_policy');
      const [statement] = statementsOf(registryPolicy.policy);
      expect(statement).toEqual({
        Sid: 'ReplicationFromPublishingAccount',
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${publisher.aws.accountId}:root` },
        Action: ['ecr:CreateRepository', 'ecr:ReplicateImage'],
        Resource: [`arn:aws:ecr:eu-west-1:${receiver?.aws.accountId}:repository/airspark/*`],
      });
      expect(resourcesOf(json, 'aws_ecr_replication_configuration')).toHaveLength(0);
    }
  });
});
