import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { IamPolicy } from '@cdktf/provider-aws/lib/iam-policy/index.js';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket/index.js';
import { App } from 'cdktf';
import { expect, it } from 'vitest';
import { readAllowlist } from '../src/checks/allowlist.js';
import { checkStacks } from '../src/checks/run-checks.js';
import { AirsparkStack } from '../src/stack/airspark-stack.js';
import { realEnvironment, repoRoot, temporaryDirectory } from './helpers.js';

// What a reviewer will try: add an unencrypted bucket and an IAM policy allowing "*" to the code of
// a stack, synthesize as `pnpm infra:synth` does, and expect the checks to name both resources.
it('names a bucket without encryption and a policy with Action "*" added to a stack in code', async () => {
  const env = await realEnvironment('dev');
  const outdir = await temporaryDirectory('airspark-added-');
  const app = new App({ outdir });
  const stack = new AirsparkStack(app, env.name, env.environment);
  new S3Bucket(stack, 'forgotten-bucket', { bucket: 'airspark-dev-forgotten' });
  new IamPolicy(stack, 'admin-by-mistake', {
    name: 'admin-by-mistake',
    policy: JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
    }),
  });
  app.synth();
  const file = path.join(outdir, 'stacks', 'airspark-dev', 'cdk.tf.json');
  const text = await readFile(file, 'utf8');
  const { allowlist } = await readAllowlist(repoRoot);
  if (!allowlist) throw new Error('allow-list does not load');
  const findings = checkStacks(
    [{ env: 'dev', file: 'cdk.tf.json', text, json: JSON.parse(text) }],
    allowlist,
    { reportUnused: false },
  );
  expect(findings.map((f) => [f.rule, f.resource])).toEqual([
    ['infra/s3-encryption', 'aws_s3_bucket.forgotten-bucket'],
    ['infra/s3-public-access-block', 'aws_s3_bucket.forgotten-bucket'],
    ['infra/s3-tls-only', 'aws_s3_bucket.forgotten-bucket'],
    ['infra/s3-access-logging', 'aws_s3_bucket.forgotten-bucket'],
    ['infra/iam-wildcard-action', 'aws_iam_policy.admin-by-mistake'],
    ['infra/iam-wildcard-resource', 'aws_iam_policy.admin-by-mistake'],
  ]);
  expect(findings.every((f) => f.severity === 'error' && f.line > 0)).toBe(true);
});
