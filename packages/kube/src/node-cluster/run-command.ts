// Runs a helper program (openssl, iptables, ip, ctr, apt-get...) without a shell and turns a
// failure into an error that names the command and shows the end of what it printed.
import { spawn } from 'node:child_process';

export class CommandFailedError extends Error {
  override readonly name = 'CommandFailedError';
  constructor(
    message: string,
    readonly exitCode: number | null,
    readonly output: string,
  ) {
    super(message);
  }
}

export interface RunOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Called with each line of output as it arrives (progress). */
  readonly onLine?: (line: string) => void;
  /** Kill the command after this long (default: no limit). */
  readonly timeoutMs?: number;
}

function tail(text: string, lines = 25): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/** Runs `file args`; resolves with stdout, rejects with CommandFailedError. */
export function runCommand(file: string, args: readonly string[], options: RunOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let partial = '';
    const lines = (chunk: string) => {
      if (!options.onLine) return;
      const parts = (partial + chunk).split('\n');
      partial = parts.pop() ?? '';
      for (const line of parts) options.onLine(line);
    };
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      lines(chunk);
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      lines(chunk);
    });
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    const command = [file, ...args].join(' ');
    child.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      const hint = error.code === 'ENOENT' ? ` (${file} is not installed or not on PATH)` : '';
      reject(new CommandFailedError(`could not run ${command}${hint}: ${error.message}`, null, ''));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) {
        resolve(stdout);
        return;
      }
      const output = tail(`${stdout}\n${stderr}`);
      const how = signal ? `was ended by ${signal}` : `exited with code ${code}`;
      reject(new CommandFailedError(`${command} ${how}${output ? `:\n${output}` : ''}`, code, output));
    });
  });
}

/** Like runCommand, but a failure is only reported as `false` (for best-effort clean-up steps). */
export async function tryCommand(
  file: string,
  args: readonly string[],
  options: RunOptions = {},
): Promise<boolean> {
  try {
    await runCommand(file, args, options);
    return true;
  } catch {
    return false;
  }
}
