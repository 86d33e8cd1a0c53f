// A CliContext whose stdout and stderr are kept in memory, for tests that run `main` in-process.
import { Writable } from 'node:stream';
import type { CliContext } from '../src/index.js';

function textSink(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return { stream, text: () => chunks.join('') };
}

/** The context, and what the command has written to each stream so far. */
export function captureContext(
  cwd: string,
  env: NodeJS.ProcessEnv,
): { ctx: CliContext; out: () => string; err: () => string } {
  const out = textSink();
  const err = textSink();
  return { ctx: { cwd, env, stdout: out.stream, stderr: err.stream }, out: out.text, err: err.text };
}
