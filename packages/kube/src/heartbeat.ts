/** Runs `work`, logging `label` when it starts, every 30 s while it runs, and when it ends. */
export async function withHeartbeat<T>(
  label: string,
  log: (line: string) => void,
  work: () => Promise<T>,
  everyMs = 30_000,
): Promise<T> {
  const began = Date.now();
  const seconds = () => Math.round((Date.now() - began) / 1000);
  log(`${label} ...`);
  const timer = setInterval(() => log(`${label}: still running (${seconds()}s)`), everyMs);
  timer.unref();
  try {
    const result = await work();
    log(`${label}: done in ${seconds()}s`);
    return result;
  } finally {
    clearInterval(timer);
  }
}
