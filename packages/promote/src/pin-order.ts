import semver from 'semver';
import type { PromotablePin } from './promotable-pins.js';
import { type ReleaseLog, recordedIndex } from './release-log.js';

/**
 * Where a pin's value in an environment stands against the value in the environment it is
 * promoted from:
 * - `same`: equal values.
 * - `behind`: an older value; promotion will move it on (drift, not a problem).
 * - `ahead`: a newer value than the source has: the environment runs something its source never
 *   proved, or the source rolled back.
 * - `unreleased`: a value that never went through the source (not in the release log, and not the
 *   value the chain head holds now), so it cannot have been promoted.
 * - `incomparable`: the source's own value cannot be placed (its problem, reported on it), or two
 *   semantic versions that differ only in build metadata.
 */
export type Standing = 'same' | 'behind' | 'ahead' | 'unreleased' | 'incomparable';

export interface OrderContext {
  log: ReleaseLog;
  /**
   * The value the chain head (the first environment of the promotion chain) holds now. New values
   * enter the chain there, so the head's current value counts as the newest release even before
   * `pnpm promote` records it.
   */
  headValue: string | undefined;
}

function recordedPosition(pin: PromotablePin, value: string, context: OrderContext): number | undefined {
  const index = recordedIndex(context.log, pin.id, value);
  if (index !== undefined) return index;
  return value === context.headValue ? Number.POSITIVE_INFINITY : undefined;
}

/** Pure: the standing of `value` (in the environment) against `sourceValue` (in its source). */
export function standingOf(
  pin: PromotablePin,
  value: string,
  sourceValue: string,
  context: OrderContext,
): Standing {
  if (value === sourceValue) return 'same';
  if (pin.order === 'semver') {
    const a = semver.parse(value);
    const b = semver.parse(sourceValue);
    // The schema only admits semantic versions here; an unparsable one was reported by the schema.
    if (a === null || b === null) return 'incomparable';
    const order = semver.compare(a, b);
    return order > 0 ? 'ahead' : order < 0 ? 'behind' : 'incomparable';
  }
  const mine = recordedPosition(pin, value, context);
  if (mine === undefined) return 'unreleased';
  const theirs = recordedPosition(pin, sourceValue, context);
  if (theirs === undefined) return 'incomparable';
  return mine > theirs ? 'ahead' : 'behind';
}
