// Polling until a condition holds, with a progress line whenever what we wait for changes, and a
// timeout that says what was still missing.
import { setTimeout as sleep } from 'node:timers/promises';

export class WaitTimeoutError extends Error {
  override readonly name = 'WaitTimeoutError';
}

export interface WaitOptions {
  readonly what: string;
  readonly timeoutMs: number;
  readonly intervalMs?: number;
  readonly log?: (line: string) => void;
}

/** `check` returns undefined when done, otherwise a description of what is still missing. */
export async function waitUntil(
  check: () => Promise<string | undefined>,
  options: WaitOptions,
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  const started = Date.now();
  let last = '';
  for (;;) {
    let missing: string | undefined;
    try {
      missing = await check();
    } catch (error) {
      missing = (error as Error).message;
    }
    if (missing === undefined) return;
    if (missing !== last) {
      options.log?.(`  [${Math.round((Date.now() - started) / 1000)}s] ${options.what}: ${missing}`);
      last = missing;
    }
    if (Date.now() > deadline)
      throw new WaitTimeoutError(
        `${options.what}: not reached in ${Math.round(options.timeoutMs / 1000)} s; still ${missing}`,
      );
    await sleep(options.intervalMs ?? 3000);
  }
}
