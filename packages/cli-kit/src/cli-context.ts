import path from 'node:path';

/** What a command needs from the outside world; tests pass their own streams and directories. */
export interface CliContext {
  cwd: string;
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

/**
 * The folder relative paths (--out, --from, --root) are meant from. `pnpm <script>` runs a script in
 * its package's folder and keeps the folder the user typed the command in as INIT_CWD. Every process
 * started below that script inherits INIT_CWD too (a test, a git hook, a benchmark working in another
 * folder), so it is trusted only when this process runs in the folder of the script's package.
 */
export function invocationDirectory(env: NodeJS.ProcessEnv, cwd: string): string {
  const scriptPackage = env.npm_package_json;
  const startedByScript =
    scriptPackage !== undefined && path.resolve(path.dirname(scriptPackage)) === path.resolve(cwd);
  return startedByScript && env.INIT_CWD ? env.INIT_CWD : cwd;
}

/** The real process. */
export function processContext(): CliContext {
  const cwd = invocationDirectory(process.env, process.cwd());
  return { cwd, stdout: process.stdout, stderr: process.stderr, env: process.env };
}

/** Colours only on a terminal, and never when NO_COLOR is set (https://no-color.org). */
export function wantsColor(ctx: CliContext, stream: CliContext['stdout']): boolean {
  if (ctx.env.NO_COLOR !== undefined && ctx.env.NO_COLOR !== '') return false;
  if (ctx.env.FORCE_COLOR !== undefined && ctx.env.FORCE_COLOR !== '0') return true;
  return stream.isTTY === true;
}
