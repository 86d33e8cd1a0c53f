import { type CliContext, processContext } from '@airspark/cli-kit';
import { UsageError } from '@airspark/config';
import { bootstrapCommand } from './commands/bootstrap.js';
import { chartsCommand } from './commands/charts.js';
import { clusterCommand } from './commands/cluster.js';
import { diffCommand } from './commands/diff.js';
import { imagesCommand } from './commands/images.js';
import { preCommitCommand } from './commands/pre-commit.js';
import { promoteCommand } from './commands/promote.js';
import { renderCommand } from './commands/render.js';
import { validateCommand } from './commands/validate.js';

type Command = (args: string[], ctx: CliContext) => Promise<number>;

/** Every subcommand; each lives in its own module under commands/. */
const commands: Record<string, { run: Command; summary: string }> = {
  validate: { run: validateCommand, summary: 'check environments, values and rendered manifests' },
  render: { run: renderCommand, summary: 'hydrate the Argo CD Applications and render them like Argo CD' },
  charts: { run: chartsCommand, summary: 'pull the pinned upstream charts into the verified cache' },
  bootstrap: { run: bootstrapCommand, summary: 'install Argo CD and the root application into a cluster' },
  promote: { run: promoteCommand, summary: "copy FROM's promotable pins to TO (`promote dev staging`)" },
  diff: {
    run: diffCommand,
    summary: 'rendered per-object diff against a git ref (`diff --base origin/main`)',
  },
  cluster: { run: clusterCommand, summary: 'a local one-node Kubernetes cluster: `cluster up|down|status`' },
  images: {
    run: imagesCommand,
    summary: 'build container images from recipes and import them into the cluster',
  },
  'pre-commit': { run: preCommitCommand, summary: 'validate what the staged files touch (the git hook)' },
};

function usage(): string {
  const width = Math.max(...Object.keys(commands).map((c) => c.length));
  const list = Object.entries(commands)
    .map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`)
    .join('\n');
  return `Usage: airspark <command> [options]\n\nCommands:\n${list}\n\nRun \`airspark <command> --help\` for a command's options. --debug shows stack traces.`;
}

/** Node's parseArgs reports option mistakes as TypeErrors carrying an ERR_PARSE_ARGS_* code. */
function isArgumentError(error: unknown): error is Error {
  const code: unknown = error instanceof Error ? (error as Error & { code?: unknown }).code : undefined;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}

const FILESYSTEM_REASONS: Record<string, string> = {
  EROFS: 'the file system is read-only',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
};

/**
 * A refusal of the file system (read-only checkout, no permission, full disk) is not a bug: name the
 * path, the operation and what to do. Undefined for every other error.
 */
export function filesystemRefusal(error: unknown): string | undefined {
  const e = error as NodeJS.ErrnoException;
  const reason = typeof e?.code === 'string' ? FILESYSTEM_REASONS[e.code] : undefined;
  if (!reason) return undefined;
  const what = e.syscall ? `${e.syscall} ${e.path ?? ''}`.trim() : (e.path ?? 'a file');
  return `cannot ${what}: ${reason}. Run it in a writable checkout (or set AIRSPARK_CACHE_DIR to a writable folder when the cache is the problem).`;
}

export async function main(argv: string[], ctx: CliContext = processContext()): Promise<number> {
  const debug = argv.includes('--debug');
  const args = argv.filter((a) => a !== '--debug');
  const [name, ...rest] = args;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? ctx.stderr : ctx.stdout).write(`${usage()}\n`);
    return name === undefined ? 2 : 0;
  }
  const command = commands[name];
  if (!command) {
    ctx.stderr.write(`airspark: unknown command "${name}".\n\n${usage()}\n`);
    return 2;
  }
  try {
    return await command.run(rest, ctx);
  } catch (error) {
    if (error instanceof UsageError || isArgumentError(error)) {
      const hint = isArgumentError(error) ? `. Run \`airspark ${name} --help\` for the options.` : '';
      ctx.stderr.write(`airspark ${name}: ${error.message}${hint}\n`);
      if (debug && error.stack) ctx.stderr.write(`${error.stack}\n`);
      return 2;
    }
    const refusal = filesystemRefusal(error);
    if (refusal) {
      ctx.stderr.write(`airspark ${name}: ${refusal}\n`);
      if (debug && error instanceof Error && error.stack) ctx.stderr.write(`${error.stack}\n`);
      return 2;
    }
    const message = error instanceof Error ? error.message : String(error);
    ctx.stderr.write(`airspark ${name}: unexpected error: ${message}\n`);
    ctx.stderr.write(
      debug && error instanceof Error && error.stack
        ? `${error.stack}\n`
        : 'Run again with --debug for the stack trace, and report it as a bug.\n',
    );
    return 2;
  }
}
