import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import v8 from 'node:v8';
import { cacheDir } from '@airspark/tools';
import { HELM_OUTPUT_FORMAT, sha256Hex } from './helm-output-key.js';
import type { FastReading } from './manifests.js';

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

/** helm's output and the sha256 of its bytes (what a stored reading of it is bound to). */
export interface HelmOutputEntry {
  output: string;
  digest: string;
}

/** The header fields and payload of a sealed file, when its payload is whole and intact. */
function unseal(bytes: Buffer, fields: number): { fields: string[]; payload: Buffer } | undefined {
  const newline = bytes.indexOf(0x0a);
  if (newline === -1 || newline > 512) return undefined;
  const header = bytes.subarray(0, newline).toString('utf8').split(' ');
  if (header.length !== fields + 2) return undefined;
  const payload = bytes.subarray(newline + 1);
  const [digest, length] = header.slice(-2);
  if (String(payload.length) !== length || sha256Hex(payload) !== digest) return undefined;
  return { fields: header.slice(0, fields), payload };
}

/**
 * The output an entry holds, or undefined when it is not a whole, intact entry for `key`: another
 * format, another key (a file copied or renamed), a truncated or edited payload. Undefined is a
 * miss: helm runs and the entry is written again.
 */
export function openEntry(key: string, bytes: Buffer): HelmOutputEntry | undefined {
  const sealed = unseal(bytes, 2);
  if (!sealed || sealed.fields[0] !== HELM_OUTPUT_FORMAT || sealed.fields[1] !== key) return undefined;
  return { output: sealed.payload.toString('utf8'), digest: sha256Hex(sealed.payload) };
}

/** Stored readings are V8's serialisation: bound to the V8 that wrote them. */
const READING_FORMAT = 'airspark-helm-reading/1';
const V8 = `v8:${process.versions.v8}`;

/**
 * True for what V8's serialisation gives back exactly as it was: strings, numbers, booleans, null,
 * undefined, arrays and plain objects (a Buffer would come back as a Uint8Array, a Date as a Date
 * only by luck of the type, so neither is stored).
 */
export function isPlainData(root: unknown): boolean {
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const node = stack.pop();
    if (node === null || node === undefined) continue;
    const type = typeof node;
    if (type === 'string' || type === 'number' || type === 'boolean') continue;
    if (type !== 'object') return false;
    const proto = Object.getPrototypeOf(node);
    if (proto === Array.prototype) for (const item of node as unknown[]) stack.push(item);
    else if (proto === Object.prototype) for (const v of Object.values(node as object)) stack.push(v);
    else return false;
  }
  return true;
}

/** A reading of helm's output (manifests.ts `fastRead`), bound to the sha256 of that output's bytes. */
export function sealReading(outputDigest: string, reading: FastReading): Buffer | undefined {
  if (!isPlainData(reading.values)) return undefined;
  const payload = v8.serialize(reading);
  const header = `${READING_FORMAT} ${V8} ${outputDigest} ${sha256Hex(payload)} ${payload.length}\n`;
  return Buffer.concat([Buffer.from(header, 'utf8'), payload]);
}

/** The reading a file holds for the output with `outputDigest`; undefined for anything else. */
export function openReading(outputDigest: string, bytes: Buffer): FastReading | undefined {
  const sealed = unseal(bytes, 3);
  if (!sealed) return undefined;
  const [format, engine, digest] = sealed.fields;
  if (format !== READING_FORMAT || engine !== V8 || digest !== outputDigest) return undefined;
  try {
    const reading = v8.deserialize(sealed.payload) as FastReading;
    return Array.isArray(reading?.values) && Array.isArray(reading.segments) ? reading : undefined;
  } catch {
    return undefined;
  }
}

export interface HelmOutputCacheOptions {
  dir: string;
  /** The folder is pruned to this many bytes, least recently used first. */
  maxBytes?: number;
  /** Told once per problem kind when the cache cannot be read or written (it then costs speed only). */
  onProblem?: (message: string) => void;
}

