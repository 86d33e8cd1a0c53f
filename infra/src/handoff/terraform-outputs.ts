import { type Environment, platformNames, roleArn } from '@airspark/config';
import type { Finding } from '@airspark/findings';
import type { InfraOutputs } from './infra-outputs-schema.js';
import { STACK_OUTPUTS, stackName } from './stack-outputs.js';

type Values = Record<string, unknown>;

const isObject = (v: unknown): v is Values => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The output values of one stack, from either format operators have at hand:
 * - `terraform output -json`: `{ "<name>": { "value": ..., "type": ..., "sensitive": ... } }`
 * - `cdktf output --outputs-file F` (or `cdktf deploy --outputs-file F`): `{ "<stack>": { "<name>": ... } }`
 */
export function stackOutputValues(
  document: unknown,
  stack: string,
): { ok: true; values: Values } | { ok: false; message: string } {
  if (!isObject(document)) return { ok: false, message: 'expected a JSON object of Terraform outputs.' };
  const entries = Object.entries(document);
  const terraformShaped =
    entries.length > 0 && entries.every(([, v]) => isObject(v) && 'value' in v && 'type' in v);
  if (terraformShaped)
    return { ok: true, values: Object.fromEntries(entries.map(([k, v]) => [k, (v as Values).value])) };
  const cdktfStack = document[stack];
  if (isObject(cdktfStack)) return { ok: true, values: cdktfStack };
  const stacks = entries.filter(([, v]) => isObject(v)).map(([k]) => k);
  return {
    ok: false,
    message:
      stacks.length > 0
        ? `holds outputs of ${stacks.map((s) => `"${s}"`).join(', ')} but not of stack "${stack}"; pass the outputs of ${stack}.`
        : 'holds no Terraform outputs; was the stack deployed? (expected `terraform output -json` or a cdktf outputs file).',
  };
}

/**
 * Turns a stack's output values into the hand-off document, and checks that the names the stack
 * deployed equal the names `platformNames()` derives now: a difference means the deployed stack and
 * environment.yaml have drifted apart, and manifests would point at roles or queues that do not exist.
 */
export function toInfraOutputs(
  envName: string,
  environment: Environment,
  values: Values,
  source: string,
): { outputs?: InfraOutputs; findings: Finding[] } {
  const findings: Finding[] = [];
  const fail = (message: string) =>
    findings.push({
      severity: 'error',
      rule: 'infra/handoff',
      message,
      file: source,
      line: 0,
      column: 0,
      env: envName,
    });
  const text = (key: keyof typeof STACK_OUTPUTS): string => {
    const name = STACK_OUTPUTS[key];
    const value = values[name];
    if (typeof value === 'string' && value !== '') return value;
    fail(
      value === undefined
        ? `output "${name}" is missing; deploy the current stack (\`cdktf deploy ${stackName(envName)}\`) first.`
        : `output "${name}" must be a non-empty string, not ${JSON.stringify(value)}.`,
    );
    return '';
  };
  const names = platformNames(environment);
  const expectEqual = (what: string, actual: unknown, expected: unknown) => {
    if (JSON.stringify(actual) !== JSON.stringify(expected))
      fail(
        `${what} of the deployed stack is ${JSON.stringify(actual)} but environment.yaml gives ${JSON.stringify(expected)}; redeploy (\`cdktf deploy ${stackName(envName)}\`) before handing off.`,
      );
  };
  const outputs: InfraOutputs = {
    $schema: '../../infra/schema/infra-outputs.schema.json',
    environment: envName,
    stack: stackName(envName),
    clusterName: text('clusterName'),
    clusterArn: text('clusterArn'),
    clusterEndpoint: text('clusterEndpoint'),
    vpcId: text('vpcId'),
    efsFileSystemId: text('efsFileSystemId'),
    efsAccessPointId: text('efsAccessPointId'),
  };
  if (names.airflowDatabase.provisioned) {
    outputs.airflowDatabaseAddress = text('airflowDatabaseAddress');
    outputs.airflowDatabaseSecretArn = text('airflowDatabaseSecretArn');
  }
  if (findings.length > 0) return { findings };
  expectEqual('cluster name', outputs.clusterName, names.clusterName);
  expectEqual(
    'Karpenter interruption queue',
    values[STACK_OUTPUTS.karpenterInterruptionQueue],
    names.karpenterInterruptionQueue,
  );
  expectEqual(
    'Pod Identity role ARNs',
    sortKeys(values[STACK_OUTPUTS.podIdentityRoleArns]),
    sortKeys(expectedRoleArns(environment)),
  );
  return findings.length > 0 ? { findings } : { outputs, findings };
}

/** The `pod_identity_role_arns` output as the stack computes it: role key to ARN. */
export function expectedRoleArns(environment: Environment): Record<string, string> {
  const roles = platformNames(environment).podIdentityRoles;
  const { sparkTeams, ...components } = roles;
  return Object.fromEntries(
    [
      ...Object.entries(components),
      ...Object.entries(sparkTeams).map(([team, role]) => [`spark-${team}`, role] as const),
    ].map(([key, role]) => [key, roleArn(environment, role)]),
  );
}

function sortKeys(value: unknown): unknown {
  return isObject(value)
    ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => a.localeCompare(b)))
    : value;
}

/** The file's text: stable key order and a final newline, so that a re-run without changes is no diff. */
export function formatInfraOutputs(outputs: InfraOutputs): string {
  return `${JSON.stringify(outputs, null, 2)}\n`;
}
