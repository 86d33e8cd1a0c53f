import { type CliContext, processContext } from '@airspark/cli-kit';
import { UsageError } from '@airspark/config';

type Command = (args: string[], ctx: CliContext) => Promise<number>;

/**
 * Every subcommand; each lives in its own module under commands/ and is imported only when it runs
 * (ADR 0063): `validate`, which runs before every commit, then does not load the code of the cluster,
 * image, bootstrap, promote and diff commands and their dependencies (a third of the bundle's
 * start-up). The summaries stay here so that the usage text needs no command module.
 */
const commands: Record<string, { load: () => Promise<Command>; summary: string }> = {
  validate: {
    load: async () => (await import('./commands/validate.js')).validateCommand,
    summary: 'check environments, values and rendered manifests',
  },
  render: {
    load: async () => (await import('./commands/render.js')).renderCommand,
    summary: 'hydrate the Argo CD Applications and render them like Argo CD',
  },
  charts: {
    load: async () => (await import('./commands/charts.js')).chartsCommand,
    summary: 'pull the pinned upstream charts into the verified cache',
  },
  bootstrap: {
    load: async () => (await import('./commands/bootstrap.js')).bootstrapCommand,
    summary: 'install Argo CD and the root application into a cluster',
  },
  promote: {
    load: async () => (await import('./commands/promote.js')).promoteCommand,
    summary: "copy FROM's promotable pins to TO (`promote dev staging`)",
  },
  diff: {
    load: async () => (await import('./commands/diff.js')).diffCommand,
    summary: 'rendered per-object diff against a git ref (`diff --base origin/main`)',
  },
  cluster: {
    load: async () => (await import('./commands/cluster.js')).clusterCommand,
    summary: 'a local one-node Kubernetes cluster: `cluster up|down|status`',
  },
  images: {
    load: async () => (await import('./commands/images.js')).imagesCommand,
    summary: 'build container images from recipes and import them into the cluster',
  },
  'pre-commit': {
    load: async () => (await import('./commands/pre-commit.js')).preCommitCommand,
    summary: 'validate what the staged files touch (the git hook)',
  },
};

/** The command names, in the order of the usage text (for tests and completions). */
export const commandNames: readonly string[] = Object.keys(commands);

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
  const command = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (!command) {
    ctx.stderr.write(`airspark: unknown command "${name}".\n\n${usage()}\n`);
    return 2;
  }
  try {
    // Inside the try: a command module that fails to load is reported like any other error.
    const run = await command.load();
    return await run(rest, ctx);
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
