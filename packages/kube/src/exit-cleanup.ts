/**
 * Last-resort cleanup of child processes and temp folders when the test process ends without
 * calling stop(): on a normal exit and on SIGINT/SIGTERM/SIGHUP. The actions must be synchronous,
 * because nothing asynchronous runs after the 'exit' event.
 */
type SyncCleanup = () => void;

const pending = new Set<SyncCleanup>();
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
let installed = false;

function runAll(): void {
  for (const cleanup of pending) {
    try {
      cleanup();
    } catch {
      // Best effort: one failing cleanup must not keep the others from running.
    }
  }
  pending.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  runAll();
  // Restore the default behaviour of the signal (end the process) unless someone else handles it.
  process.removeListener(signal, onSignal);
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on('exit', runAll);
  for (const signal of SIGNALS) process.on(signal, onSignal);
}

/** Registers `cleanup`; the returned function unregisters it (call it after a normal stop). */
export function onProcessExit(cleanup: SyncCleanup): () => void {
  install();
  pending.add(cleanup);
  return () => {
    pending.delete(cleanup);
  };
}
