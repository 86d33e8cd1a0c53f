// Progress lines for long-running setup steps. They go to stderr so that stdout stays free for
// the one machine-readable answer a script prints (for example a folder path).

const startedAt = Date.now();

/** @param {number} ms */
export function formatDuration(ms) {
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  return `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`;
}

/** @param {string} message */
export function progress(message) {
  process.stderr.write(`[${formatDuration(Date.now() - startedAt).padStart(6)}] ${message}\n`);
}

/**
 * Runs `work` and prints `label` with a heartbeat every `everyMs` while it runs, so that a
 * ten-minute compile never looks like a hang. `detail` may add a live figure to each beat.
 * @template T
 * @param {string} label
 * @param {() => Promise<T>} work
 * @param {{ everyMs?: number, detail?: () => string }} [options]
 * @returns {Promise<T>}
 */
export async function withHeartbeat(label, work, { everyMs = 30_000, detail } = {}) {
  const began = Date.now();
  progress(`${label} ...`);
  const timer = setInterval(() => {
    const extra = detail ? `, ${detail()}` : '';
    progress(`${label}: still running (${formatDuration(Date.now() - began)}${extra})`);
  }, everyMs);
  timer.unref();
  try {
    const result = await work();
    progress(`${label}: done in ${formatDuration(Date.now() - began)}`);
    return result;
  } finally {
    clearInterval(timer);
  }
}
