import type { ValidateFunction } from 'ajv';
import type { FromSchema } from 'json-schema-to-ts';
import { componentSchema } from './component-schema.js';
import { pinnedSchemaValidator } from './pinned-schemas.js';

/** One component declaration, derived from the schema so that the two cannot drift apart. */
export type Component = FromSchema<typeof componentSchema>;
export type ComponentSourceType = Component['source']['type'];

/** Folder of the component declarations and the file name inside each component folder. */
export const APPS_DIR = 'apps';
export const COMPONENT_FILE = 'component.yaml';

export function componentFile(name: string): string {
  return `${APPS_DIR}/${name}/${COMPONENT_FILE}`;
}

let compiled: ValidateFunction<Component> | undefined;

/** The compiled schema validator, built once per process. */
export function componentValidator(): ValidateFunction<Component> {
  compiled ??= pinnedSchemaValidator<Component>(componentSchema);
  return compiled;
}
