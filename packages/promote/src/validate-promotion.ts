import { type LoadedEnvironment, listEnvironmentNames, loadEnvironment } from '@airspark/config';
import type { Finding } from '@airspark/findings';
import { checkPromotionInvariants } from './invariants.js';
import { environmentPins } from './promotable-pins.js';
import { loadReleaseLog } from './release-log.js';

/**
 * The promotion part of `pnpm validate`: loads every environment (an environment is judged against
 * the one it is promoted from, whether or not that one was asked for) and the release log, and
 * returns the findings that concern the requested environments. Schema problems of the
 * environments themselves are the loader's to report, so they are not repeated here. Environments
 * the caller has loaded already are passed in `loaded` and not read again (validate runs before
 * every commit; each file read and schema check counts).
 */
export async function validatePromotion(
  root: string,
  requested: readonly string[],
  loaded: readonly LoadedEnvironment[] = [],
): Promise<Finding[]> {
  const pins = environmentPins();
  const have = new Set(loaded.map((e) => e.name));
  const [names, { log, findings: logFindings }] = await Promise.all([
    listEnvironmentNames(root),
    loadReleaseLog(root, pins),
  ]);
  const missing = await Promise.all(names.filter((n) => !have.has(n)).map((n) => loadEnvironment(root, n)));
  const environments = [...loaded, ...missing.flatMap((m) => (m.environment ? [m.environment] : []))];
  const findings = checkPromotionInvariants(environments, log, pins).filter(
    (f) => f.env === undefined || requested.includes(f.env),
  );
  return [...logFindings, ...findings];
}
