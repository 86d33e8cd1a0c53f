// A child process runner that keeps the tail of the output for error messages and can count
// lines as they stream (for progress), without a shell in between.
import { spawn } from 'node:child_process';

export class CommandError extends Error {
  /**
   * @param {string} message
   * @param {{ command: string, exitCode: number | null, outputTail: string }} details
   */
  constructor(message, details) {
    super(message);
    this.name = 'CommandError';
    this.command = details.command;
    this.exitCode = details.exitCode;
    this.outputTail = details.outputTail;
  }
}

/**
 * @param {string} file
 * @param {string[]} args
 * @param {{ cwd?: string, env?: NodeJS.ProcessEnv, onLine?: (line: string) => void, tailLines?: number }} [options]
 * @returns {Promise<{ stdout: string, stderr: string }>}
 */
export function run(file, args, { cwd, env, onLine, tailLines = 40 } = {}) {
  const command = [file, ...args].join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { cwd, env: env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    /** @type {string[]} */
    const tail = [];
    let partial = '';
    const collect = (/** @type {string} */ text) => {
      const lines = (partial + text).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        tail.push(line);
        if (tail.length > tailLines) tail.shift();
        onLine?.(line);
      }
    };
    child.stdout.setEncoding('utf8').on('data', (chunk) => {
      stdout += chunk;
      collect(chunk);
    });
    child.stderr.setEncoding('utf8').on('data', (chunk) => {
      stderr += chunk;
      collect(chunk);
    });
    child.on('error', (error) => {
      const hint =
        /** @type {NodeJS.ErrnoException} */ (error).code === 'ENOENT'
          ? ` (is ${file} installed and on PATH${cwd ? `, and does ${cwd} exist` : ''}?)`
          : '';
      reject(
        new CommandError(`could not start ${file}${hint}: ${error.message}`, {
          command,
          exitCode: null,
          outputTail: '',
        }),
      );
    });
    child.on('close', (exitCode) => {
      if (partial) tail.push(partial);
      if (exitCode === 0) resolve({ stdout, stderr });
      else
        reject(
          new CommandError(`${command} exited with code ${exitCode}`, {
            command,
            exitCode,
            outputTail: tail.slice(-tailLines).join('\n'),
          }),
        );
    });
  });
}

/**
 * Runs a setup script's `main` and sets the exit code: its return value, or 1 with the error's
 * message (red on a terminal) and, for a failed command, the tail of its output. No stack trace.
 * @param {string} name the script's name, for the message
 * @param {() => Promise<number>} main
 */
export async function runSetupMain(name, main) {
  try {
    process.exitCode = await main();
  } catch (error) {
    const red = process.stderr.isTTY
      ? (/** @type {string} */ text) => `\u001b[31m${text}\u001b[39m`
      : (/** @type {string} */ text) => text;
    process.stderr.write(`${red(`${name}: error:`)} ${/** @type {Error} */ (error).message}\n`);
    if (error instanceof CommandError && error.outputTail)
      process.stderr.write(`--- last lines of output ---\n${error.outputTail}\n`);
    process.exitCode = 1;
  }
}
