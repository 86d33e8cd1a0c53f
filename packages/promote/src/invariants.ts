import { type LoadedEnvironment, positionOf } from '@airspark/config';
import type { Finding } from '@airspark/findings';
import { closest } from 'fastest-levenshtein';
import { type OrderContext, type Standing, standingOf } from './pin-order.js';
import { environmentPins, type PromotablePin, pinValue } from './promotable-pins.js';
import { RELEASE_LOG_FILE, type ReleaseLog } from './release-log.js';

/** Rule ids, documented in docs/promotion.md. */
export const rules = {
  ahead: 'promotion/ahead-of-source',
  drift: 'promotion/drift',
  exception: 'promotion/exception',
  staleException: 'promotion/stale-exception',
  releaseLog: 'promotion/release-log',
} as const;

/** One line per rule, for reports that describe their rules (SARIF). */
export const ruleSummaries: readonly { id: string; summary: string }[] = [
  {
    id: rules.ahead,
    summary: 'no environment is ahead of the one it is promoted from, unless an exception says why',
  },
  {
    id: rules.drift,
    summary: 'the pins in which an environment differs from its source, for the next promotion',
  },
  {
    id: rules.exception,
    summary: 'promotion exceptions name a promotable pin of an environment that has a source',
  },
  { id: rules.staleException, summary: 'promotion exceptions still apply to the value they name' },
  { id: rules.releaseLog, summary: 'clusters/releases.yaml names release-ordered pins, each value once' },
];

interface PromotionException {
  pin: string;
  value: string;
  reason: string;
}

function exceptionsOf(env: LoadedEnvironment): PromotionException[] {
  return (env.environment as { promotionExceptions?: PromotionException[] }).promotionExceptions ?? [];
}

/** The first environment of the chain `env` belongs to (itself when it is promoted from nothing). */
export function chainHead(
  env: LoadedEnvironment,
  byName: ReadonlyMap<string, LoadedEnvironment>,
): LoadedEnvironment {
  let current = env;
  const seen = new Set([env.name]);
  for (;;) {
    const from = current.environment.promotedFrom;
    const next = from === undefined ? undefined : byName.get(from);
    if (next === undefined || seen.has(next.name)) return current;
    seen.add(next.name);
    current = next;
  }
}

interface Difference {
  pin: PromotablePin;
  value: string;
  sourceValue: string;
  standing: Standing;
  exception?: PromotionException;
}

function describeAhead(d: Difference, env: string, from: string, log: ReleaseLog): string {
  const { pin, value, sourceValue } = d;
  const fix = `Bump ${from} first and run \`pnpm promote ${from} ${env}\`, or add a promotionExceptions entry (pin, value, reason) to ${env} if this is deliberate.`;
  if (d.standing === 'unreleased') {
    return `${pin.id} is "${value}" in ${env}, a value never released through ${from} (${from} has "${sourceValue}"; "${value}" is not in ${log.file}). ${env} may only receive what ${from} ran. ${fix}`;
  }
  const how = pin.order === 'semver' ? 'a higher version than' : `recorded in ${RELEASE_LOG_FILE} after`;
  return `${pin.id} is "${value}" in ${env}, ${how} "${sourceValue}" in ${from}, which ${env} is promoted from: ${env} may not run ahead of ${from}. ${fix}`;
}

