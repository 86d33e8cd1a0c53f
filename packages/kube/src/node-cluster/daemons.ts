// The cluster's long-running processes. Each is started detached (it outlives `cluster up`), in
// the cluster's own cgroup (so `down` finds it and everything it starts, containers included,
// without guessing by name), with its output in a log file under the state folder.
import { spawn } from 'node:child_process';
import { open, readFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { cgroupV1Hierarchies, processesInCgroup } from './host.js';
import { CGROUP_NAME } from './layout.js';

export interface Daemon {
  readonly name: string;
  readonly pid: number;
  readonly logFile: string;
}

/** The sub-cgroup that holds the daemons themselves (pods go to `<CGROUP_NAME>/kubepods`). */
export const DAEMONS_CGROUP = `${CGROUP_NAME}/daemons`;

/**
 * Starts `file args` detached, joined to DAEMONS_CGROUP in every v1 hierarchy before it runs
 * (a tiny shell moves itself into the cgroup, then execs the program).
 */
export async function startDaemon(
  name: string,
  file: string,
  args: readonly string[],
  logDir: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Daemon> {
  const logFile = path.join(logDir, `${name}.log`);
  const log = await open(logFile, 'a', 0o600);
  const procsFiles = (await cgroupV1Hierarchies())
    .filter((hierarchy) => !path.basename(hierarchy).split(',').includes('cpuset'))
    .map((hierarchy) => path.join(hierarchy, DAEMONS_CGROUP, 'cgroup.procs'));
  const join = procsFiles.map((file) => `echo $$ > '${file}'`).join(' && ');
  const child = spawn('/bin/sh', ['-c', `${join || 'true'} && exec "$0" "$@"`, file, ...args], {
    detached: true,
    stdio: ['ignore', log.fd, log.fd],
    env,
  });
  await log.close();
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${name} (${file})`);
  child.unref();
  return { name, pid, logFile };
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * SIGKILLs every process in the cluster's cgroup tree until none is left (containers may be
 * forking while it runs). Returns the PIDs still there after `timeoutMs`.
 */
export async function killCgroupProcesses(timeoutMs = 30_000): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const pids = (await processesInCgroup(CGROUP_NAME)).filter((pid) => pid !== process.pid);
    if (pids.length === 0 || Date.now() > deadline) return pids;
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Gone already.
      }
    }
    await sleep(200);
  }
}

/** The last `lines` lines of a daemon's log, for error messages. */
export async function logTail(logFile: string, lines = 30): Promise<string> {
  try {
    return (await readFile(logFile, 'utf8')).trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
