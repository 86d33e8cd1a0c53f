import { createHash } from 'node:crypto';
import { type HelmTemplateRequest, helmTemplateArgs } from './helm.js';

/**
 * Bump when what an entry means changes (the key's parts, the entry format in helm-output-cache.ts):
 * every older entry then misses instead of being read under another meaning.
 */
export const HELM_OUTPUT_FORMAT = 'airspark-helm-output/1';

/** Everything `helm template` reads besides its command line, by content. */
export interface HelmOutputInputs {
  /** The helm binary's identity (helmIdentity in chart-digest.ts): another helm may print otherwise. */
  helm: string;
  /** sha256 of the chart: the package's bytes for a cached chart, its folder's files for our own. */
  chart: string;
  /** sha256 of each `--values` file, in request.valueFiles order. */
  valueFiles: readonly string[];
}

export const sha256Hex = (data: string | Uint8Array): string =>
  createHash('sha256').update(data).digest('hex');

/**
 * The key of one helm output: the command line exactly as helm.ts builds it (so a flag added there
 * is in the key without anyone remembering to add it), with every file on it replaced by the digest
 * of its content (the chart, each values file, the valuesObject text), plus the helm binary. The
 * helm home is an empty folder per run and the environment is fixed (helm.ts), so nothing else is
 * read: `--kube-version`, `--api-versions` (each pass of ADR 0048 has its own), release name,
 * namespace, `--set`, `--include-crds`, `--skip-*` all reach the key through the arguments.
 */
export function helmOutputKey(request: HelmTemplateRequest, inputs: HelmOutputInputs): string {
  if (inputs.valueFiles.length !== request.valueFiles.length)
    throw new Error('helmOutputKey: one digest per values file is required');
  const extra =
    request.extraValues !== undefined && request.extraValues.trim() !== ''
      ? `sha256:${sha256Hex(request.extraValues)}`
      : undefined;
  const args = helmTemplateArgs(
    {
      ...request,
      helm: '',
      chart: `chart:${inputs.chart}`,
      valueFiles: inputs.valueFiles.map((d) => `values:${d}`),
    },
    extra,
  );
  return sha256Hex(JSON.stringify([HELM_OUTPUT_FORMAT, inputs.helm, args]));
}
