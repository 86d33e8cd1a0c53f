import path from 'node:path';
import {
  ajvCompiler,
  parseYaml,
  positionOf,
  readSourceText,
  schemaValidator,
  sharedSchemaCache,
  type YamlSource,
} from '@airspark/config';
import type { Finding } from '@airspark/findings';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { closest } from 'fastest-levenshtein';

/** One source of values in helm's merge order, with positions when it came from a YAML file. */
export interface ValuesLayer {
  /** Repository-relative file the values were written in. */
  file: string;
  value: Record<string, unknown>;
  source?: YamlSource;
  /** For computed layers (valuesObject): where each leaf path was written. */
  origins?: { keys: string[]; file: string; line: number; column: number }[];
}

type Obj = Record<string, unknown>;
const isMap = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * Helm's coalescing of user values: maps merge key by key, anything else replaces, and `null`
 * deletes the key (that is how a values file switches off a chart default).
 */
export function coalesce(base: Obj, overlay: Obj): Obj {
  const out: Obj = { ...base };
  for (const [key, value] of Object.entries(overlay)) {
    if (value === null) delete out[key];
    else if (isMap(value) && isMap(out[key])) out[key] = coalesce(out[key] as Obj, value);
    else out[key] = value;
  }
  return out;
}

function has(value: unknown, keys: readonly string[]): boolean {
  let node = value;
  for (const k of keys) {
    if (isMap(node) && Object.hasOwn(node, k)) node = node[k];
    else if (Array.isArray(node) && /^\d+$/.test(k) && Number(k) < node.length) node = node[Number(k)];
    else return false;
  }
  return true;
}

/** Where the value at `keys` was set last: the topmost layer that has the longest prefix of it. */
export function originOf(
  layers: readonly ValuesLayer[],
  keys: readonly string[],
  options: { key?: boolean } = {},
): { file: string; line: number; column: number } {
  for (let depth = keys.length; depth >= 0; depth--) {
    const prefix = keys.slice(0, depth);
    for (let i = layers.length - 1; i >= 0; i--) {
      const layer = layers[i] as ValuesLayer;
      const origin = layer.origins?.find(
        (o) => o.keys.length <= prefix.length && o.keys.every((k, j) => prefix[j] === k) && depth > 0,
      );
      if (origin) return { file: origin.file, line: origin.line, column: origin.column };
      if (depth > 0 && has(layer.value, prefix) && layer.source) {
        return {
          file: layer.file,
          ...positionOf(layer.source, prefix, { key: options.key === true && depth === keys.length }),
        };
      }
    }
  }
  const top = layers[layers.length - 1];
  return { file: top?.file ?? '', line: top?.source ? 1 : 0, column: top?.source ? 1 : 0 };
}

const VALUES_READ = (root: string) => ({ root, rule: 'render/values-file', allowEmpty: true });

/**
 * Why a values file cannot be used, as a finding at the file: a symlink out of the repository
 * (Argo CD refuses it), over 1 MiB, binary or not UTF-8. Empty is fine (helm reads it as no values).
 */
export async function valueFileProblem(root: string, file: string): Promise<Finding | undefined> {
  const text = await readSourceText(path.join(root, file), file, VALUES_READ(root));
  return text.ok ? undefined : text.finding;
}

