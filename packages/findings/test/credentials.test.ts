import { describe, expect, it } from 'vitest';
import { credentialReason, REDACTED, redactCredentials, redactText } from '../src/index.js';

// Test credentials are assembled at run time so that no scanner (ours included) flags this file.
const awsKeyId = ['AKIA', 'IOSFODNN7', 'EXAMPLE'].join('');
const awsSecret = ['wJalrXUtnFEMI', '/K7MDENG/bPxRfiCY', 'EXAMPLEKEY'].join('');
const githubToken = `ghp_${'a1B2c3D4e5'.repeat(4)}`;

describe('credentials in configuration', () => {
  it('recognises well-known formats under any key', () => {
    expect(credentialReason('anything', awsKeyId)).toBe('an AWS access key id');
    expect(credentialReason(undefined, `token ${githubToken}`)).toBe('a GitHub token');
    expect(credentialReason('url', 'postgresql://airflow:s3cretPass@db:5432/airflow')).toBe(
      'a password in a URL',
    );
    expect(
      credentialReason('key', '-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----'),
    ).toBe('a private key');
  });

  it('recognises literal values under credential keys', () => {
    expect(credentialReason('password', 'hunter2hunter2')).toMatch(/literal credential/);
    expect(credentialReason('aws_secret_access_key', awsSecret)).toMatch(/literal credential/);
    expect(credentialReason('spark.hadoop.fs.s3a.secret.key', awsSecret)).toMatch(/literal credential/);
    expect(credentialReason('apiToken', 'Zx81_kq0pLm')).toMatch(/literal credential/);
    expect(
      credentialReason(
        'spark-defaults.conf',
        `spark.master k8s://x\nspark.hadoop.fs.s3a.secret.key ${awsSecret}\n`,
      ),
    ).toMatch(/literal credential under "spark.hadoop.fs.s3a.secret.key"/);
  });

  it('does not flag references to credentials (the repository legitimately has these)', () => {
    for (const [key, value] of [
      ['fernetKeySecretName', 'airspark-airflow-fernet-key'],
      ['existingSecret', 'airspark-airflow-postgresql'],
      ['secretName', 'airflow-metadata-db'],
      ['secretKey', 'connection'],
      ['secret', 'airflow-fernet-key'],
      ['jwtSecret', 'airspark-dev/airflow/jwt-secret'],
      ['postgresPassword', 'airspark-dev/airflow/postgres-password'],
      ['httpTokens', 'required'],
      [
        'fs.s3a.aws.credentials.provider',
        'software.amazon.awssdk.auth.credentials.ContainerCredentialsProvider',
      ],
      ['password', '{{ .Values.db.password }}'],
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell placeholder in configuration
      ['password', '${DB_PASSWORD}'],
      ['token', '/var/run/secrets/eks.amazonaws.com/serviceaccount/token'],
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell placeholder in configuration
      ['connection', 'postgresql://airflow:${PASSWORD}@db/airflow'],
      ['automountServiceAccountToken', 'true'],
    ] as const) {
      expect(credentialReason(key, value), `${key}: ${value}`).toBeUndefined();
    }
  });

  it('redacts credentials in objects and texts, and leaves everything else alone', () => {
    const object = {
      data: {
        'spark-defaults.conf': `spark.master k8s://x\nspark.hadoop.fs.s3a.access.key ${awsKeyId}\nspark.hadoop.fs.s3a.secret.key=${awsSecret}\n`,
      },
      password: 'hunter2hunter2',
      secretName: 'airflow-db',
      env: [{ name: 'TOKEN', value: githubToken }],
    };
    const redacted = redactCredentials(object);
    const text = JSON.stringify(redacted);
    for (const secret of [awsKeyId, awsSecret, 'hunter2hunter2', githubToken])
      expect(text).not.toContain(secret);
    expect(redacted.password).toBe(REDACTED);
    expect(redacted.secretName).toBe('airflow-db');
    expect(redacted.data['spark-defaults.conf']).toContain('spark.master k8s://x');
    expect(redacted.data['spark-defaults.conf']).toContain(`spark.hadoop.fs.s3a.secret.key=${REDACTED}`);
    expect(redactText(`must be a string, not "${awsKeyId}"`)).toBe(`must be a string, not "${REDACTED}"`);
  });
});
