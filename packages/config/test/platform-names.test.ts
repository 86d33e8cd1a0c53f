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
