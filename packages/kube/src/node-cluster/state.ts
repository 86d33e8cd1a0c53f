// What `up` records for `status` and `down`: the running cluster's facts, and the machine's
// state from before `up` touched it.
import { readFile, rename, writeFile } from 'node:fs/promises';
import type { ClusterNetwork } from './layout.js';

export interface ClusterState {
  readonly version: 1;
  readonly startedAt: string;
  readonly binDir: string;
  readonly network: ClusterNetwork;
  readonly server: string;
  readonly ports: Readonly<Record<string, number>>;
  readonly daemons: Readonly<Record<string, { readonly pid: number; readonly logFile: string }>>;
  /** Set once the node is Ready and DNS answers. */
  readonly ready: boolean;
}

export interface HostBefore {
  readonly version: 1;
  readonly sysctls: Readonly<Record<string, string>>;
  /** WELL_KNOWN_PATHS that existed before `up`. */
  readonly existingPaths: readonly string[];
  /** iptables chains with our prefixes that existed before `up` (left alone by `down`). */
  readonly chains: readonly string[];
  /** Whether the bridge already existed (it never should). */
  readonly bridgeExisted: boolean;
}

/** Writes JSON through a temp file and a rename: a reader never sees half a file. */
export async function writeJson(file: string, value: unknown): Promise<void> {
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
  await rename(temp, file);
}

export async function readJson<T>(file: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}
