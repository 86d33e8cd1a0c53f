import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { beforeEach, describe, expect, it } from 'vitest';
import { handoffCommand, terraformOutputJson } from '../src/cli/handoff-command.js';
import { runCommand } from '../src/cli/run-command.js';
import { infraOutputsSchema } from '../src/handoff/infra-outputs-schema.js';
import { infraOutputsFile, parseInfraOutputs, readInfraOutputs } from '../src/handoff/read-infra-outputs.js';
import { STACK_OUTPUTS } from '../src/handoff/stack-outputs.js';
import { expectedRoleArns } from '../src/handoff/terraform-outputs.js';
import { captureContext, realEnvironment, repoRoot, temporaryRepository } from './helpers.js';

/** Output values as a deployed dev stack would report them; ids are made up, names derived. */
async function sampleValues(): Promise<Record<string, unknown>> {
  const env = (await realEnvironment('dev')).environment;
  return {
    [STACK_OUTPUTS.clusterName]: 'airspark-dev',
    [STACK_OUTPUTS.clusterArn]: 'arn:aws:eks:eu-west-1:111111111111:cluster/airspark-dev',
    [STACK_OUTPUTS.clusterEndpoint]:
      'https://0123456789ABCDEF0123456789ABCDEF.gr7.eu-west-1.eks.amazonaws.com',
    [STACK_OUTPUTS.vpcId]: 'vpc-0a1b2c3d4e5f60718',
    [STACK_OUTPUTS.efsFileSystemId]: 'fs-0123456789abcdef0',
    [STACK_OUTPUTS.efsAccessPointId]: 'fsap-0123456789abcdef0',
    [STACK_OUTPUTS.karpenterInterruptionQueue]: 'airspark-dev-karpenter',
    [STACK_OUTPUTS.podIdentityRoleArns]: expectedRoleArns(env),
  };
}

/** `terraform output -json` shape. */
const asTerraformJson = (values: Record<string, unknown>) =>
  JSON.stringify(
    Object.fromEntries(
      Object.entries(values).map(([k, value]) => [
        k,
        { sensitive: false, type: typeof value === 'string' ? 'string' : ['map', 'string'], value },
      ]),
    ),
    null,
    2,
  );

/** `cdktf output --outputs-file` shape. */
const asCdktfOutputs = (values: Record<string, unknown>, stack = 'airspark-dev') =>
  JSON.stringify({ [stack]: values });

let root: string;
beforeEach(async () => {
  root = await temporaryRepository();
});

async function handoff(args: string[], reader?: typeof terraformOutputJson) {
  const ctx = captureContext(root);
  const code = await runCommand('infra:handoff', (a, c) => handoffCommand(a, c, reader), args, ctx);
  return { code, out: ctx.out(), err: ctx.err() };
}

