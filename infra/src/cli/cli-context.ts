/** What a command needs from the outside world; tests pass their own streams and directories. */
export interface CliContext {
  cwd: string;
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

/**
 * `pnpm infra:synth` runs the package script inside infra/; pnpm keeps the directory the user typed
 * the command in as INIT_CWD, and relative paths (--from, --out) are meant from there.
 */
export function processContext(): CliContext {
  const cwd = process.env.INIT_CWD ?? process.cwd();
  return { cwd, stdout: process.stdout, stderr: process.stderr, env: process.env };
}

/** Colours only on a terminal, and never when NO_COLOR is set (https://no-color.org). */
export function wantsColor(ctx: CliContext, stream: CliContext['stdout']): boolean {
  if (ctx.env.NO_COLOR !== undefined && ctx.env.NO_COLOR !== '') return false;
  if (ctx.env.FORCE_COLOR !== undefined && ctx.env.FORCE_COLOR !== '0') return true;
  return stream.isTTY === true;
}
