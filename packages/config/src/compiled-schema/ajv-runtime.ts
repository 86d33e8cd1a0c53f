// The helpers ajv's standalone code `require`s at run time, imported statically so that generated
// validators load without resolving `ajv` from wherever the code runs (a cache folder, a bundle).

import equal from 'ajv/dist/runtime/equal.js';
import timestamp from 'ajv/dist/runtime/timestamp.js';
import ucs2length from 'ajv/dist/runtime/ucs2length.js';
import uri from 'ajv/dist/runtime/uri.js';
import validationError from 'ajv/dist/runtime/validation_error.js';
import ajvPackage from 'ajv/package.json' with { type: 'json' };

/** The ajv that generates the code; part of every cache key (its output changes between versions). */
export const AJV_VERSION: string = ajvPackage.version;

/**
 * Generated code reads `require(helper).default`. Node's default import of these CommonJS files is
 * `module.exports` (which has `default`); bundlers and test runners may hand over `exports.default`
 * itself, so wrap whatever came.
 */
function asModule(imported: unknown): unknown {
  return imported !== null && typeof imported === 'object' && 'default' in imported
    ? imported
    : { default: imported };
}

const runtime: Record<string, unknown> = {
  'ajv/dist/runtime/equal': asModule(equal),
  'ajv/dist/runtime/timestamp': asModule(timestamp),
  'ajv/dist/runtime/ucs2length': asModule(ucs2length),
  'ajv/dist/runtime/uri': asModule(uri),
  'ajv/dist/runtime/validation_error': asModule(validationError),
};

/** The `require` handed to generated code: ajv's runtime helpers and nothing else. */
export function runtimeRequire(id: string): unknown {
  const found = runtime[id.replace(/\.js$/, '')];
  if (found === undefined)
    throw new Error(`generated validator requires "${id}", which is not an ajv runtime helper`);
  return found;
}
