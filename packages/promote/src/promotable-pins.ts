import { environmentSchema } from '@airspark/config';

/**
 * How the promotion check orders two values of a pin: by semantic version (chart versions), or by
 * the order recorded in the release log (image tags and revisions, whose names carry no order).
 */
export type PinOrder = 'semver' | 'recorded';

/** A setting that `pnpm promote` copies from one environment to the next. */
export interface PromotablePin {
  /** Dotted path, e.g. `components.livy.image.tag`: the name users see and write in exceptions. */
  id: string;
  path: readonly string[];
  order: PinOrder;
}

interface SchemaNode {
  type?: unknown;
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
  'x-airspark-promotable'?: boolean;
  'x-airspark-order'?: string;
}

function orderOf(node: SchemaNode, id: string): PinOrder {
  const order = node['x-airspark-order'] ?? 'recorded';
  if (order !== 'semver' && order !== 'recorded') {
    throw new Error(`schema: ${id} has x-airspark-order "${order}"; use "semver" or "recorded".`);
  }
  return order;
}

function collect(node: SchemaNode, path: string[], into: PromotablePin[]): void {
  const id = path.join('.');
  if (node['x-airspark-promotable'] === true) {
    into.push({ id, path, order: orderOf(node, id) });
    return;
  }
  if (node['x-airspark-order'] !== undefined) {
    throw new Error(`schema: ${id} has x-airspark-order but is not x-airspark-promotable.`);
  }
  for (const [key, child] of Object.entries(node.properties ?? {})) collect(child, [...path, key], into);
  // A pin inside a list would need an element identity to copy by; no such pin exists, so refuse
  // loudly rather than silently skip one if the schema ever grows it.
  if (node.items && hasPromotable(node.items)) {
    throw new Error(`schema: ${id} is a list with promotable pins inside; promotion cannot copy those.`);
  }
}

function hasPromotable(node: SchemaNode): boolean {
  return (
    node['x-airspark-promotable'] === true ||
    Object.values(node.properties ?? {}).some(hasPromotable) ||
    (node.items !== undefined && hasPromotable(node.items))
  );
}

/**
 * Every promotable pin, derived from the `x-airspark-promotable` annotations of a schema (the
 * environment schema by default), in the schema's declaration order. Never a hand-written list:
 * marking a new setting promotable in the schema is all it takes for promote and validate to follow.
 */
export function promotablePins(schema: object = environmentSchema): PromotablePin[] {
  const pins: PromotablePin[] = [];
  collect(schema as SchemaNode, [], pins);
  return pins;
}

let defaultPins: PromotablePin[] | undefined;

/** The pins of the environment schema, derived once per process. */
export function environmentPins(): PromotablePin[] {
  defaultPins ??= promotablePins();
  return defaultPins;
}

/** The value at a path of a plain object, or undefined when any step is missing. */
export function valueAt(value: unknown, path: readonly string[]): unknown {
  let current = value;
  for (const key of path) {
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** A pin's value as the string the schema requires, or undefined when the environment lacks it. */
export function pinValue(environment: unknown, pin: PromotablePin): string | undefined {
  const value = valueAt(environment, pin.path);
  return value === undefined || value === null ? undefined : String(value);
}
