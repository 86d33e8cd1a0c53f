import type { AnySchema, ValidateFunction } from 'ajv';
import { ajvCompiler } from './ajv-compiler.js';
import {
  CompiledSchemaCache,
  type CompileRequest,
  compiledSchemaKey,
  defaultCacheDir,
} from './compiled-schema-cache.js';

type AjvCore = Parameters<typeof import('ajv/dist/standalone/index.js').default>[0];

/** One schema to compile with one ajv configuration. */
export interface SchemaSpec {
  schema: AnySchema;
  /**
   * Identifies the ajv configuration (class, options, added keywords): part of the cache key, so
   * that a change of options never loads code generated with the old ones.
   */
  ajvKey: string;
  /** A fresh ajv with `code: { source: true }`; called only when the code must be generated. */
  newAjv: () => AjvCore;
}

/** The compile request of one schema: its standalone code exports the validate function itself. */
export function schemaRequest(spec: SchemaSpec): CompileRequest {
  return {
    keyParts: ['schema', spec.ajvKey, JSON.stringify(spec.schema)],
    compile: () => {
      const ajv = spec.newAjv();
      return ajvCompiler().standaloneCode(ajv, ajv.compile(spec.schema));
    },
  };
}

const precompiledDirs: string[] = [];
let shared: CompiledSchemaCache | undefined;

/**
 * Adds a folder of code generated at build time (a package's `dist/precompiled`) to the shared
 * cache's lookup. Packages register their own folder when their pinned schemas are first needed.
 */
export function registerPrecompiledDir(dir: string): void {
  if (precompiledDirs.includes(dir)) return;
  precompiledDirs.push(dir);
}

/**
 * The process's cache of compiled schemas: the user's cache folder (AIRSPARK_CACHE_DIR or the
 * default) plus every registered precompiled folder.
 */
export function sharedSchemaCache(): CompiledSchemaCache {
  if (!shared) {
    const cache = new CompiledSchemaCache(defaultCacheDir(), precompiledDirs);
    // V8 code caches are written once the process has run the code (and so compiled what it uses).
    process.once('beforeExit', () => cache.persistCodeCaches());
    shared = cache;
  }
  return shared;
}

/** The validate function of a schema, loaded from generated code (compiled only on a miss). */
export function schemaValidator<T = unknown>(
  spec: SchemaSpec,
  cache: CompiledSchemaCache = sharedSchemaCache(),
): ValidateFunction<T> {
  return cache.load(schemaRequest(spec)) as ValidateFunction<T>;
}

/** The cache key of a schema (for tests and the build step's listing). */
export function schemaKey(spec: SchemaSpec): string {
  return compiledSchemaKey(schemaRequest(spec).keyParts);
}
