// Waiting for something on a loaded machine: generous limits, a progress line every 10 s that
// says how long it has waited out of how long it will, and the reason it gave up.
import { setTimeout as sleep } from 'node:timers/promises';

export class WaitTimeoutError extends Error {
  override readonly name = 'WaitTimeoutError';
}

/**
 * Calls `check` until it returns a value other than undefined. `check` may return a string via
 * `lastState` to say what it saw. `abort` returns a reason to stop early (a daemon exited).
 */
export async function waitFor<T>(
  label: string,
  check: (note: (state: string) => void) => Promise<T | undefined>,
  options: {
    readonly timeoutMs: number;
    readonly log: (line: string) => void;
    readonly intervalMs?: number;
    readonly abort?: () => string | undefined;
  },
): Promise<T> {
  const began = Date.now();
  let lastReport = began;
  let seen = 'nothing yet';
  const note = (state: string) => {
    seen = state;
  };
  for (;;) {
    const reason = options.abort?.();
    if (reason) throw new WaitTimeoutError(`gave up waiting for ${label}: ${reason}`);
    try {
      const value = await check(note);
      if (value !== undefined) return value;
    } catch (error) {
      seen = (error as Error).message.split('\n')[0] ?? 'error';
    }
    const waited = Date.now() - began;
    if (waited > options.timeoutMs)
      throw new WaitTimeoutError(
        `${label} did not happen within ${Math.round(options.timeoutMs / 1000)}s (last seen: ${seen})`,
      );
    if (Date.now() - lastReport >= 10_000) {
      lastReport = Date.now();
      options.log(
        `waiting for ${label}: ${Math.round(waited / 1000)}s of at most ${Math.round(options.timeoutMs / 1000)}s (${seen})`,
      );
    }
    await sleep(options.intervalMs ?? 500);
  }
}