/** Reads and parses one values file; a YAML problem is a finding at its line. */
export async function readValuesLayer(
  root: string,
  file: string,
): Promise<{ layer?: ValuesLayer; findings: Finding[] }> {
  const read = await readSourceText(path.join(root, file), file, VALUES_READ(root));
  if (!read.ok) {
    const missing = read.finding.message.includes('does not exist');
    return {
      findings: [
        missing ? { ...read.finding, message: `values file ${file} does not exist.` } : read.finding,
      ],
    };
  }
  const text = read.text;
  if (text.trim() === '' || /^(\s*#.*\n?)*\s*$/.test(text))
    return { layer: { file, value: {} }, findings: [] };
  const parsed = parseYaml(file, text);
  if (!parsed.ok) return { findings: parsed.findings.map((f) => ({ ...f, rule: 'render/values-file' })) };
  if (!isMap(parsed.source.value)) {
    return {
      findings: [
        {
          severity: 'error',
          rule: 'render/values-file',
          message: 'values must be a mapping.',
          file,
          line: 1,
          column: 1,
        },
      ],
    };
  }
  return { layer: { file, value: parsed.source.value, source: parsed.source }, findings: [] };
}

const compiledSchemas = new Map<string, ValidateFunction>();
const valuesAjvOptions = {
  allErrors: true,
  strict: false,
  verbose: true,
  allowUnionTypes: true,
  code: { source: true, lines: false, optimize: 1 },
} as const;

/**
 * A values schema's validator, with the draft it declares (charts use draft-07; 2020-12 also
 * allowed): compiled once into the user's cache and loaded on later renders (ADR 0044).
 */
export function compileValuesSchema(schemaText: string): ValidateFunction {
  const cached = compiledSchemas.get(schemaText);
  if (cached) return cached;
  const schema = JSON.parse(schemaText) as { $schema?: string };
  const draft2020 = schema.$schema?.includes('2020-12') || schema.$schema?.includes('2019-09');
  const validate = schemaValidator(
    {
      schema,
      ajvKey: JSON.stringify([draft2020 ? 'Ajv2020' : 'Ajv', valuesAjvOptions]),
      newAjv: () => {
        const { Ajv, Ajv2020 } = ajvCompiler();
        return draft2020 ? new Ajv2020(valuesAjvOptions) : new Ajv(valuesAjvOptions);
      },
    },
    sharedSchemaCache(),
  );
  compiledSchemas.set(schemaText, validate);
  return validate;
}

function pointerKeys(pointer: string): string[] {
  return pointer === ''
    ? []
    : pointer
        .slice(1)
        .split('/')
        .map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'));
}

function describe(error: ErrorObject): { keys: string[]; key: boolean; message: string } {
  const keys = pointerKeys(error.instancePath);
  const where = keys.length === 0 ? 'values' : keys.join('.');
  const parent = (error.parentSchema ?? {}) as { properties?: Obj; description?: string };
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String(error.params.additionalProperty);
      const allowed = Object.keys(parent.properties ?? {});
      const hint = allowed.length > 0 ? ` Did you mean "${closest(key, allowed)}"?` : '';
      return {
        keys: [...keys, key],
        key: true,
        message: `unknown values key "${[...keys, key].join('.')}".${hint} Allowed in ${where}: ${allowed.join(', ') || 'none'}.`,
      };
    }
    case 'required':
      return {
        keys,
        key: false,
        message: `${where} is missing the required key "${String(error.params.missingProperty)}".`,
      };
    case 'type':
      return {
        keys,
        key: false,
        message: `${where} must be of type ${String(error.params.type)}, not ${JSON.stringify(error.data)}.`,
      };
    case 'enum':
      return {
        keys,
        key: false,
        message: `${where} must be one of ${(error.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}, not ${JSON.stringify(error.data)}.`,
      };
    default:
      return {
        keys,
        key: false,
        message: `${where} ${error.message ?? 'is invalid'} (value ${JSON.stringify(error.data)}).`,
      };
  }
}

/**
 * Validates the merged values against the component's schema; every error points at the values
 * file and line where the offending key was set (the topmost layer that set it).
 */
export function checkValues(
  layers: readonly ValuesLayer[],
  validate: ValidateFunction,
  schemaFile: string,
): Finding[] {
  const merged = layers.reduce<Obj>((acc, l) => coalesce(acc, l.value), {});
  if (validate(merged)) return [];
  const findings: Finding[] = [];
  const seen = new Set<string>();
  for (const error of validate.errors ?? []) {
    if (error.keyword === 'if' || error.keyword === 'anyOf' || error.keyword === 'oneOf') continue;
    const d = describe(error);
    const at = originOf(layers, d.keys, { key: d.key });
    const id = `${at.file}:${at.line}:${d.message}`;
    if (seen.has(id)) continue;
    seen.add(id);
    findings.push({
      severity: 'error',
      rule: 'render/values-schema',
      message: `${d.message} Schema: ${schemaFile}.`,
      ...at,
    });
  }
  return findings;
}

type Where = { file: string; line: number; column: number };

function deepEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Every key path of a values tree with its value (maps and leaves; lists as leaves). */
function* keyPaths(value: unknown, prefix: string[] = []): Generator<[string[], unknown]> {
  if (!isMap(value)) return;
  for (const [k, v] of Object.entries(value)) {
    const p = [...prefix, k];
    yield [p, v];
    yield* keyPaths(v, p);
  }
}

/**
 * Where a value of a rendered chart object was most likely written in the values files: the
 * topmost layer with a key of the same name holding the same value (a map compared whole). A
 * values-file mistake is then reported at the values file line a person edits, not at the chart
 * template it flows through. Undefined when no layer holds it (a template's own literal).
 */
export function valuesLocator(
  layers: readonly ValuesLayer[],
): (object: Record<string, unknown>, path: readonly (string | number)[]) => Where | undefined {
  return (object, path) => {
    const name = path.at(-1);
    if (typeof name !== 'string' || path.length < 2) return undefined;
    // Object names and namespaces come from the release, not from a values key that happens to match.
    if (path[0] === 'metadata' && (name === 'name' || name === 'namespace')) return undefined;
    let node: unknown = object;
    for (const segment of path) {
      if (Array.isArray(node) && typeof segment === 'number') node = node[segment];
      else if (isMap(node) && typeof segment === 'string') node = node[segment];
      else return undefined;
    }
    if (node === undefined || node === null || node === '' || (isMap(node) && Object.keys(node).length === 0))
      return undefined;
    for (let i = layers.length - 1; i >= 0; i--) {
      const layer = layers[i] as ValuesLayer;
      if (!layer.source) continue;
      for (const [keys, value] of keyPaths(layer.value)) {
        if (keys.at(-1) !== name || !deepEqual(value, node)) continue;
        return { file: layer.file, ...positionOf(layer.source, keys) };
      }
    }
    return undefined;
  };
}
