// Which locally built images an environment uses: every {repository, tag} in environment.yaml whose
// repository is in the local image registry (airspark.local/…), outside disabled components
// (`enabled: false`), matched to the image.yaml recipe that builds it. Pure.
import { IMAGE_REGISTRY, type ImageRecipe, imageRef } from '@airspark/kube';

export function localImageRefs(environment: unknown): string[] {
  const refs = new Set<string>();
  const visit = (node: unknown) => {
    if (Array.isArray(node)) node.forEach(visit);
    else if (node && typeof node === 'object') {
      const o = node as Record<string, unknown>;
      if (o.enabled === false) return;
      if (
        typeof o.repository === 'string' &&
        o.repository.startsWith(`${IMAGE_REGISTRY}/`) &&
        (typeof o.tag === 'string' || typeof o.tag === 'number')
      )
        refs.add(`${o.repository}:${o.tag}`);
      Object.values(o).forEach(visit);
    }
  };
  visit(environment);
  return [...refs].sort();
}

/** The recipes for `refs`; throws naming each image no recipe builds, and what to do. */
export function recipesFor(refs: readonly string[], recipes: Iterable<ImageRecipe>): ImageRecipe[] {
  const byRef = new Map([...recipes].map((r) => [imageRef(r), r]));
  const missing = refs.filter((ref) => !byRef.has(ref));
  if (missing.length > 0) {
    const known = [...byRef.keys()].sort().join(', ') || 'none';
    throw new Error(
      `no image.yaml recipe builds ${missing.join(', ')} (recipes build: ${known}); align the environment's image tags with the recipes' name and tag`,
    );
  }
  return refs.map((ref) => byRef.get(ref) as ImageRecipe);
}
