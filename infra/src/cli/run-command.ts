import type { CliContext } from '@airspark/cli-kit';
import { UsageError } from '@airspark/config';

/** Node's parseArgs reports option mistakes as TypeErrors carrying an ERR_PARSE_ARGS_* code. */
function isArgumentError(error: unknown): error is Error {
  const code: unknown = error instanceof Error ? (error as Error & { code?: unknown }).code : undefined;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}

/**
 * Runs a command with the airspark exit-code convention: the command's own code (0 clean,
 * 1 findings), 2 for usage mistakes and unexpected errors, and no stack trace unless --debug.
 */
export async function runCommand(
  name: string,
  command: (args: string[], ctx: CliContext) => Promise<number>,
  argv: string[],
  ctx: CliContext,
): Promise<number> {
  const debug = argv.includes('--debug');
  const args = argv.filter((a) => a !== '--debug');
  try {
    return await command(args, ctx);
  } catch (error) {
    if (error instanceof UsageError || isArgumentError(error)) {
      ctx.stderr.write(`${name}: ${error.message}\n`);
      return 2;
    }
    const message = error instanceof Error ? error.message : String(error);
    ctx.stderr.write(`${name}: unexpected error: ${message}\n`);
    ctx.stderr.write(
      debug && error instanceof Error && error.stack
        ? `${error.stack}\n`
        : 'Run again with --debug for the stack trace, and report it as a bug.\n',
    );
    return 2;
  }
}
