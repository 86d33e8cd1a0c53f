import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { type CliContext, wantsColor } from '@airspark/cli-kit';
import { findRepositoryRoot, loadEnvironments, UsageError } from '@airspark/config';
import { exitCodeFor, type Finding, formatText, summarize } from '@airspark/findings';
import { writeFileAtomic } from '../fs/atomic-write.js';
import { parseJsonText } from '../handoff/json-text.js';
import { infraOutputsFile, parseInfraOutputs } from '../handoff/read-infra-outputs.js';
import { stackName } from '../handoff/stack-outputs.js';
import { formatInfraOutputs, stackOutputValues, toInfraOutputs } from '../handoff/terraform-outputs.js';

export const handoffUsage = `Usage: pnpm infra:handoff --env NAME [--from FILE] [--root DIR]

Writes clusters/<env>/infra-outputs.json (atomically) from the Terraform outputs of stack
airspark-<env>, after checking that the deployed names agree with environment.yaml.
  --from FILE   read outputs from FILE: \`terraform output -json\` or
                \`cdktf output airspark-<env> --outputs-file FILE\`
Without --from, runs \`terraform output -json\` in infra/cdktf.out/stacks/airspark-<env>
(Terraform >= 1.10, the stack initialised by a deploy, and credentials for its state bucket).
Exit codes: 0 written, 1 outputs unusable, 2 usage error or terraform not runnable.`;

/** Runs `terraform output -json` in the stack's directory; its stdout is the outputs document. */
export function terraformOutputJson(stackDir: string, env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('terraform', ['output', '-json'], {
      cwd: stackDir,
      env: { ...env, CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    child.on('error', (error: NodeJS.ErrnoException) =>
      reject(
        new UsageError(
          error.code === 'ENOENT'
            ? 'terraform is not on PATH; install Terraform >= 1.10, or pass --from FILE with the outputs (`cdktf output <stack> --outputs-file FILE`).'
            : `could not run terraform: ${error.message}`,
        ),
      ),
    );
    child.on('close', (code) => {
      if (code === 0) resolve(stdout);
      else
        reject(
          new UsageError(
            `\`terraform output -json\` failed in ${stackDir} (exit ${code}):\n${stderr.trim()}\nHas the stack been deployed from this directory (\`cdktf deploy\` initialises it)?`,
          ),
        );
    });
  });
}

export async function handoffCommand(
  args: string[],
  ctx: CliContext,
  readTerraformOutputs: typeof terraformOutputJson = terraformOutputJson,
): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      env: { type: 'string' },
      from: { type: 'string' },
      root: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    ctx.stdout.write(`${handoffUsage}\n`);
    return 0;
  }
  if (!values.env) throw new UsageError(`--env is required (one environment at a time).\n\n${handoffUsage}`);
  const envName = values.env;
  const root = await findRepositoryRoot(values.root ?? ctx.cwd);
  const loaded = await loadEnvironments(root, [envName]);
  const environment = loaded.environments.find((e) => e.name === envName);
  const report = (findings: Finding[]) => {
    ctx.stdout.write(
      formatText(
        { findings, summary: summarize(findings, [envName]) },
        { color: wantsColor(ctx, ctx.stdout) },
      ),
    );
    return exitCodeFor(findings);
  };
  if (!environment || loaded.findings.some((f) => f.severity === 'error')) return report(loaded.findings);

  const stack = stackName(envName);
  let source: string;
  let text: string;
  if (values.from) {
    const file = path.resolve(ctx.cwd, values.from);
    source = path.relative(root, file).split(path.sep).join('/');
    text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
      throw new UsageError(
        `cannot read --from ${values.from}: ${error.code === 'ENOENT' ? 'no such file' : error.message}.`,
      );
    });
  } else {
    const stackDir = path.join(root, 'infra', 'cdktf.out', 'stacks', stack);
    source = `infra/cdktf.out/stacks/${stack} (terraform output -json)`;
    ctx.stderr.write(`reading outputs of ${stack} with terraform output -json…\n`);
    text = await readTerraformOutputs(stackDir, ctx.env);
  }

  const json = parseJsonText(source, text, 'infra/handoff');
  if (!json.ok) return report([{ ...json.finding, env: envName }]);
  const values_ = stackOutputValues(json.value, stack);
  if (!values_.ok) {
    return report([
      {
        severity: 'error',
        rule: 'infra/handoff',
        message: values_.message,
        file: source,
        line: 0,
        column: 0,
        env: envName,
      },
    ]);
  }
  const result = toInfraOutputs(envName, environment.environment, values_.values, source);
  if (!result.outputs) return report(result.findings);

  const target = infraOutputsFile(envName);
  const content = formatInfraOutputs(result.outputs);
  // The file must be what readers accept; checking before writing keeps a bad one from landing.
  const check = parseInfraOutputs(target, content, envName);
  if (check.findings.length > 0) return report(check.findings);
  await writeFileAtomic(path.join(root, target), content);
  ctx.stderr.write(
    `wrote ${target}: EFS ${result.outputs.efsFileSystemId}, access point ${result.outputs.efsAccessPointId}\n`,
  );
  return 0;
}
