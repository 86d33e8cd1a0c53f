import type { ErrorObject } from 'ajv';
import { closest } from 'fastest-levenshtein';
import { dottedPath } from '../finding-at.js';
import type { ObjectPath } from '../model.js';

/** One schema problem, ready to become a finding. */
export interface SchemaProblem {
  kind: 'unknown-field' | 'invalid';
  path: ObjectPath;
  message: string;
}

function pathOf(instancePath: string, data: unknown): (string | number)[] {
  if (instancePath === '') return [];
  const out: (string | number)[] = [];
  let node: unknown = data;
  for (const raw of instancePath.slice(1).split('/')) {
    const segment = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    const index = Array.isArray(node) && /^\d+$/.test(segment) ? Number(segment) : undefined;
    out.push(index ?? segment);
    node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[segment] : undefined;
  }
  return out;
}

function valueAt(data: unknown, path: readonly (string | number)[]): unknown {
  let node = data;
  for (const segment of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string | number, unknown>)[segment];
  }
  return node;
}

function show(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(value ?? null);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

const structural = new Set(['anyOf', 'oneOf', 'allOf', 'if', 'then', 'else', 'not']);

/** Types allowed at a path, gathered from the `type` errors of every branch there. */
function allowedTypes(errors: readonly ErrorObject[]): string[] {
  const types = new Set<string>();
  for (const e of errors) {
    const t = e.params.type as string | string[];
    for (const one of Array.isArray(t) ? t : [t]) if (one !== 'null') types.add(one);
  }
  return [...types];
}

/**
 * Turns ajv's errors into one problem per place. Nullable fields and int-or-string unions make ajv
 * report every branch that failed (`must be null`, `must match anyOf`); only the branch that
 * explains the mistake is kept.
 */
export function describeErrors(
  errors: readonly ErrorObject[],
  data: unknown,
  declaredFields: (path: ObjectPath) => string[] = () => [],
): SchemaProblem[] {
  const paths = errors.map((e) => e.instancePath);
  const hasDeeperOrSame = (e: ErrorObject) =>
    errors.some(
      (other) =>
        other !== e &&
        !structural.has(other.keyword) &&
        // A mistake deeper down (of any kind, a wrong type included) explains a parent's failed
        // `null` branch; at the same place only a non-type problem does.
        (other.instancePath.startsWith(`${e.instancePath}/`) ||
          (other.instancePath === e.instancePath && other.keyword !== 'type')),
    );
  const byPath = new Map<string, ErrorObject[]>();
  errors.forEach((e, i) => {
    if (structural.has(e.keyword)) return;
    if (e.keyword === 'type' && hasDeeperOrSame(e)) return;
    const list = byPath.get(paths[i] as string) ?? [];
    list.push(e);
    byPath.set(paths[i] as string, list);
  });
  const problems: SchemaProblem[] = [];
  const seen = new Set<string>();
  for (const [instancePath, list] of byPath) {
    const path = pathOf(instancePath, data);
    const where = dottedPath(path);
    const value = valueAt(data, path);
    const typeErrors = list.filter((e) => e.keyword === 'type');
    if (typeErrors.length > 0 && typeErrors.length === list.length) {
      const allowed = allowedTypes(typeErrors);
      if (allowed.length === 0) continue; // only the null branch of a nullable field failed
      problems.push({
        kind: 'invalid',
        path,
        message: `${where} must be ${allowed.join(' or ')}, not ${typeName(value)} ${show(value)}.`,
      });
      continue;
    }
    for (const e of list) {
      if (e.keyword === 'type') continue;
      const problem = describeOne(e, path, where, value, declaredFields);
      const key = `${problem.kind}:${dottedPath(problem.path)}:${problem.message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      problems.push(problem);
    }
  }
  return problems;
}

function describeOne(
  e: ErrorObject,
  path: (string | number)[],
  where: string,
  value: unknown,
  declaredFields: (path: ObjectPath) => string[],
): SchemaProblem {
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String(e.params.additionalProperty);
      const declared = declaredFields(path);
      const suggestion = declared.length > 0 ? closest(key, declared) : undefined;
      const hint =
        declared.length === 0
          ? ' This object takes no fields.'
          : suggestion && suggestion !== key
            ? ` Did you mean "${suggestion}"?`
            : '';
      return {
        kind: 'unknown-field',
        path: [...path, key],
        message: `unknown field "${key}" in ${where}.${hint}`,
      };
    }
    case 'required':
      return {
        kind: 'invalid',
        path,
        message: `${where} is missing the required field "${String(e.params.missingProperty)}".`,
      };
    case 'enum': {
      const allowed = (e.params.allowedValues as unknown[]).filter((v) => v !== null);
      return {
        kind: 'invalid',
        path,
        message: `${where} must be one of ${allowed.map(show).join(', ')}, not ${show(value)}.`,
      };
    }
    case 'pattern':
      return {
        kind: 'invalid',
        path,
        message: `${where} has an invalid value ${show(value)} (must match ${String(e.params.pattern)}).`,
      };
    default:
      return { kind: 'invalid', path, message: `${where} ${e.message ?? 'is invalid'} (is ${show(value)}).` };
  }
}
