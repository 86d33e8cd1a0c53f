import type { Finding } from '@airspark/findings';
import type { AnySchema, ErrorObject, ValidateFunction } from 'ajv';
import type { Ajv2020 } from 'ajv/dist/2020.js';
import { closest } from 'fastest-levenshtein';
import { ajvCompiler } from './compiled-schema/ajv-compiler.js';
import type { SchemaSpec } from './compiled-schema/schema-validator.js';
import { pointerToPath, positionOf, type YamlSource } from './yaml-document.js';

/** Our own annotation keywords; ajv's strict mode rejects unknown keywords unless declared. */
const annotationKeywords = [
  { keyword: 'x-airspark-promotable', schemaType: 'boolean' },
  { keyword: 'x-airspark-order', schemaType: 'string' },
] as const;

const configAjvOptions = {
  allErrors: true,
  strict: true,
  strictRequired: false,
  verbose: true,
  allowUnionTypes: true,
  // Standalone code generation (compiled-schema/): schemas are compiled once and loaded after.
  code: { source: true, lines: false, optimize: 1 },
} as const;

/** The ajv that checks airspark's own files (environments, components, release log, external resources). */
export function createAjv(): Ajv2020 {
  const ajv = new (ajvCompiler().Ajv2020)(configAjvOptions);
  for (const { keyword, schemaType } of annotationKeywords) ajv.addKeyword({ keyword, schemaType });
  return ajv;
}

/** A schema of airspark's own files, compiled once (at build time when it is pinned) and loaded after. */
export function configSchema(schema: AnySchema): SchemaSpec {
  return {
    schema,
    ajvKey: JSON.stringify(['Ajv2020', configAjvOptions, annotationKeywords]),
    newAjv: createAjv,
  };
}

function dotted(path: readonly string[]): string {
  return path.length === 0
    ? 'the document'
    : path
        .map((s) => (/^\d+$/.test(s) ? `[${s}]` : s))
        .join('.')
        .replaceAll('.[', '[');
}

function show(value: unknown): string {
  return typeof value === 'string' ? `"${value}"` : JSON.stringify(value);
}

function describeError(error: ErrorObject): { message: string; keyPath?: string[] } | undefined {
  const path = pointerToPath(error.instancePath);
  const where = dotted(path);
  const schema = (error.parentSchema ?? {}) as { description?: string; properties?: Record<string, unknown> };
  const why = schema.description ? ` (${schema.description})` : '';
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String(error.params.additionalProperty);
      const allowed = Object.keys(schema.properties ?? {});
      const suggestion = allowed.length > 0 ? closest(key, allowed) : undefined;
      const hint = suggestion ? ` Did you mean "${suggestion}"?` : '';
      return {
        message: `unknown key "${key}" in ${where}.${hint} Allowed keys: ${allowed.join(', ')}.`,
        keyPath: [...path, key],
      };
    }
    case 'required':
      return { message: `${where} is missing the required key "${String(error.params.missingProperty)}".` };
    case 'type':
      return {
        message: `${where} must be of type ${String(error.params.type)}, not ${show(error.data)}${why}.`,
      };
    case 'const':
      return { message: `${where} must be ${show(error.params.allowedValue)}, not ${show(error.data)}.` };
    case 'enum':
      return {
        message: `${where} must be one of ${(error.params.allowedValues as unknown[]).map(show).join(', ')}, not ${show(error.data)}.`,
      };
    case 'pattern':
      return { message: `${where} has an invalid value ${show(error.data)}${why}.` };
    case 'not':
      return { message: `${where} may not be ${show(error.data)}${why}.` };
    case 'if':
      // Reported through the failing `then` branch's own error; this wrapper adds nothing.
      return undefined;
    case 'minItems':
    case 'maxItems':
    case 'uniqueItems':
    case 'minimum':
    case 'maximum':
    case 'minLength':
    case 'maxLength':
      return { message: `${where} ${error.message ?? 'is out of range'}${why}.` };
    default:
      return { message: `${where} ${error.message ?? 'is invalid'}.` };
  }
}

/** Validates a parsed YAML source against a compiled schema; each error points at its line. */
export function checkAgainstSchema(source: YamlSource, validate: ValidateFunction, rule: string): Finding[] {
  if (validate(source.value)) return [];
  const findings: Finding[] = [];
  const seen = new Set<string>();
  for (const error of validate.errors ?? []) {
    const described = describeError(error);
    if (!described) continue;
    const path = described.keyPath ?? pointerToPath(error.instancePath);
    const position = positionOf(source, path, { key: described.keyPath !== undefined });
    const key = `${position.line}:${position.column}:${described.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    findings.push({ severity: 'error', rule, message: described.message, file: source.file, ...position });
  }
  return findings;
}
