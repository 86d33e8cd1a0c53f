/**
 * A reader that stops early (`pnpm infra:synth | head`) closes the pipe; that is not an error of
 * ours, so end quietly instead of printing Node's unhandled 'error' event.
 */
export function exitQuietlyOnClosedPipe(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
      throw error;
    });
  }
}