/**
 * helm's stdout by the key of everything helm read (helm-output-key.ts), in `<dir>/<key>.bin`, and
 * next to it in `<key>.reading` js-yaml's reading of that output (reading 4 MB of YAML costs a fresh
 * process about a quarter of a second, V8's deserialiser a fifth of that), bound to the output's
 * digest. Only successful runs are stored: a failing render runs helm again and reports helm's own error.
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
  readonly stats = {
    hits: 0,
    misses: 0,
    corrupt: 0,
    readingHits: 0,
    writes: 0,
    writeFailures: 0,
    removed: 0,
  };

  constructor(options: HelmOutputCacheOptions) {
    this.dir = options.dir;
    this.maxBytes = options.maxBytes ?? HELM_OUTPUT_MAX_BYTES;
    this.onProblem = options.onProblem;
  }

  /** The entry file of `key` (`.bin`), or its stored reading (`.reading`). */
  file(key: string, kind: 'bin' | 'reading' = 'bin'): string {
    if (!KEY.test(key)) throw new Error(`not a helm output key: ${key}`);
    return path.join(this.dir, `${key}.${kind}`);
  }

  /** The stored output for `key`; undefined on a miss, an unreadable or a damaged entry. */
  async get(key: string): Promise<HelmOutputEntry | undefined> {
    const bytes = await this.read(this.file(key));
    const entry = bytes && openEntry(key, bytes);
    if (!entry) {
      if (bytes) this.stats.corrupt++;
      this.stats.misses++;
      return undefined;
    }
    this.stats.hits++;
    return entry;
  }

  /**
   * Stores `output` for `key` and returns the digest its reading is bound to; a cache that cannot be
   * written costs the next run speed, nothing else.
   */
  async put(key: string, output: string): Promise<string> {
    const entry = sealEntry(key, output);
    await this.write(this.file(key), entry);
    return sha256Hex(Buffer.from(output, 'utf8'));
  }

  /** The stored reading of the output with `outputDigest`; undefined when there is none intact. */
  async getReading(key: string, outputDigest: string): Promise<FastReading | undefined> {
    const bytes = await this.read(this.file(key, 'reading'));
    const reading = bytes && openReading(outputDigest, bytes);
    if (reading) this.stats.readingHits++;
    return reading || undefined;
  }

  /** Stores a reading of the output with `outputDigest` (not when its values are not plain data). */
  async putReading(key: string, outputDigest: string, reading: FastReading): Promise<void> {
    const sealed = sealReading(outputDigest, reading);
    if (sealed) await this.write(this.file(key, 'reading'), sealed);
  }

  /** A file's bytes, touched as used; undefined when absent or unreadable (said once). */
  private async read(file: string): Promise<Buffer | undefined> {
    let bytes: Buffer;
    try {
      bytes = await readFile(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
        this.tell('read', `cannot read ${file} (${(error as Error).message}); rendering with helm`);
      return undefined;
    }
    // Least recently used goes first when pruning: a read counts as a use.
    const now = new Date();
    await utimes(file, now, now).catch(() => undefined);
    return bytes;
  }

  /** Temporary file and rename: readers see a whole file or none. */
  private async write(file: string, bytes: Buffer): Promise<void> {
    const tmp = path.join(
      this.dir,
      `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`,
    );
    try {
      await mkdir(this.dir, { recursive: true });
      // helm output can hold what values put into Secrets: readable by the user only.
      await writeFile(tmp, bytes, { mode: 0o600 });
      await rename(tmp, file);
      this.stats.writes++;
    } catch (error) {
      this.stats.writeFailures++;
      await rm(tmp, { force: true }).catch(() => undefined);
      this.tell('write', `cannot write ${file} (${(error as Error).message}); helm output is not cached`);
      return;
    }
    this.writtenSincePrune += bytes.length;
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
      if (name.endsWith('.bin') || name.endsWith('.reading'))
        entries.push({ file, size: info.size, used: info.mtimeMs });
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
