import type { ValidateFunction } from 'ajv';
import type { FromSchema } from 'json-schema-to-ts';
import { environmentSchema } from './environment-schema.js';
import { pinnedSchemaValidator } from './pinned-schemas.js';

/** The environment model, derived from the schema so that the two cannot drift apart. */
export type Environment = FromSchema<typeof environmentSchema>;

let compiled: ValidateFunction<Environment> | undefined;

/** The compiled schema validator, built once per process (compilation dominates a cold run). */
export function environmentValidator(): ValidateFunction<Environment> {
  compiled ??= pinnedSchemaValidator<Environment>(environmentSchema);
  return compiled;
}
