import type { ComponentLoadResult, LoadedEnvironment } from '@airspark/config';
import type { Finding } from '@airspark/findings';
import { checkHydrationFresh } from './files.js';
import { type Hydration, hydrateEnvironment } from './hydrate-environment.js';

/**
 * The `pnpm validate` check of the hydration: component declarations, expressions, and that
 * the committed clusters/<env>/apps and root.yaml equal a fresh in-memory hydration. No helm run.
 * `hydrations` (by environment name) are the caller's own in-memory hydrations of these environments,
 * made from the same components, so that one command run hydrates each environment once.
 */
export async function hydrationFindings(
  root: string,
  environments: readonly LoadedEnvironment[],
  components: ComponentLoadResult,
  hydrations: ReadonlyMap<string, Hydration> = new Map(),
): Promise<Finding[]> {
  const perEnv = await Promise.all(
    environments.map(async (env) => {
      const h = hydrations.get(env.name) ?? (await hydrateEnvironment(root, env, components));
      return [...h.findings, ...(await checkHydrationFresh(root, h))];
    }),
  );
  return [...components.findings, ...perEnv.flat()];
}
