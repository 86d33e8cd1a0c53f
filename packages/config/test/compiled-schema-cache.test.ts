import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ValidateFunction } from 'ajv';
import { describe, expect, it } from 'vitest';
import {
  CompiledSchemaCache,
  configSchema,
  schemaKey,
  schemaRequest,
  schemaValidator,
  unsealCompiledSource,
  writeCompiledSource,
} from '../src/index.js';

const tempDir = () => mkdtempSync(path.join(os.tmpdir(), 'airspark-compiled-schema-'));
const portSchema = (maximum: number) => ({
  type: 'object',
  additionalProperties: false,
  required: ['port'],
  properties: { port: { type: 'integer', maximum } },
});
const load = (cache: CompiledSchemaCache, maximum: number) =>
  schemaValidator(configSchema(portSchema(maximum)), cache) as ValidateFunction;
const codeFiles = (cacheDir: string) =>
  readdirSync(path.join(cacheDir, 'validators')).filter((f) => f.endsWith('.cjs'));

describe('compiled schemas are generated once and loaded after', () => {
  it('a new process loads the cached code instead of compiling', () => {
    const cacheDir = tempDir();
    const first = new CompiledSchemaCache(cacheDir);
    expect(load(first, 100)({ port: 80 })).toBe(true);
    first.persistCodeCaches();
    expect(first.statistics.compiled).toBe(1);

    const second = new CompiledSchemaCache(cacheDir);
    const validate = load(second, 100);
    expect(second.statistics).toMatchObject({ compiled: 0, disk: 1, rejected: 0 });
    expect(validate({ port: 80 })).toBe(true);
    expect(validate({ port: 8080 })).toBe(false);
    expect(validate.errors?.[0]).toMatchObject({ keyword: 'maximum', instancePath: '/port' });
  });

  it('a changed schema is a different key: its code is compiled, never the old code loaded', () => {
    const cacheDir = tempDir();
    load(new CompiledSchemaCache(cacheDir), 100);
    const cache = new CompiledSchemaCache(cacheDir);
    const changed = load(cache, 10_000);
    expect(cache.statistics).toMatchObject({ compiled: 1, disk: 0 });
    expect(changed({ port: 8080 })).toBe(true);
    expect(codeFiles(cacheDir)).toHaveLength(2);
  });

  it('the ajv configuration is part of the key', () => {
    const schema = portSchema(100);
    const spec = configSchema(schema);
    expect(schemaKey({ ...spec, ajvKey: `${spec.ajvKey} changed` })).not.toBe(schemaKey(spec));
    expect(schemaKey(configSchema(portSchema(101)))).not.toBe(schemaKey(spec));
    expect(schemaKey(configSchema(portSchema(100)))).toBe(schemaKey(spec));
  });

  it('a damaged or foreign code file is detected by its checksum, not run, and rebuilt', () => {
    const cacheDir = tempDir();
    load(new CompiledSchemaCache(cacheDir), 100);
    const [name = ''] = codeFiles(cacheDir);
    const file = path.join(cacheDir, 'validators', name);
    // Valid JavaScript that accepts everything: running it would silently pass every check.
    const original = readFileSync(file, 'utf8');
    writeFileSync(file, original.replace(/\n[\s\S]*$/, '\nmodule.exports = () => true;'));

    const cache = new CompiledSchemaCache(cacheDir);
    const validate = load(cache, 100);
    expect(cache.statistics).toMatchObject({ rejected: 1, compiled: 1, disk: 0 });
    expect(validate({ port: 8080 })).toBe(false);
    expect(unsealCompiledSource(readFileSync(file, 'utf8'))).toBeDefined();
  });

  it('a truncated code file is rebuilt', () => {
    const cacheDir = tempDir();
    load(new CompiledSchemaCache(cacheDir), 100);
    const file = path.join(cacheDir, 'validators', codeFiles(cacheDir)[0] ?? '');
    writeFileSync(file, readFileSync(file, 'utf8').slice(0, 200));
    const cache = new CompiledSchemaCache(cacheDir);
    expect(load(cache, 100)({ port: 8080 })).toBe(false);
    expect(cache.statistics).toMatchObject({ rejected: 1, compiled: 1 });
  });

  it('a damaged V8 code cache is ignored and written again', () => {
    const cacheDir = tempDir();
    const first = new CompiledSchemaCache(cacheDir);
    load(first, 100)({ port: 1 });
    first.persistCodeCaches();
    const v8 = readdirSync(path.join(cacheDir, 'validators')).filter((f) => f.endsWith('.v8'));
    expect(v8).toHaveLength(1);
    const v8File = path.join(cacheDir, 'validators', v8[0] ?? '');
    const bytes = readFileSync(v8File);
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 0xff;
    writeFileSync(v8File, bytes);

    const cache = new CompiledSchemaCache(cacheDir);
    const validate = load(cache, 100);
    expect(validate({ port: 8080 })).toBe(false);
    expect(cache.statistics).toMatchObject({ disk: 1, compiled: 0 });
    cache.persistCodeCaches();
    expect(readFileSync(v8File).equals(bytes)).toBe(false);
  });

  it('code generated at build time is used first and never compiled again', () => {
    const precompiled = tempDir();
    const cacheDir = tempDir();
    writeCompiledSource(precompiled, schemaRequest(configSchema(portSchema(100))));
    const cache = new CompiledSchemaCache(cacheDir, [precompiled]);
    expect(load(cache, 100)({ port: 8080 })).toBe(false);
    expect(cache.statistics).toMatchObject({ precompiled: 1, compiled: 0 });
    // Nothing compiled, so only the V8 code cache goes to the user's cache.
    cache.persistCodeCaches();
    expect(readdirSync(path.join(cacheDir, 'validators')).map((f) => path.extname(f))).toEqual(['.v8']);
  });

  it('a damaged precompiled file is refused and the schema compiled into the user cache instead', () => {
    const precompiled = tempDir();
    const cacheDir = tempDir();
    const file = writeCompiledSource(precompiled, schemaRequest(configSchema(portSchema(100))));
    writeFileSync(file, `${readFileSync(file, 'utf8')}\n// edited`);
    const cache = new CompiledSchemaCache(cacheDir, [precompiled]);
    expect(load(cache, 100)({ port: 8080 })).toBe(false);
    expect(cache.statistics).toMatchObject({ precompiled: 0, rejected: 1, compiled: 1 });
    expect(codeFiles(cacheDir)).toHaveLength(1);
  });

  it('keeps working, compiling in memory, when the cache cannot be written', () => {
    // A cache folder below a plain file can be neither created nor written.
    const file = path.join(tempDir(), 'a-file');
    writeFileSync(file, '');
    const cache = new CompiledSchemaCache(path.join(file, 'cache'));
    expect(load(cache, 100)({ port: 8080 })).toBe(false);
    expect(load(cache, 100)({ port: 80 })).toBe(true);
    expect(cache.statistics).toMatchObject({ compiled: 1, memory: 1 });
  });
});
