import { loadEnvironments } from '@airspark/config';
import type { Finding } from '@airspark/findings';
import { checkPromotionInvariants } from './invariants.js';
import { environmentPins } from './promotable-pins.js';
import { loadReleaseLog } from './release-log.js';

/**
 * The promotion part of `pnpm validate`: loads every environment (an environment is judged against
 * the one it is promoted from, whether or not that one was asked for) and the release log, and
 * returns the findings that concern the requested environments. Schema problems of the
 * environments themselves are the loader's to report, so they are not repeated here.
 */
export async function validatePromotion(root: string, requested: readonly string[]): Promise<Finding[]> {
  const pins = environmentPins();
  const [{ environments }, { log, findings: logFindings }] = await Promise.all([
    loadEnvironments(root),
    loadReleaseLog(root, pins),
  ]);
  const findings = checkPromotionInvariants(environments, log, pins).filter(
    (f) => f.env === undefined || requested.includes(f.env),
  );
  return [...logFindings, ...findings];
}
