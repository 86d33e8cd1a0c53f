import { createHash } from 'node:crypto';
import {
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import vm from 'node:vm';
import { AJV_VERSION, runtimeRequire } from './ajv-runtime.js';

/**
 * Every JSON Schema airspark checks against is compiled once, by ajv, to standalone JavaScript, and
 * from then on loaded, not compiled (ADR 0044). The code lives under a name derived from everything
 * that shapes it (the schemas, the ajv version and options, this format's revision), so a change of
 * any of them is a different file and stale code is never loaded. Lookup order: this process's
 * memory, folders of code generated at build time (`dist/precompiled` of the packages whose schemas
 * are pinned), the user's cache (`<cacheDir>/validators`), and only then the compiler.
 */

/** Bumped whenever the file format or the way requests are keyed changes. */
const FORMAT_REVISION = '2';
const VALIDATORS_DIR = 'validators';
const HEADER_PREFIX = '// airspark-compiled-schema sha256:';

/** What to compile: the parts that determine the generated code, and how to generate it. */
export interface CompileRequest {
  /**
   * Everything the generated code depends on besides ajv's version: schema texts, ajv options, a
   * compiler revision. Two requests with equal parts must generate the same code.
   */
  keyParts: readonly string[];
  /** Generates standalone CommonJS (`ajv/dist/standalone`). Called only on a miss. */
  compile: () => string;
}

/** The name a request's code is stored under (hex, 32 characters). */
export function compiledSchemaKey(keyParts: readonly string[]): string {
  const hash = createHash('sha256').update(`${FORMAT_REVISION}\0${AJV_VERSION}\0`);
  for (const part of keyParts) hash.update(`${part.length}:`).update(part);
  return hash.digest('hex').slice(0, 32);
}

/** How a load was answered; counted so that tests and benchmarks can tell a load from a compile. */
export interface CacheStatistics {
  memory: number;
  precompiled: number;
  disk: number;
  compiled: number;
  /** Files found but rejected (checksum mismatch, code that does not evaluate). */
  rejected: number;
}

/** `${AIRSPARK_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/airspark}`, the project's cache convention. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.AIRSPARK_CACHE_DIR) return env.AIRSPARK_CACHE_DIR;
  const base = env.XDG_CACHE_HOME || path.join(env.HOME || os.homedir(), '.cache');
  return path.join(base, 'airspark');
}

/** A file of generated code: a checksum header, then the code. */
export function sealCompiledSource(source: string): string {
  return `${HEADER_PREFIX}${sha256(source)}\n${source}`;
}

/** The code of a sealed file, or undefined when the file is not one or its checksum does not match. */
export function unsealCompiledSource(text: string): string | undefined {
  if (!text.startsWith(HEADER_PREFIX)) return undefined;
  const newline = text.indexOf('\n');
  if (newline < 0) return undefined;
  const body = text.slice(newline + 1);
  return text.slice(HEADER_PREFIX.length, newline) === sha256(body) ? body : undefined;
}

function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Writes sealed code for a request into `dir` unless it is there already; returns the file. */
export function writeCompiledSource(dir: string, request: CompileRequest): string {
  const file = path.join(dir, `${compiledSchemaKey(request.keyParts)}.cjs`);
  const existing = readOrUndefined(file, 'utf8');
  if (existing !== undefined && unsealCompiledSource(existing) !== undefined) return file;
  writeAtomically(file, sealCompiledSource(request.compile()));
  return file;
}

/**
 * Makes `dir` hold exactly the code of `requests` (the build step of a package with pinned
 * schemas): generates what is missing, keeps what is there and intact, removes the rest.
 */
export function writePrecompiledDir(dir: string, requests: readonly CompileRequest[]): string[] {
  mkdirSync(dir, { recursive: true });
  const files = requests.map((request) => writeCompiledSource(dir, request));
  const wanted = new Set(files.map((f) => path.basename(f)));
  for (const name of readdirSync(dir)) if (!wanted.has(name)) rmSync(path.join(dir, name), { force: true });
  return files;
}

export class CompiledSchemaCache {
  private readonly memory = new Map<string, unknown>();
  /** Scripts whose V8 code cache is missing or stale, with the file it belongs in. */
  private readonly codeCacheWanted = new Map<string, vm.Script>();
  readonly statistics: CacheStatistics = { memory: 0, precompiled: 0, disk: 0, compiled: 0, rejected: 0 };

  /**
   * @param cacheDir the user's cache root (`<cacheDir>/validators` holds the code); undefined keeps
   *   compiled code in memory only.
   * @param precompiledDirs read-only folders of code generated at build time.
   */
  constructor(
    private readonly cacheDir: string | undefined,
    private readonly precompiledDirs: readonly string[] = [],
  ) {}

  /** The module exports of the request's generated code: loaded when cached, compiled otherwise. */
  load(request: CompileRequest): unknown {
    const key = compiledSchemaKey(request.keyParts);
    const known = this.memory.get(key);
    if (known !== undefined) {
      this.statistics.memory++;
      return known;
    }
    const loaded = this.loadStored(key);
    if (loaded !== undefined) {
      this.memory.set(key, loaded);
      return loaded;
    }
    const source = request.compile();
    this.statistics.compiled++;
    const file = this.userFile(key);
    const exports = this.evaluate(source, file, file && `${file}.v8`);
    if (file) {
      writeAtomically(file, sealCompiledSource(source));
      pruneOldest(path.dirname(file), KEEP_FILES);
    }
    this.memory.set(key, exports);
    return exports;
  }

  private userFile(key: string): string | undefined {
    return this.cacheDir ? path.join(this.cacheDir, VALIDATORS_DIR, `${key}.cjs`) : undefined;
  }

  private loadStored(key: string): unknown {
    const places = [
      ...this.precompiledDirs.map((dir) => ({ dir, precompiled: true })),
      ...(this.cacheDir ? [{ dir: path.join(this.cacheDir, VALIDATORS_DIR), precompiled: false }] : []),
    ];
    for (const { dir, precompiled } of places) {
      const file = path.join(dir, `${key}.cjs`);
      const text = readOrUndefined(file, 'utf8');
      if (text === undefined) continue;
      const source = unsealCompiledSource(text);
      if (source === undefined) {
        // Truncated, edited or foreign: never run it; the compiler overwrites it (user cache only).
        this.statistics.rejected++;
        continue;
      }
      try {
        // Precompiled folders are read-only (a package's dist): the code cache always goes to the user's.
        const userFile = this.userFile(key);
        const exports = this.evaluate(source, file, userFile && `${userFile}.v8`);
        if (precompiled) this.statistics.precompiled++;
        else {
          this.statistics.disk++;
          touch(file);
        }
        return exports;
      } catch {
        this.statistics.rejected++;
      }
    }
    return undefined;
  }

  /**
   * Runs generated code, with V8's code cache when there is a valid one: the validators' bytecode
   * then needs no compiling, which is most of a warm start.
   */
  private evaluate(source: string, filename: string | undefined, codeCacheFile: string | undefined): unknown {
    const cachedData = codeCacheFile ? readCodeCache(codeCacheFile, source) : undefined;
    const script = new vm.Script(`(function (require, module, exports) {${source}\n})`, {
      ...(filename ? { filename } : {}),
      ...(cachedData ? { cachedData } : {}),
    });
    const module = { exports: {} as unknown };
    const factory = script.runInThisContext() as (
      r: typeof runtimeRequire,
      m: typeof module,
      e: unknown,
    ) => void;
    factory(runtimeRequire, module, module.exports);
    if (codeCacheFile && (!cachedData || script.cachedDataRejected))
      this.codeCacheWanted.set(`${codeCacheFile}\0${sha256(source)}`, script);
    return module.exports;
  }

  /**
   * Writes V8 code caches for code loaded without one. Called after validating, so that the cache
   * holds the functions validation actually compiled, not only the top level.
   */
  persistCodeCaches(): void {
    for (const [entry, script] of this.codeCacheWanted) {
      const [file = '', sourceHash = ''] = entry.split('\0');
      writeAtomically(file, sealCodeCache(script.createCachedData(), sourceHash));
    }
    this.codeCacheWanted.clear();
  }
}

/**
 * A V8 code cache file: the checksum of its payload and the hash of the source it belongs to, then
 * the payload. V8 checks only the source's length, so a cache of other code of the same length, or
 * a damaged file, must be refused here.
 */
function sealCodeCache(payload: Buffer, sourceHash: string): Buffer {
  const header = Buffer.from(`${sha256(payload)}${sourceHash}`, 'latin1');
  return Buffer.concat([header, payload]);
}

function readCodeCache(file: string, source: string): Buffer | undefined {
  const bytes = readOrUndefined(file);
  if (!bytes || bytes.length <= 128) return undefined;
  const payload = bytes.subarray(128);
  const header = bytes.subarray(0, 128).toString('latin1');
  if (header.slice(0, 64) !== sha256(payload) || header.slice(64) !== sha256(source)) return undefined;
  return payload;
}

function readOrUndefined(file: string, encoding: 'utf8'): string | undefined;
function readOrUndefined(file: string): Buffer | undefined;
function readOrUndefined(file: string, encoding?: 'utf8'): string | Buffer | undefined {
  try {
    return encoding ? readFileSync(file, encoding) : readFileSync(file);
  } catch {
    return undefined;
  }
}

/** Code of schemas no longer in use (an older pin, a CRD since changed) is dropped beyond this. */
const KEEP_FILES = 64;

/** Marks a file as used, so that pruning keeps what is read, not only what was written recently. */
function touch(file: string): void {
  try {
    const now = new Date();
    utimesSync(file, now, now);
  } catch {
    // Read-only cache: nothing to mark.
  }
}

function pruneOldest(dir: string, keep: number): void {
  try {
    const files = readdirSync(dir)
      .filter((f) => f.endsWith('.cjs'))
      .map((f) => ({ f, mtime: statSync(path.join(dir, f)).mtimeMs }))
      .sort((a, b) => b.mtime - a.mtime);
    for (const { f } of files.slice(keep)) {
      rmSync(path.join(dir, f), { force: true });
      rmSync(path.join(dir, `${f}.v8`), { force: true });
    }
  } catch {
    // Pruning is housekeeping; never fail validation over it.
  }
}

function writeAtomically(file: string, content: string | Uint8Array): void {
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    const temporary = `${file}.${process.pid}.tmp`;
    writeFileSync(temporary, content);
    renameSync(temporary, file);
  } catch {
    // The cache is an optimisation: a read-only or full disk costs speed, not correctness.
  }
}
