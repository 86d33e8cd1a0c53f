/** What a command needs from the outside world; tests pass their own streams and directories. */
export interface CliContext {
  cwd: string;
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

/**
 * The real process. `pnpm <script>` runs a package's script inside that package's folder and keeps
 * the folder the user typed the command in as INIT_CWD: relative paths (--out, --from) mean that one.
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
