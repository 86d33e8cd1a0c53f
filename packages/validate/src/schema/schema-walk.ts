import type { ObjectPath } from '../model.js';
import { type JsonSchema, LIST_MAP_KEYS } from './convert.js';
import { DEFINITIONS_REF_PREFIX } from './kubernetes-spec.js';

type Definitions = Record<string, unknown>;

/** The concrete schemas a schema stands for: references followed, unions and intersections opened. */
function expand(schema: unknown, definitions: Definitions, depth = 0): JsonSchema[] {
  if (schema === null || typeof schema !== 'object' || depth > 20) return [];
  const s = schema as JsonSchema;
  if (typeof s.$ref === 'string') {
    const target = s.$ref.startsWith(DEFINITIONS_REF_PREFIX)
      ? definitions[s.$ref.slice(DEFINITIONS_REF_PREFIX.length)]
      : undefined;
    return expand(target, definitions, depth + 1);
  }
  const out: JsonSchema[] = [s];
  for (const logic of ['anyOf', 'oneOf', 'allOf'] as const) {
    const branches = s[logic];
    if (Array.isArray(branches)) for (const b of branches) out.push(...expand(b, definitions, depth + 1));
  }
  return out;
}

function step(
  schemas: readonly JsonSchema[],
  segment: string | number,
  definitions: Definitions,
): JsonSchema[] {
  const next: JsonSchema[] = [];
  for (const s of schemas) {
    if (typeof segment === 'number') {
      if (s.items !== undefined) next.push(...expand(s.items, definitions));
      continue;
    }
    const properties = s.properties as Record<string, unknown> | undefined;
    if (properties && properties[segment] !== undefined)
      next.push(...expand(properties[segment], definitions));
    else if (s.additionalProperties && typeof s.additionalProperties === 'object')
      next.push(...expand(s.additionalProperties, definitions));
  }
  return next;
}

/** The schemas that apply at `path` inside a value validated by `root`. */
export function schemasAt(root: unknown, path: ObjectPath, definitions: Definitions): JsonSchema[] {
  let current = expand(root, definitions);
  for (const segment of path) {
    current = step(current, segment, definitions);
    if (current.length === 0) break;
  }
  return current;
}

/** Field names declared at `path` (to suggest the intended one for an unknown field). */
export function declaredFieldsAt(root: unknown, path: ObjectPath, definitions: Definitions): string[] {
  const names = new Set<string>();
  for (const s of schemasAt(root, path, definitions)) {
    for (const name of Object.keys((s.properties as object | undefined) ?? {})) names.add(name);
  }
  return [...names];
}

/**
 * Where list-maps (lists whose entries are identified by key fields: containers by name, ports by
 * port and protocol) occur below a schema. Only the branches that lead to one are kept, so that
 * checking an object walks little more than those paths.
 */
export interface ListMapPlan {
  keys?: readonly string[];
  properties?: Record<string, ListMapPlan>;
  /** Entries of a map (`additionalProperties`). */
  values?: ListMapPlan;
  items?: ListMapPlan;
}

export function listMapPlan(root: unknown, definitions: Definitions): ListMapPlan | undefined {
  const memo = new Map<string, ListMapPlan | undefined>();
  const onStack = new Set<string>();

  function planOf(schema: unknown, depth: number): ListMapPlan | undefined {
    if (schema === null || typeof schema !== 'object' || depth > 60) return undefined;
    const s = schema as JsonSchema;
    if (typeof s.$ref === 'string') {
      const name = s.$ref.slice(DEFINITIONS_REF_PREFIX.length);
      if (memo.has(name)) return memo.get(name);
      // A recursive type (JSONSchemaProps) holds no list-map of its own below its first level.
      if (onStack.has(name)) return undefined;
      onStack.add(name);
      const plan = planOf(definitions[name], depth + 1);
      onStack.delete(name);
      memo.set(name, plan);
      return plan;
    }
    const plan: ListMapPlan = {};
    let useful = false;
    const merge = (other: ListMapPlan | undefined) => {
      if (!other) return;
      useful = true;
      if (other.keys) plan.keys = other.keys;
      if (other.items) plan.items = other.items;
      if (other.values) plan.values = other.values;
      if (other.properties) plan.properties = { ...plan.properties, ...other.properties };
    };
    if (Array.isArray(s[LIST_MAP_KEYS])) {
      plan.keys = s[LIST_MAP_KEYS] as string[];
      useful = true;
    }
    for (const logic of ['anyOf', 'oneOf', 'allOf'] as const) {
      const branches = s[logic];
      if (Array.isArray(branches)) for (const b of branches) merge(planOf(b, depth + 1));
    }
    const properties = s.properties as Record<string, unknown> | undefined;
    if (properties) {
      for (const [name, child] of Object.entries(properties)) {
        const childPlan = planOf(child, depth + 1);
        if (childPlan) {
          plan.properties = { ...plan.properties, [name]: childPlan };
          useful = true;
        }
      }
    }
    if (s.additionalProperties && typeof s.additionalProperties === 'object') {
      const values = planOf(s.additionalProperties, depth + 1);
      if (values) {
        plan.values = values;
        useful = true;
      }
    }
    if (s.items !== undefined) {
      const items = planOf(s.items, depth + 1);
      if (items) {
        plan.items = items;
        useful = true;
      }
    }
    return useful ? plan : undefined;
  }

  return planOf(root, 0);
}

export interface DuplicateEntry {
  /** Path of the second entry with the same key. */
  path: (string | number)[];
  /** `name="app"` */
  key: string;
  firstIndex: number;
}

/** Entries of list-maps that repeat the key of an earlier entry. */
export function findDuplicateListEntries(value: unknown, plan: ListMapPlan | undefined): DuplicateEntry[] {
  const found: DuplicateEntry[] = [];
  const walk = (node: unknown, p: ListMapPlan, path: (string | number)[]) => {
    if (Array.isArray(node)) {
      if (p.keys) {
        const seen = new Map<string, number>();
        node.forEach((entry, index) => {
          if (entry === null || typeof entry !== 'object') return;
          const key = (p.keys as readonly string[])
            .map((k) => `${k}=${JSON.stringify((entry as Record<string, unknown>)[k] ?? null)}`)
            .join(',');
          const first = seen.get(key);
          if (first === undefined) seen.set(key, index);
          else found.push({ path: [...path, index], key, firstIndex: first });
        });
      }
      const items = p.items;
      if (items) {
        node.forEach((entry, index) => {
          walk(entry, items, [...path, index]);
        });
      }
      return;
    }
    if (node === null || typeof node !== 'object') return;
    const record = node as Record<string, unknown>;
    if (p.properties) {
      for (const [name, childPlan] of Object.entries(p.properties)) {
        if (record[name] !== undefined) walk(record[name], childPlan, [...path, name]);
      }
    }
    if (p.values) {
      for (const [name, child] of Object.entries(record)) walk(child, p.values, [...path, name]);
    }
  };
  if (plan) walk(value, plan, []);
  return found;
}
