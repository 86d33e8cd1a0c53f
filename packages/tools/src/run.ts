import { spawn } from 'node:child_process';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  input?: string;
  /** Kill the process after this many milliseconds (default: no limit). */
  timeoutMs?: number;
}

/**
 * Runs a program without a shell (arguments are never re-parsed) and collects its output.
 * Resolves with the exit code instead of throwing, so callers turn failures into findings.
 */
export function run(command: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: options.timeoutMs,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code, signal) =>
      resolve({
        code: code ?? (signal ? 128 : 1),
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8') + (signal ? `\n(killed by ${signal})` : ''),
      }),
    );
    // A child that exits without reading its stdin (EPIPE) must not crash the caller: its exit
    // code and output say what happened (seen with kubectl on a loaded machine, in pnpm e2e).
    child.stdin.on('error', () => {});
    child.stdin.end(options.input ?? '');
  });
}
