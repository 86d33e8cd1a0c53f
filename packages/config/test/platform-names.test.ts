import { describe, expect, it } from 'vitest';
import { loadEnvironments } from '../src/load-environments.js';
import { awsPartition, platformNames, roleArn, s3Url } from '../src/platform-names.js';
import { repoRoot } from './fixtures.js';

describe('platformNames', () => {
  it('binds every Pod Identity role to a namespace and service accounts, one per Spark team', async () => {
    const { environments } = await loadEnvironments(repoRoot, ['dev']);
    const env = environments[0]?.environment;
    if (!env) throw new Error('dev did not load');
    const names = platformNames(env);
    const { sparkTeams: roleTeams, ...roles } = names.podIdentityRoles;
    const { sparkTeams: bindingTeams, ...bindings } = names.podIdentityBindings;
    expect(Object.keys(bindings).sort()).toEqual(Object.keys(roles).sort());
    expect(Object.keys(bindingTeams)).toEqual(Object.keys(roleTeams));
    expect(bindingTeams['team-a']).toEqual({ namespace: 'spark-team-a', serviceAccounts: ['spark'] });
    expect(names.storage.sparkEventLogs['team-a']).toEqual({
      bucket: 'airspark-dev-spark-events-111111111111',
      prefix: 'team-a/',
    });
    expect(s3Url(names.storage.airflowRemoteLogs)).toBe('s3://airspark-dev-logs-111111111111/airflow-logs');
    expect(s3Url(names.storage.livyUploads, 's3a')).toBe('s3a://airspark-dev-data-111111111111/livy-uploads');
    expect(s3Url({ bucket: 'b', prefix: '' })).toBe('s3://b');
    expect(roleArn(env, names.podIdentityRoles.airflow)).toBe(
      'arn:aws:iam::111111111111:role/airspark-dev-airflow',
    );
  });

  it('uses the GovCloud partition for GovCloud regions', () => {
    expect(awsPartition('us-gov-west-1')).toBe('aws-us-gov');
    expect(awsPartition('eu-west-1')).toBe('aws');
  });
});

describe('platformNames for issue 14 (database, secrets, images)', () => {
  it('derives the secret names under one prefix, the database identifier and the own ECR repositories', async () => {
    const { environments } = await loadEnvironments(repoRoot, ['dev', 'prod']);
    const [dev, prod] = ['dev', 'prod'].map((n) => {
      const env = environments.find((e) => e.name === n)?.environment;
      if (!env) throw new Error(`${n} did not load`);
      return platformNames(env);
    }) as [ReturnType<typeof platformNames>, ReturnType<typeof platformNames>];
    const { secretsPrefix, ...secrets } = prod.secrets;
    expect(secretsPrefix).toBe('airspark-prod/');
    for (const name of Object.values(secrets)) expect(name.startsWith(secretsPrefix)).toBe(true);
    expect(prod.airflowDatabase).toEqual({
      identifier: 'airspark-prod-airflow',
      provisioned: true,
      databaseName: 'airflow',
    });
    expect(dev.airflowDatabase.provisioned).toBe(false);
    expect(prod.ecrRepositories).toEqual(['airspark/airflow', 'airspark/livy', 'airspark/spark-jobs']);
  });

  it('creates no ECR repository for an image in another registry', async () => {
    const { environments } = await loadEnvironments(repoRoot, ['dev']);
    const env = environments[0]?.environment;
    if (!env) throw new Error('dev did not load');
    const mirrored = structuredClone(env);
    mirrored.components.livy.image.repository = 'registry.example.com/airspark/livy';
    mirrored.spark.jobImage.repository = '999999999999.dkr.ecr.eu-west-1.amazonaws.com/airspark/spark-jobs';
    expect(platformNames(mirrored).ecrRepositories).toEqual(['airspark/airflow']);
  });
});
