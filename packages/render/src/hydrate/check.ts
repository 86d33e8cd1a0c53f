import type { ComponentLoadResult, LoadedEnvironment } from '@airspark/config';
import type { Finding } from '@airspark/findings';
import { checkHydrationFresh } from './files.js';
import { hydrateEnvironment } from './hydrate-environment.js';

/**
 * The `pnpm validate` check of the hydration: component declarations, expressions, and that
 * the committed clusters/<env>/apps and root.yaml equal a fresh in-memory hydration. No helm run.
 */
export async function hydrationFindings(
  root: string,
  environments: readonly LoadedEnvironment[],
  components: ComponentLoadResult,
): Promise<Finding[]> {
  const perEnv = await Promise.all(
    environments.map(async (env) => {
      const h = await hydrateEnvironment(root, env, components);
      return [...h.findings, ...(await checkHydrationFresh(root, h))];
    }),
  );
  return [...components.findings, ...perEnv.flat()];
}
