import type { Environment } from './environment.js';
import type { PlatformNames } from './platform-names.js';

/**
 * What an expression of a component declaration can read: the environment, the shared names
 * derived from it, and the infrastructure hand-off (`clusters/<env>/infra-outputs.json`), which is
 * absent until the infrastructure has been deployed once.
 */
export interface ExpressionScope {
  environment: Environment;
  names: PlatformNames;
  infra: Record<string, unknown> | undefined;
}

export type Resolved =
  | { ok: true; value: unknown }
  /** `infra.*` asked for while the hand-off (or that key) does not exist yet: not a mistake in the file. */
  | { ok: false; kind: 'infra-missing'; message: string }
  | { ok: false; kind: 'not-found'; message: string };

type Segment = { key: string } | { index: number } | { all: true };

/** `spark.teams[*].namespace` -> key spark, key teams, all, key namespace. */
export function parseExpression(expression: string): Segment[] {
  const segments: Segment[] = [];
  for (const match of expression.matchAll(/([^.[\]]+)|\[(\d+|\*)\]/g)) {
    if (match[1] !== undefined) segments.push({ key: match[1] });
    else if (match[2] === '*') segments.push({ all: true });
    else segments.push({ index: Number(match[2]) });
  }
  return segments;
}

function walk(value: unknown, segments: readonly Segment[]): { found: boolean; value?: unknown } {
  if (segments.length === 0) return { found: true, value };
  const [head, ...rest] = segments as [Segment, ...Segment[]];
  if ('all' in head) {
    if (!Array.isArray(value)) return { found: false };
    const items = value.map((item) => walk(item, rest));
    if (items.some((i) => !i.found)) return { found: false };
    return { found: true, value: items.map((i) => i.value) };
  }
  if ('index' in head) {
    if (!Array.isArray(value) || head.index >= value.length) return { found: false };
    return walk(value[head.index], rest);
  }
  if (
    value === null ||
    typeof value !== 'object' ||
    Array.isArray(value) ||
    !Object.hasOwn(value, head.key)
  ) {
    return { found: false };
  }
  return walk((value as Record<string, unknown>)[head.key], rest);
}

/** Resolves one expression against the scope. Pure: the caller reads the files. */
export function resolveExpression(expression: string, scope: ExpressionScope): Resolved {
  const [root, ...path] = parseExpression(expression);
  if (!root || !('key' in root))
    return { ok: false, kind: 'not-found', message: `"${expression}" is not a path` };
  if (root.key === 'names') {
    const r = walk(scope.names, path);
    return r.found
      ? { ok: true, value: r.value }
      : {
          ok: false,
          kind: 'not-found',
          message: `"${expression}" names no shared name; known: ${Object.keys(scope.names)
            .map((k) => `names.${k}`)
            .join(', ')}`,
        };
  }
  if (root.key === 'infra') {
    if (scope.infra === undefined) {
      return {
        ok: false,
        kind: 'infra-missing',
        message: `"${expression}" needs clusters/${scope.environment.name}/infra-outputs.json, which does not exist yet (written after the infrastructure is deployed)`,
      };
    }
    const r = walk(scope.infra, path);
    return r.found
      ? { ok: true, value: r.value }
      : {
          ok: false,
          kind: 'infra-missing',
          message: `"${expression}" is not in clusters/${scope.environment.name}/infra-outputs.json (keys: ${Object.keys(scope.infra).join(', ') || 'none'})`,
        };
  }
  const r = walk(scope.environment, [root, ...path]);
  return r.found
    ? { ok: true, value: r.value }
    : {
        ok: false,
        kind: 'not-found',
        message: `"${expression}" names nothing in clusters/${scope.environment.name}/environment.yaml`,
      };
}

/**
 * Splits a values path into keys: dots separate keys, `\.` is a dot inside a key (helm's `--set`
 * convention), so `podAnnotations.eks\.amazonaws\.com/role` is two keys.
 */
export function splitValuesPath(valuesPath: string): string[] {
  const keys: string[] = [];
  let current = '';
  for (let i = 0; i < valuesPath.length; i++) {
    const c = valuesPath[i];
    if (c === '\\' && valuesPath[i + 1] === '.') {
      current += '.';
      i++;
    } else if (c === '.') {
      keys.push(current);
      current = '';
    } else current += c;
  }
  keys.push(current);
  return keys;
}

/** Sets `keys` in a nested object, creating maps on the way (the shape helm's --set produces). */
export function setIn(target: Record<string, unknown>, keys: readonly string[], value: unknown): void {
  let node = target;
  keys.forEach((key, i) => {
    if (i === keys.length - 1) {
      node[key] = value;
      return;
    }
    const next = node[key];
    if (next === null || typeof next !== 'object' || Array.isArray(next)) node[key] = {};
    node = node[key] as Record<string, unknown>;
  });
}
