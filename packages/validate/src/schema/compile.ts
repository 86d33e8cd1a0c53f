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
import { createRequire } from 'node:module';
import path from 'node:path';
import vm from 'node:vm';
import type { ErrorObject } from 'ajv';
import { Ajv } from 'ajv';
import standaloneModule from 'ajv/dist/standalone/index.js';
import { LIST_MAP_KEYS } from './convert.js';

/** A compiled validator, as ajv produces it (standalone or not). */
export interface Validator {
  (data: unknown): boolean;
  errors?: ErrorObject[] | null;
}

/** A set of schemas compiled together: shared definitions plus one entry schema per name. */
export interface SchemaBundle {
  /** Definitions the entries refer to as `#/definitions/<name>`. */
  definitions: Record<string, unknown>;
  /** Entry schemas by name (a kind's key); their `#/definitions/` references go to `definitions`. */
  entries: Record<string, unknown>;
}

// ajv ships CommonJS; under NodeNext a default import is the module object, whose `default` is the function.
const standaloneCode = standaloneModule.default;
const require = createRequire(import.meta.url);
const ajvVersion: string = (require('ajv/package.json') as { version: string }).version;

/** Bumped whenever the way bundles are compiled changes, so that old cached code is not reused. */
const COMPILER_REVISION = '1';
const DEFINITIONS_ID = 'airspark:definitions';

function newAjv() {
  const ajv = new Ajv({
    allErrors: true,
    strict: true,
    strictTypes: false,
    strictTuples: false,
    strictRequired: false,
    allowUnionTypes: true,
    validateFormats: false,
    inlineRefs: false,
    code: { source: true, lines: false, optimize: 1 },
  });
  ajv.addKeyword({ keyword: LIST_MAP_KEYS, schemaType: 'array' });
  return ajv;
}

function rewriteRefs(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(rewriteRefs);
  if (schema === null || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    out[key] =
      key === '$ref' && typeof value === 'string' && value.startsWith('#/definitions/')
        ? `${DEFINITIONS_ID}${value}`
        : rewriteRefs(value);
  }
  return out;
}

function entryId(name: string): string {
  return `airspark:entry:${name}`;
}

/** Compiles a bundle to standalone CommonJS source: one function per entry, shared definitions. */
export function compileBundleSource(bundle: SchemaBundle): string {
  const ajv = newAjv();
  ajv.addSchema({ $id: DEFINITIONS_ID, definitions: rewriteRefs(bundle.definitions) });
  const exports: Record<string, string> = {};
  for (const [name, schema] of Object.entries(bundle.entries)) {
    const id = entryId(name);
    ajv.addSchema({ ...(rewriteRefs(schema) as object), $id: id });
    exports[name] = id;
  }
  return standaloneCode(ajv, exports);
}

/** Evaluates standalone source; its `require`s (ajv runtime helpers) resolve from this package. */
export function loadBundleSource(source: string): Record<string, Validator> {
  return runBundle(new vm.Script(wrap(source))).validators;
}

function wrap(source: string): string {
  return `(function (require, module, exports) {${source}\n})`;
}

function runBundle(script: vm.Script): { validators: Record<string, Validator>; script: vm.Script } {
  const module = { exports: {} as Record<string, Validator> };
  const factory = script.runInThisContext() as (r: NodeJS.Require, m: typeof module, e: object) => void;
  factory(require, module, module.exports);
  return { validators: module.exports, script };
}

export function bundleHash(bundle: SchemaBundle): string {
  return createHash('sha256')
    .update(`${ajvVersion}\0${COMPILER_REVISION}\0`)
    .update(JSON.stringify(bundle.definitions))
    .update('\0')
    .update(JSON.stringify(bundle.entries))
    .digest('hex')
    .slice(0, 32);
}

/**
 * Compiled bundles, kept on disk (`<cacheDir>/validators/<hash>.cjs`) and in memory. Compiling the
 * Kubernetes schemas takes seconds; loading the cached code takes milliseconds.
 */
export class ValidatorCache {
  private readonly memory = new Map<string, Record<string, Validator>>();
  /** Hashing a bundle serialises every schema in it: do it once per bundle object, not per lookup. */
  private readonly byBundle = new WeakMap<SchemaBundle, Record<string, Validator>>();
  /** Scripts whose V8 code cache is missing or stale, with the file it belongs in. */
  private readonly codeCacheWanted = new Map<string, vm.Script>();

  constructor(private readonly cacheDir: string | undefined) {}

  get(bundle: SchemaBundle): Record<string, Validator> {
    const known = this.byBundle.get(bundle);
    if (known) return known;
    const validators = this.load(bundle, bundleHash(bundle));
    this.byBundle.set(bundle, validators);
    return validators;
  }

  private load(bundle: SchemaBundle, hash: string): Record<string, Validator> {
    const cached = this.memory.get(hash);
    if (cached) return cached;
    const file = this.cacheDir ? path.join(this.cacheDir, 'validators', `${hash}.cjs`) : undefined;
    let validators: Record<string, Validator> | undefined;
    if (file) {
      const source = readOrUndefined(file, 'utf8');
      if (source !== undefined) {
        touch(file);
        try {
          validators = this.evaluate(source, file);
        } catch {
          // A truncated or foreign file: compile afresh below and overwrite it.
          validators = undefined;
        }
      }
    }
    if (!validators) {
      const source = compileBundleSource(bundle);
      validators = this.evaluate(source, file);
      if (file) {
        writeAtomically(file, source);
        pruneOldest(path.dirname(file), KEEP_FILES);
      }
    }
    this.memory.set(hash, validators);
    return validators;
  }

  /**
   * Runs bundle code with V8's code cache (`<hash>.v8` beside it) when there is one: the bytecode of
   * the validators then needs no compiling, which is most of a warm start.
   */
  private evaluate(source: string, file: string | undefined): Record<string, Validator> {
    const codeCacheFile = file ? `${file}.v8` : undefined;
    const cachedData = codeCacheFile ? readOrUndefined(codeCacheFile) : undefined;
    const script = new vm.Script(wrap(source), {
      ...(file ? { filename: file } : {}),
      ...(cachedData ? { cachedData } : {}),
    });
    const { validators } = runBundle(script);
    if (codeCacheFile && (!cachedData || script.cachedDataRejected))
      this.codeCacheWanted.set(codeCacheFile, script);
    return validators;
  }

  /**
   * Writes V8 code caches for bundles loaded without one. Called after validating, so that the cache
   * holds the functions validation actually compiled, not only the top level.
   */
  persistCodeCaches(): void {
    for (const [file, script] of this.codeCacheWanted) writeAtomically(file, script.createCachedData());
    this.codeCacheWanted.clear();
  }
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

/** Bundles of schemas no longer in use (an older pin, a CRD since changed) are dropped beyond this. */
const KEEP_FILES = 64;

/** Marks a bundle as used, so that pruning keeps what is read, not only what was written recently. */
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

function writeAtomically(file: string, text: string | Uint8Array): void {
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    const temporary = `${file}.${process.pid}.tmp`;
    writeFileSync(temporary, text);
    renameSync(temporary, file);
  } catch {
    // The cache is an optimisation: a read-only or full disk costs speed, not correctness.
  }
}
