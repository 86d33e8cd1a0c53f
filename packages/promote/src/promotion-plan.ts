import type { LoadedEnvironment } from '@airspark/config';
import { Composer, CST, isScalar, Parser, type Scalar, stringify } from 'yaml';
import { type PromotablePin, pinValue } from './promotable-pins.js';

/** One pin `pnpm promote` changes in the target environment. */
export interface PinChange {
  pin: PromotablePin;
  /** The target's value before; undefined when the target lacks the pin. */
  before: string | undefined;
  after: string;
}

/** The chain an environment belongs to, first to last, e.g. ['dev', 'staging', 'prod']. */
export function chainOf(env: string, environments: readonly LoadedEnvironment[]): string[] {
  const from = new Map(environments.map((e) => [e.name, e.environment.promotedFrom]));
  let head = env;
  const seen = new Set([env]);
  for (let up = from.get(head); up !== undefined && !seen.has(up) && from.has(up); up = from.get(up)) {
    seen.add(up);
    head = up;
  }
  const chain = [head];
  for (;;) {
    const last = chain[chain.length - 1];
    const next = environments.find((e) => e.environment.promotedFrom === last && !chain.includes(e.name));
    if (next === undefined) return chain;
    chain.push(next.name);
  }
}

/**
 * Pure: why FROM → TO is not a promotion step, or undefined when it is (TO.promotedFrom is FROM).
 * The message names the chain and the steps to take instead.
 */
export function adjacencyProblem(
  from: LoadedEnvironment,
  to: LoadedEnvironment,
  environments: readonly LoadedEnvironment[],
): string | undefined {
  if (from.name === to.name) return `${from.name} and ${to.name} are the same environment; name two.`;
  const source = to.environment.promotedFrom;
  if (source === from.name) return undefined;
  const chain = chainOf(to.name, environments);
  const shown = chain.length > 1 ? ` The chain is ${chain.join(' → ')}.` : '';
  if (source === undefined) {
    return `cannot promote ${from.name} → ${to.name}: ${to.name} is promoted from no environment (it has no promotedFrom), so it receives no pins.${shown}`;
  }
  const fromIndex = chain.indexOf(from.name);
  const toIndex = chain.indexOf(to.name);
  if (fromIndex !== -1 && fromIndex < toIndex) {
    const steps = chain
      .slice(fromIndex, toIndex)
      .map((name, i) => `\`pnpm promote ${name} ${chain[fromIndex + i + 1]}\``)
      .join(', then ');
    return `cannot promote ${from.name} → ${to.name}: ${to.name} is promoted from ${source}, not ${from.name}.${shown} Promote one step at a time: ${steps}.`;
  }
  if (fromIndex !== -1 && fromIndex > toIndex) {
    return `cannot promote ${from.name} → ${to.name}: that is against the chain (${chain.join(' → ')}); pins only move forward. To roll ${to.name} back, set its pins by hand.`;
  }
  return `cannot promote ${from.name} → ${to.name}: ${to.name} is promoted from ${source}, not ${from.name}.${shown}`;
}

/** Pure: the pins whose value differs between FROM and TO, in schema order. */
export function planPromotion(
  from: LoadedEnvironment,
  to: LoadedEnvironment,
  pins: readonly PromotablePin[],
): PinChange[] {
  const changes: PinChange[] = [];
  for (const pin of pins) {
    const after = pinValue(from.environment, pin);
    // A pin FROM does not set (an optional one) is not promoted: absence is not a value to copy.
    if (after === undefined) continue;
    const before = pinValue(to.environment, pin);
    if (before !== after) changes.push({ pin, before, after });
  }
  return changes;
}

/** A new value's scalar style: quoted when plain YAML would read it as something else than that string. */
function quotingFor(value: string): { type?: Scalar.Type } {
  const shown = stringify(value).trim();
  if (shown.startsWith('"')) return { type: 'QUOTE_DOUBLE' };
  if (shown.startsWith("'")) return { type: 'QUOTE_SINGLE' };
  return {};
}

/**
 * Pure: `text` with each change's scalar replaced in place through the YAML concrete syntax tree,
 * so that every other byte (comments, blank lines, flow style, quoting of other values) is kept.
 * Throws when a pin is absent from the text: adding keys by hand-picked formatting is the user's call.
 */
export function applyPinChanges(text: string, file: string, changes: readonly PinChange[]): string {
  const tokens = [...new Parser().parse(text)];
  const [document] = [...new Composer({ keepSourceTokens: true }).compose(tokens)];
  if (document === undefined || document.errors.length > 0) {
    throw new Error(`${file} does not parse; run \`pnpm validate\` to see why.`);
  }
  for (const change of changes) {
    const node = document.getIn(change.pin.path, true);
    if (!isScalar(node) || node.srcToken === undefined) {
      throw new MissingPinError(file, change);
    }
    CST.setScalarValue(node.srcToken, change.after, quotingFor(change.after));
  }
  return tokens.map((token) => CST.stringify(token)).join('');
}

export class MissingPinError extends Error {
  override name = 'MissingPinError';
  constructor(
    readonly file: string,
    readonly change: PinChange,
  ) {
    super(
      `${file} has no ${change.pin.id}, so promote cannot set it without choosing where it goes; add \`${change.pin.id}: ${change.after}\` by hand and run promote again.`,
    );
  }
}