describe('pnpm infra:handoff', () => {
  it('writes clusters/dev/infra-outputs.json from `terraform output -json`, valid against the published schema', async () => {
    await writeFile(path.join(root, 'outputs.json'), asTerraformJson(await sampleValues()));
    const result = await handoff(['--env', 'dev', '--from', 'outputs.json']);
    expect(result).toMatchObject({ code: 0, out: '' });
    expect(result.err).toContain('wrote clusters/dev/infra-outputs.json: EFS fs-0123456789abcdef0');
    const written = JSON.parse(await readFile(path.join(root, 'clusters/dev/infra-outputs.json'), 'utf8'));
    expect(written).toEqual({
      $schema: '../../infra/schema/infra-outputs.schema.json',
      environment: 'dev',
      stack: 'airspark-dev',
      clusterName: 'airspark-dev',
      clusterArn: 'arn:aws:eks:eu-west-1:111111111111:cluster/airspark-dev',
      clusterEndpoint: 'https://0123456789ABCDEF0123456789ABCDEF.gr7.eu-west-1.eks.amazonaws.com',
      vpcId: 'vpc-0a1b2c3d4e5f60718',
      efsFileSystemId: 'fs-0123456789abcdef0',
      efsAccessPointId: 'fsap-0123456789abcdef0',
    });
    const schema = JSON.parse(
      await readFile(path.join(repoRoot, 'infra/schema/infra-outputs.schema.json'), 'utf8'),
    );
    expect(new Ajv2020({ strict: true }).validate(schema, written)).toBe(true);
    expect(await readInfraOutputs(root, 'dev')).toEqual({ outputs: written, findings: [] });
  });

  it('reads a cdktf outputs file too, and writes byte-identical content on a re-run', async () => {
    await writeFile(path.join(root, 'cdktf.json'), asCdktfOutputs(await sampleValues()));
    expect((await handoff(['--env', 'dev', '--from', 'cdktf.json'])).code).toBe(0);
    const first = await readFile(path.join(root, infraOutputsFile('dev')), 'utf8');
    expect((await handoff(['--env', 'dev', '--from', 'cdktf.json'])).code).toBe(0);
    expect(await readFile(path.join(root, infraOutputsFile('dev')), 'utf8')).toBe(first);
  });

  it('runs terraform in the stack folder when no file is given (a stand-in replaces the terraform binary here)', async () => {
    const values = await sampleValues();
    const calls: string[] = [];
    const standIn = async (stackDir: string) => {
      calls.push(stackDir);
      return asTerraformJson(values);
    };
    expect((await handoff(['--env', 'dev'], standIn)).code).toBe(0);
    expect(calls).toEqual([path.join(root, 'infra/cdktf.out/stacks/airspark-dev')]);
  });

  it('refuses outputs whose names drifted from environment.yaml, and leaves the existing file alone', async () => {
    const good = await sampleValues();
    await writeFile(path.join(root, 'good.json'), asTerraformJson(good));
    expect((await handoff(['--env', 'dev', '--from', 'good.json'])).code).toBe(0);
    const before = await readFile(path.join(root, infraOutputsFile('dev')), 'utf8');
    const drifted = {
      ...good,
      [STACK_OUTPUTS.podIdentityRoleArns]: {
        ...(good[STACK_OUTPUTS.podIdentityRoleArns] as object),
        airflow: 'arn:aws:iam::111111111111:role/old-airflow',
      },
    };
    await writeFile(path.join(root, 'drifted.json'), asTerraformJson(drifted));
    const result = await handoff(['--env', 'dev', '--from', 'drifted.json']);
    expect(result.code).toBe(1);
    expect(result.out).toContain('Pod Identity role ARNs of the deployed stack');
    expect(result.out).toContain('redeploy (`cdktf deploy airspark-dev`)');
    expect(await readFile(path.join(root, infraOutputsFile('dev')), 'utf8')).toBe(before);
  });

  it('names a missing output, a malformed id, and outputs of another stack', async () => {
    const { [STACK_OUTPUTS.efsAccessPointId]: _, ...missing } = await sampleValues();
    await writeFile(path.join(root, 'missing.json'), asCdktfOutputs(missing));
    const a = await handoff(['--env', 'dev', '--from', 'missing.json']);
    expect(a.code).toBe(1);
    expect(a.out).toContain('output "efs_access_point_id" is missing');

    await writeFile(
      path.join(root, 'malformed.json'),
      asCdktfOutputs({ ...(await sampleValues()), [STACK_OUTPUTS.efsFileSystemId]: 'not-an-id' }),
    );
    const b = await handoff(['--env', 'dev', '--from', 'malformed.json']);
    expect(b.code).toBe(1);
    expect(b.out).toContain('efsFileSystemId');
    await expect(stat(path.join(root, infraOutputsFile('dev')))).rejects.toThrow();

    await writeFile(path.join(root, 'other.json'), asCdktfOutputs(await sampleValues(), 'airspark-prod'));
    const c = await handoff(['--env', 'dev', '--from', 'other.json']);
    expect(c.code).toBe(1);
    expect(c.out).toContain('holds outputs of "airspark-prod" but not of stack "airspark-dev"');
  });

  it('reports a file that is not JSON at its line, without a stack trace', async () => {
    await writeFile(path.join(root, 'broken.json'), '{\n  "cluster_name": "x",\n  oops\n}\n');
    const result = await handoff(['--env', 'dev', '--from', 'broken.json']);
    expect(result.code).toBe(1);
    expect(result.out).toMatch(/broken\.json:3:\d+ {2}error {2}not valid JSON/);
    expect(result.out + result.err).not.toMatch(/\n\s+at /);
  });

  it('is a usage error (exit 2) without --env, with an unreadable --from, or with no terraform on PATH', async () => {
    const noEnv = await handoff([]);
    expect(noEnv).toMatchObject({
      code: 2,
      err: expect.stringContaining('infra:handoff: --env is required'),
    });
    const noFile = await handoff(['--env', 'dev', '--from', 'nope.json']);
    expect(noFile).toMatchObject({
      code: 2,
      err: 'infra:handoff: cannot read --from nope.json: no such file.\n',
    });
    expect((await handoff(['--env', 'qa'])).err).toContain('no environment "qa"');
    await expect(terraformOutputJson(root, { PATH: '' })).rejects.toThrow(/terraform is not on PATH/);
  });
});

