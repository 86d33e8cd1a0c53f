import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Calls `attempt` until it returns a value other than undefined, `giveUp` returns a reason, or
 * `timeoutMs` passes. Returns the value, or the reason it stopped.
 */
export async function pollUntil<T>(
  attempt: () => Promise<T | undefined>,
  {
    timeoutMs,
    intervalMs = 200,
    giveUp,
  }: { timeoutMs: number; intervalMs?: number; giveUp?: () => string | undefined },
): Promise<{ value: T } | { stopped: 'timeout' | 'gave-up'; reason?: string }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const reason = giveUp?.();
    if (reason) return { stopped: 'gave-up', reason };
    const value = await attempt();
    if (value !== undefined) return { value };
    if (Date.now() >= deadline) return { stopped: 'timeout' };
    await sleep(intervalMs);
  }
}
