/** An upstream chart at an exact version, named the way component.yaml names it. */
export interface ChartRef {
  /** `https://…` for a classic chart repository, `oci://…` for an OCI registry path. */
  repoURL: string;
  chart: string;
  version: string;
}

/** Argo CD writes OCI repositories without the scheme; everything else keeps its https://. */
export function fromArgoRepoURL(repoURL: string): string {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(repoURL) ? repoURL : `oci://${repoURL}`;
}

export const isOci = (ref: ChartRef) => ref.repoURL.startsWith('oci://');

export function refKey(ref: ChartRef): string {
  return `${ref.repoURL} ${ref.chart} ${ref.version}`;
}

export function describeRef(ref: ChartRef): string {
  return `${ref.chart} ${ref.version} from ${ref.repoURL}`;
}

export function compareRefs(a: ChartRef, b: ChartRef): number {
  return (
    a.repoURL.localeCompare(b.repoURL) || a.chart.localeCompare(b.chart) || a.version.localeCompare(b.version)
  );
}