describe('readInfraOutputs (the renderer’s side of the contract)', () => {
  it('returns no outputs and no findings when the environment has not been handed off yet', async () => {
    expect(await readInfraOutputs(root, 'staging')).toEqual({ findings: [] });
  });

  it('names the line of a value that breaks the schema, and a file of another environment', () => {
    const text = `{\n  "environment": "dev",\n  "stack": "airspark-dev",\n  "clusterName": "airspark-dev",\n  "clusterArn": "arn:aws:eks:eu-west-1:111111111111:cluster/airspark-dev",\n  "clusterEndpoint": "https://x.eks.amazonaws.com",\n  "vpcId": "vpc-0a1b2c3d",\n  "efsFileSystemId": "fs-XYZ",\n  "efsAccessPointId": "fsap-0123456789abcdef0"\n}\n`;
    const { findings } = parseInfraOutputs('clusters/dev/infra-outputs.json', text, 'dev');
    expect(findings).toEqual([
      expect.objectContaining({
        rule: 'infra/handoff-schema',
        line: 8,
        message: expect.stringContaining('efsFileSystemId'),
      }),
    ]);
    const valid = text.replace('fs-XYZ', 'fs-0123abcd');
    expect(parseInfraOutputs('clusters/prod/infra-outputs.json', valid, 'prod').findings).toEqual([
      expect.objectContaining({ rule: 'infra/handoff-mismatch', line: 2 }),
    ]);
  });
});

it('publishes schema/infra-outputs.schema.json fresh from the source (run `pnpm --filter @airspark/infra schema:write`)', async () => {
  const published = await readFile(path.join(repoRoot, 'infra/schema/infra-outputs.schema.json'), 'utf8');
  expect(published).toBe(`${JSON.stringify(infraOutputsSchema, null, 2)}\n`);
});

describe('hand-off of the Airflow database (database type rds)', () => {
  const prodValues = async () => {
    const env = (await realEnvironment('prod')).environment;
    return {
      [STACK_OUTPUTS.clusterName]: 'airspark-prod',
      [STACK_OUTPUTS.clusterArn]: 'arn:aws:eks:eu-west-1:333333333333:cluster/airspark-prod',
      [STACK_OUTPUTS.clusterEndpoint]:
        'https://0123456789ABCDEF0123456789ABCDEF.gr7.eu-west-1.eks.amazonaws.com',
      [STACK_OUTPUTS.vpcId]: 'vpc-0a1b2c3d4e5f60718',
      [STACK_OUTPUTS.efsFileSystemId]: 'fs-0123456789abcdef0',
      [STACK_OUTPUTS.efsAccessPointId]: 'fsap-0123456789abcdef0',
      [STACK_OUTPUTS.karpenterInterruptionQueue]: 'airspark-prod-karpenter',
      [STACK_OUTPUTS.podIdentityRoleArns]: expectedRoleArns(env),
      [STACK_OUTPUTS.airflowDatabaseAddress]:
        'airspark-prod-airflow.c0ffee123456.eu-west-1.rds.amazonaws.com',
      [STACK_OUTPUTS.airflowDatabaseSecretArn]:
        'arn:aws:secretsmanager:eu-west-1:333333333333:secret:rds!db-0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9-AbCdEf',
    };
  };

  it('writes the database host and the RDS-managed secret ARN, valid against the schema', async () => {
    await writeFile(path.join(root, 'outputs.json'), asTerraformJson(await prodValues()));
    const result = await handoff(['--env', 'prod', '--from', 'outputs.json']);
    expect(result.code).toBe(0);
    const written = JSON.parse(await readFile(path.join(root, infraOutputsFile('prod')), 'utf8'));
    expect(written.airflowDatabaseAddress).toBe(
      'airspark-prod-airflow.c0ffee123456.eu-west-1.rds.amazonaws.com',
    );
    expect(written.airflowDatabaseSecretArn).toMatch(/:secret:rds!db-/);
    const validate = new Ajv2020({ strict: false }).compile(infraOutputsSchema);
    expect(validate(written)).toBe(true);
  });

  it('refuses outputs of a stack deployed without the database (an older stack)', async () => {
    const { [STACK_OUTPUTS.airflowDatabaseSecretArn]: _dropped, ...values } = await prodValues();
    await writeFile(path.join(root, 'outputs.json'), asTerraformJson(values));
    const result = await handoff(['--env', 'prod', '--from', 'outputs.json']);
    expect(result.code).toBe(1);
    expect(result.out + result.err).toContain('output "airflow_database_secret_arn" is missing');
    await expect(stat(path.join(root, infraOutputsFile('prod')))).rejects.toThrow();
  });
});
