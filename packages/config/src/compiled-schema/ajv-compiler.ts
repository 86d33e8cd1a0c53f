import { createRequire } from 'node:module';

/**
 * ajv's compiler (some thirty modules) is loaded only when code must be generated: a run that finds
 * every schema's code precompiled or cached never loads it.
 */
const require = createRequire(import.meta.url);

export interface AjvCompiler {
  Ajv: typeof import('ajv').Ajv;
  Ajv2020: typeof import('ajv/dist/2020.js').Ajv2020;
  standaloneCode: typeof import('ajv/dist/standalone/index.js').default;
}

let compiler: AjvCompiler | undefined;

export function ajvCompiler(): AjvCompiler {
  if (!compiler) {
    const ajv = require('ajv') as typeof import('ajv');
    const ajv2020 = require('ajv/dist/2020') as typeof import('ajv/dist/2020.js');
    const standalone = require('ajv/dist/standalone') as typeof import('ajv/dist/standalone/index.js');
    compiler = { Ajv: ajv.Ajv, Ajv2020: ajv2020.Ajv2020, standaloneCode: standalone.default };
  }
  return compiler;
}
