import { parseArgs } from 'node:util';
import type { CliContext } from '@airspark/cli-kit';
import { findRepositoryRoot, listEnvironmentNames, loadEnvironments } from '@airspark/config';
import { affectedEnvironments, partlyStagedFiles, stagedFiles } from '@airspark/diff';
import { RELEASE_LOG_FILE } from '@airspark/promote';
import { environmentInputs, mayBeEnvironmentInput } from '../render-bridge.js';
import { validateCommand } from './validate.js';

export const preCommitUsage = `Usage: airspark pre-commit [--root DIR]

Run by the git pre-commit hook (installed by \`pnpm install\`): validates only the environments whose
inputs the staged files touch (clusters/<env>/, the components they use, the release log), plus the
environments promoted from those, whose promotion check depends on them. Exit 0 lets the commit
through; skip once with \`git commit --no-verify\`.`;

/** Environments promoted (directly or down the chain) from any of `names`. */
async function withSuccessors(root: string, names: readonly string[]): Promise<string[]> {
  if (names.length === 0) return [];
  const { environments } = await loadEnvironments(root);
  const result = new Set(names);
  for (let grew = true; grew; ) {
    grew = false;
    for (const e of environments) {
      const from = e.environment.promotedFrom;
      if (from !== undefined && result.has(from) && !result.has(e.name)) {
        result.add(e.name);
        grew = true;
      }
    }
  }
  return [...result];
}

export async function preCommitCommand(args: string[], ctx: CliContext): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { root: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    ctx.stdout.write(`${preCommitUsage}\n`);
    return 0;
  }
  const root = await findRepositoryRoot(values.root ?? ctx.cwd);
  const staged = await stagedFiles(root);
  const mayBeInput = await mayBeEnvironmentInput(root);
  if (!staged.some((file) => file === RELEASE_LOG_FILE || mayBeInput(file))) return 0;
  const names = await listEnvironmentNames(root);
  const inputsOf = environmentInputs();
  const inputs = await Promise.all(
    names.map(async (env) => ({ env, inputs: [...(await inputsOf(root, env)), RELEASE_LOG_FILE] })),
  );
  const affected = await withSuccessors(root, affectedEnvironments(staged, inputs));
  if (affected.length === 0) return 0;

  const partly = await partlyStagedFiles(root, staged);
  if (partly.length > 0) {
    ctx.stderr.write(
      `airspark pre-commit: ${partly.join(', ')} ${partly.length === 1 ? 'has' : 'have'} unstaged changes too; validating the files as they are in the working tree.\n`,
    );
  }
  const code = await validateCommand(['--root', root, ...affected.flatMap((env) => ['--env', env])], {
    ...ctx,
    stdout: ctx.stderr,
  });
  if (code !== 0) {
    ctx.stderr.write(
      'airspark pre-commit: commit stopped by the findings above; fix them and commit again (or skip once with `git commit --no-verify`).\n',
    );
  }
  return code;
}
