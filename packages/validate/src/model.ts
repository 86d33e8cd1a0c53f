/** The input of every check: what the renderer produced, with where each piece came from. */

/** A place in a source file of the repository (template, values file, overlay, plain manifest). */
export interface SourceLocation {
  /** Repository-relative path with forward slashes. */
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
}

/** A path inside a Kubernetes object: property names and array indexes. */
export type ObjectPath = readonly (string | number)[];

/**
 * One rendered Kubernetes object with its provenance. This is the shape `@airspark/render` emits;
 * it is declared structurally here so that the validator depends on no renderer code.
 */
export interface RenderedObject {
  env: string;
  /** The Argo CD Application that renders (and therefore owns) this object. */
  app: string;
  object: Record<string, unknown>;
  /** Where the rendered copy was written (e.g. `out/dev/airflow/deployment-scheduler.yaml`). */
  renderedPath: string;
  /**
   * Where the object as a whole comes from (the template or manifest that produced it). For upstream
   * chart templates the renderer says `inRepository: false` (the file is inside a chart archive).
   */
  source: SourceLocation & { inRepository?: boolean };
  /** Repository files that configure the object (component and values files, in merge order). */
  configuredBy?: readonly string[];
  /**
   * Where a value inside the object comes from, when the renderer knows better than `source`
   * (a values file line that set an image tag, an overlay that patched a field). Undefined when
   * it does not know; the checks then fall back to `source`.
   */
  locate?: (path: ObjectPath) => SourceLocation | undefined;
}

/** Group, version and kind of an object; `group` is '' for the core group. */
export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

/** Splits `apps/v1` into group and version (`v1` alone is the core group). */
export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  return slash === -1
    ? { group: '', version: apiVersion }
    : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

export function gvkOf(object: Record<string, unknown>): GroupVersionKind | undefined {
  const { apiVersion, kind } = object;
  if (typeof apiVersion !== 'string' || typeof kind !== 'string' || apiVersion === '' || kind === '')
    return undefined;
  return { ...splitApiVersion(apiVersion), kind };
}

export function apiVersionOf(gvk: { group: string; version: string }): string {
  return gvk.group === '' ? gvk.version : `${gvk.group}/${gvk.version}`;
}

/** A stable key for maps: `group/version/Kind` (`/v1/Pod` for the core group). */
export function gvkKey(gvk: GroupVersionKind): string {
  return `${gvk.group}/${gvk.version}/${gvk.kind}`;
}

/** Group and kind without version: what identifies "the same resource" across versions. */
export function groupKindKey(group: string, kind: string): string {
  return `${kind}.${group}`;
}

export interface ObjectMetadata {
  name?: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export function metadataOf(object: Record<string, unknown>): ObjectMetadata {
  const metadata = object.metadata;
  return metadata !== null && typeof metadata === 'object' ? (metadata as ObjectMetadata) : {};
}

/** `Kind/namespace/name` (or `Kind/name` when cluster-scoped), as findings show it. */
export function resourceName(object: Record<string, unknown>): string {
  const { name, namespace } = metadataOf(object);
  const kind = typeof object.kind === 'string' ? object.kind : '<no kind>';
  return namespace ? `${kind}/${namespace}/${name ?? '<no name>'}` : `${kind}/${name ?? '<no name>'}`;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
