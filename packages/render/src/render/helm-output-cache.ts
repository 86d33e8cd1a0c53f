import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { cacheDir } from '@airspark/tools';
import { HELM_OUTPUT_FORMAT, sha256Hex } from './helm-output-key.js';

/** Default bound of the folder: about sixty one-environment renders with the upstream charts. */
export const HELM_OUTPUT_MAX_BYTES = 256 * 1024 * 1024;

/** `<cache>/helm-output`, next to `charts/` and `validators/` (`AIRSPARK_CACHE_DIR`, `XDG_CACHE_HOME`). */
export function helmOutputDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(cacheDir(env), 'helm-output');
}

const KEY = /^[0-9a-f]{64}$/;

/** An entry: one header line naming format, key, payload sha256 and length; then helm's stdout. */
export function sealEntry(key: string, output: string): Buffer {
  const payload = Buffer.from(output, 'utf8');
  const header = `${HELM_OUTPUT_FORMAT} ${key} ${sha256Hex(payload)} ${payload.length}\n`;
  return Buffer.concat([Buffer.from(header, 'utf8'), payload]);
}

/**
 * The output an entry holds, or undefined when it is not a whole, intact entry for `key`: another
 * format, another key (a file copied or renamed), a truncated or edited payload. Undefined is a
 * miss: helm runs and the entry is written again.
 */
export function openEntry(key: string, bytes: Buffer): string | undefined {
  const newline = bytes.indexOf(0x0a);
  if (newline === -1 || newline > 512) return undefined;
  const [format, entryKey, digest, length, ...rest] = bytes.subarray(0, newline).toString('utf8').split(' ');
  if (format !== HELM_OUTPUT_FORMAT || entryKey !== key || rest.length > 0) return undefined;
  const payload = bytes.subarray(newline + 1);
  if (String(payload.length) !== length || sha256Hex(payload) !== digest) return undefined;
  return payload.toString('utf8');
}

export interface HelmOutputCacheOptions {
  dir: string;
  /** The folder is pruned to this many bytes, least recently used first. */
  maxBytes?: number;
  /** Told once per problem kind when the cache cannot be read or written (it then costs speed only). */
  onProblem?: (message: string) => void;
}

/**
 * helm's stdout by the key of everything helm read (helm-output-key.ts), in `<dir>/<key>.bin`.
 * Only successful runs are stored: a failing render runs helm again and reports helm's own error.
 * A hit touches the entry; writes go to a temporary file renamed into place, so a reader (another
 * process rendering the same chart) sees a whole entry or none. Pruning runs on the first write of
 * a process and again after each eighth of the bound written, removing the oldest entries until the
 * folder is under the bound: between prunes it may exceed it by what one process writes.
 */
export class HelmOutputCache {
  readonly dir: string;
  readonly maxBytes: number;
  private readonly onProblem: ((message: string) => void) | undefined;
  private readonly told = new Set<string>();
  private writtenSincePrune = 0;
  private pruned = false;
  /** Counters for callers and tests: what this cache answered in this process. */
  readonly stats = { hits: 0, misses: 0, corrupt: 0, writes: 0, writeFailures: 0, removed: 0 };

  constructor(options: HelmOutputCacheOptions) {
    this.dir = options.dir;
    this.maxBytes = options.maxBytes ?? HELM_OUTPUT_MAX_BYTES;
    this.onProblem = options.onProblem;
  }

  file(key: string): string {
    if (!KEY.test(key)) throw new Error(`not a helm output key: ${key}`);
    return path.join(this.dir, `${key}.bin`);
  }

  /** The stored output for `key`; undefined on a miss, an unreadable or a damaged entry. */
  async get(key: string): Promise<string | undefined> {
    const file = this.file(key);
    let bytes: Buffer;
    try {
      bytes = await readFile(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
        this.tell('read', `cannot read ${file} (${(error as Error).message}); rendering with helm`);
      this.stats.misses++;
      return undefined;
    }
    const output = openEntry(key, bytes);
    if (output === undefined) {
      this.stats.corrupt++;
      this.stats.misses++;
      return undefined;
    }
    this.stats.hits++;
    // Least recently used goes first when pruning: a hit counts as a use.
    const now = new Date();
    await utimes(file, now, now).catch(() => undefined);
    return output;
  }

  /** Stores `output` for `key`; a cache that cannot be written costs the next run speed, nothing else. */
  async put(key: string, output: string): Promise<void> {
    const file = this.file(key);
    const tmp = path.join(this.dir, `.${key}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
    const entry = sealEntry(key, output);
    try {
      await mkdir(this.dir, { recursive: true });
      // helm output can hold what values put into Secrets: readable by the user only.
      await writeFile(tmp, entry, { mode: 0o600 });
      await rename(tmp, file);
      this.stats.writes++;
    } catch (error) {
      this.stats.writeFailures++;
      await rm(tmp, { force: true }).catch(() => undefined);
      this.tell('write', `cannot write ${file} (${(error as Error).message}); helm output is not cached`);
      return;
    }
    this.writtenSincePrune += entry.length;
    if (!this.pruned || this.writtenSincePrune > this.maxBytes / 8) await this.prune();
  }

  /** Removes the least recently used entries (and stale temporary files) until under the bound. */
  async prune(): Promise<void> {
    this.pruned = true;
    this.writtenSincePrune = 0;
    const names = await readdir(this.dir).catch(() => [] as string[]);
    const entries: { file: string; size: number; used: number }[] = [];
    const hourAgo = Date.now() - 3_600_000;
    for (const name of names) {
      const file = path.join(this.dir, name);
      const info = await stat(file).catch(() => undefined);
      if (!info?.isFile()) continue;
      // A temporary file an interrupted writer left behind (a live writer renames within seconds).
      if (name.endsWith('.tmp') && info.mtimeMs < hourAgo) {
        await rm(file, { force: true }).catch(() => undefined);
        continue;
      }
      if (name.endsWith('.bin')) entries.push({ file, size: info.size, used: info.mtimeMs });
    }
    let total = entries.reduce((sum, e) => sum + e.size, 0);
    for (const e of entries.sort((a, b) => a.used - b.used)) {
      if (total <= this.maxBytes) break;
      await rm(e.file, { force: true }).catch(() => undefined);
      total -= e.size;
      this.stats.removed++;
    }
  }

  private tell(kind: string, message: string): void {
    if (this.told.has(kind)) return;
    this.told.add(kind);
    this.onProblem?.(message);
  }
}