function checkExceptions(
  env: LoadedEnvironment,
  pins: readonly PromotablePin[],
  differences: Difference[] | undefined,
): Finding[] {
  const findings: Finding[] = [];
  const ids = pins.map((p) => p.id);
  exceptionsOf(env).forEach((exception, index) => {
    const at = (key: string) => positionOf(env.source, ['promotionExceptions', String(index), key]);
    const base = { file: env.file, env: env.name };
    if (env.environment.promotedFrom === undefined) {
      findings.push({
        ...base,
        ...at('pin'),
        severity: 'error',
        rule: rules.exception,
        message: `${env.name} is promoted from no environment, so a promotion exception means nothing here; remove it.`,
      });
      return;
    }
    if (!ids.includes(exception.pin)) {
      findings.push({
        ...base,
        ...at('pin'),
        severity: 'error',
        rule: rules.exception,
        message: `"${exception.pin}" is not a promotable pin. Did you mean "${closest(exception.pin, ids)}"? Promotable pins: ${ids.join(', ')}.`,
      });
      return;
    }
    // Without the source loaded there is nothing to say whether the exception is still needed.
    if (differences === undefined || differences.some((d) => d.exception === exception)) return;
    const pin = pins.find((p) => p.id === exception.pin) as PromotablePin;
    const current = pinValue(env.environment, pin);
    const message =
      current !== exception.value
        ? `the exception for ${exception.pin} names "${exception.value}" but ${env.name} now has "${current}"; it no longer applies, remove it.`
        : `the exception for ${exception.pin} = "${exception.value}" is not needed: ${env.name} is not ahead of ${env.environment.promotedFrom} there; remove it.`;
    findings.push({ ...base, ...at('value'), severity: 'warning', rule: rules.staleException, message });
  });
  return findings;
}

function driftFinding(env: LoadedEnvironment, from: string, differences: readonly Difference[]): Finding {
  const describe = (d: Difference) => {
    const note =
      d.standing === 'behind'
        ? 'behind'
        : d.exception
          ? `ahead by exception: ${d.exception.reason}`
          : d.standing === 'incomparable'
            ? 'differs'
            : 'ahead';
    return `${d.pin.id} ${d.value} → ${d.sourceValue} (${note})`;
  };
  const behind = differences.filter((d) => d.standing === 'behind').length;
  const next =
    behind > 0 ? ` \`pnpm promote ${from} ${env.name}\` brings ${behind === 1 ? 'it' : 'them'} level.` : '';
  return {
    severity: 'warning',
    rule: rules.drift,
    message: `${env.name} differs from ${from} on ${differences.length} pin${differences.length === 1 ? '' : 's'}: ${differences.map(describe).join('; ')}.${next}`,
    file: env.file,
    ...positionOf(env.source, ['promotedFrom']),
    env: env.name,
  };
}

/**
 * Pure: the promotion invariants over loaded environments. For each environment promoted from
 * another, every promotable pin must not be ahead of the source (semantic version for charts,
 * release-log order for the rest) unless an exception names that exact value with a reason; the
 * pins that differ are reported as drift (a warning). Environments whose source is not among
 * `environments` are skipped: load the whole chain to check it.
 */
export function checkPromotionInvariants(
  environments: readonly LoadedEnvironment[],
  log: ReleaseLog,
  pins: readonly PromotablePin[] = environmentPins(),
): Finding[] {
  const byName = new Map(environments.map((e) => [e.name, e]));
  const findings: Finding[] = [];
  for (const env of environments) {
    const fromName = env.environment.promotedFrom;
    const from = fromName === undefined ? undefined : byName.get(fromName);
    const differences: Difference[] = [];
    if (from !== undefined && from.name !== env.name) {
      const head = chainHead(env, byName);
      for (const pin of pins) {
        const value = pinValue(env.environment, pin);
        const sourceValue = pinValue(from.environment, pin);
        if (value === undefined || sourceValue === undefined) continue;
        const context: OrderContext = { log, headValue: pinValue(head.environment, pin) };
        const standing = standingOf(pin, value, sourceValue, context);
        if (standing === 'same') continue;
        const exception = exceptionsOf(env).find((e) => e.pin === pin.id && e.value === value);
        const difference: Difference = { pin, value, sourceValue, standing };
        if ((standing === 'ahead' || standing === 'unreleased') && exception)
          difference.exception = exception;
        differences.push(difference);
        if ((standing === 'ahead' || standing === 'unreleased') && !exception) {
          findings.push({
            severity: 'error',
            rule: rules.ahead,
            message: describeAhead(difference, env.name, from.name, log),
            file: env.file,
            ...positionOf(env.source, pin.path),
            env: env.name,
          });
        }
      }
      if (differences.length > 0) findings.push(driftFinding(env, from.name, differences));
    }
    const compared = from !== undefined || fromName === undefined;
    findings.push(...checkExceptions(env, pins, compared ? differences : undefined));
  }
  return findings;
}
