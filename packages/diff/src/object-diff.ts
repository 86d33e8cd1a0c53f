import { credentialReason, redactCredentials } from '@airspark/findings';
import { structuredPatch } from 'diff';
import microdiff from 'microdiff';

/** One rendered Kubernetes object, as the renderer hands it over. */
export interface RenderedObject {
  env: string;
  /** The Argo CD Application that deploys it. */
  app: string;
  object: Record<string, unknown>;
  /** Where `pnpm render --out` writes it, when known. */
  renderedPath?: string;
  /** The source file and line that produced it. */
  source?: { file: string; line: number; column: number };
}

export interface ObjectIdentity {
  app: string;
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
}

export type FieldChangeKind = 'added' | 'removed' | 'changed';

export interface FieldChange {
  /** Readable path, e.g. `spec.template.spec.containers[name=livy].image`. */
  path: string;
  change: FieldChangeKind;
  before?: unknown;
  after?: unknown;
  /** For changed multi-line strings (config files in ConfigMaps): unified diff lines. */
  lines?: string[];
  /** The values were replaced by `(redacted)`: Secret data. */
  redacted?: boolean;
}

export interface ObjectDiff {
  change: 'added' | 'removed' | 'changed';
  id: ObjectIdentity;
  /** The object after the change (before it, when removed), with Secret values redacted. */
  object: Record<string, unknown>;
  source?: RenderedObject['source'];
  /** The changed fields; empty for added and removed objects. */
  fields: FieldChange[];
}

export const REDACTED = '(redacted)';

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function identityOf(rendered: RenderedObject): ObjectIdentity {
  const o = rendered.object;
  const metadata = (o.metadata ?? {}) as Record<string, unknown>;
  const namespace = str(metadata.namespace);
  return {
    app: rendered.app,
    apiVersion: str(o.apiVersion) ?? '',
    kind: str(o.kind) ?? '',
    ...(namespace !== undefined ? { namespace } : {}),
    name: str(metadata.name) ?? '',
  };
}

/**
 * The key two renders match objects by. The API group counts but its version does not, so that
 * `v1beta1` → `v1` of one object reads as a change of its apiVersion rather than a removal and an
 * addition; the Application counts, because moving an object between Applications is a real change
 * for Argo CD (one prunes it, the other creates it).
 */
export function objectKey(id: ObjectIdentity): string {
  const group = id.apiVersion.includes('/') ? id.apiVersion.slice(0, id.apiVersion.indexOf('/')) : '';
  return [id.app, group, id.kind, id.namespace ?? '', id.name].join('\u0000');
}

export function describeIdentity(id: ObjectIdentity): string {
  return `${id.kind} ${id.namespace ? `${id.namespace}/` : ''}${id.name}`;
}

const isSecret = (o: Record<string, unknown>) => o.kind === 'Secret' && o.apiVersion === 'v1';
const secretFields = new Set(['data', 'stringData']);

/**
 * A copy of an object fit to print: a Secret with every value of data and stringData replaced, any
 * other object with every credential-looking value replaced (an access key in spark-defaults.conf,
 * a literal password in a values-fed setting; see @airspark/findings credentials).
 */
export function redactSecret(object: Record<string, unknown>): Record<string, unknown> {
  if (!isSecret(object)) return redactCredentials(object);
  const copy: Record<string, unknown> = { ...object };
  for (const field of secretFields) {
    const values = object[field];
    if (values && typeof values === 'object') {
      copy[field] = Object.fromEntries(Object.keys(values).map((k) => [k, REDACTED]));
    }
  }
  return copy;
}

/**
 * Lists whose items all carry a distinct string `name` (containers, env, ports, volumes) are
 * compared by name, not position, as Kubernetes' strategic merge does: inserting a container then
 * shows as one added container, not as every later one changed.
 */
function keyedByName(list: unknown[]): Record<string, unknown> | undefined {
  if (list.length === 0) return undefined;
  const names = new Set<string>();
  for (const item of list) {
    const name = item && typeof item === 'object' ? (item as Record<string, unknown>).name : undefined;
    if (typeof name !== 'string' || names.has(name)) return undefined;
    names.add(name);
  }
  return Object.fromEntries(
    list.map((item) => [`[name=${(item as { name: string }).name}]`, normalize(item)]),
  );
}

function normalize(value: unknown): unknown {
  if (Array.isArray(value)) return keyedByName(value) ?? value.map(normalize);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalize(v)]));
  }
  return value;
}

/** Renders path segments readably: `a.b[0][name=x]["app.kubernetes.io/name"]`. */
export function formatPath(path: readonly (string | number)[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (/^\[name=.*\]$/.test(segment)) out += segment;
    else if (/^[A-Za-z_$][\w$-]*$/.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

/** Unified diff lines of two texts, without the file headers. */
function lineDiff(before: string, after: string): string[] {
  const patch = structuredPatch('before', 'after', before, after, undefined, undefined, { context: 2 });
  return patch.hunks.flatMap((h) => [
    `@@ -${h.oldStart},${h.oldLines} +${h.newStart},${h.newLines} @@`,
    ...h.lines,
  ]);
}

/** Pure: the field-level changes between two versions of one object. */
export function diffFields(before: Record<string, unknown>, after: Record<string, unknown>): FieldChange[] {
  const secret = isSecret(before) || isSecret(after);
  const changes: FieldChange[] = microdiff(
    normalize(before) as Record<string, unknown>,
    normalize(after) as Record<string, unknown>,
  ).map((d) => {
    const path = formatPath(d.path);
    const kind: FieldChangeKind = d.type === 'CREATE' ? 'added' : d.type === 'REMOVE' ? 'removed' : 'changed';
    const change: FieldChange = { path, change: kind };
    if (secret && secretFields.has(String(d.path[0]))) {
      change.redacted = true;
      if (d.type !== 'CREATE') change.before = REDACTED;
      if (d.type !== 'REMOVE') change.after = REDACTED;
      return change;
    }
    // A credential never leaves in clear: whole values become (redacted), texts lose their
    // credential lines; the change itself is still shown.
    const key = [...d.path]
      .reverse()
      .find((p): p is string => typeof p === 'string' && !p.startsWith('[name='));
    const hasCredential =
      credentialReason(key, d.type === 'CREATE' ? undefined : d.oldValue) !== undefined ||
      credentialReason(key, d.type === 'REMOVE' ? undefined : d.value) !== undefined ||
      JSON.stringify(
        redactCredentials([d.type === 'CREATE' ? null : d.oldValue, d.type === 'REMOVE' ? null : d.value]),
      ) !== JSON.stringify([d.type === 'CREATE' ? null : d.oldValue, d.type === 'REMOVE' ? null : d.value]);
    const clean = (v: unknown) => (hasCredential ? redactCredentials(v, key) : v);
    if (hasCredential) change.redacted = true;
    if (d.type !== 'CREATE') change.before = clean(d.oldValue);
    if (d.type !== 'REMOVE') change.after = clean(d.value);
    if (
      d.type === 'CHANGE' &&
      typeof change.before === 'string' &&
      typeof change.after === 'string' &&
      (change.before.includes('\n') || change.after.includes('\n'))
    ) {
      change.lines = lineDiff(change.before, change.after);
    }
    return change;
  });
  return changes.sort((a, b) => a.path.localeCompare(b.path));
}

function sortKey(d: ObjectDiff): string {
  return [d.id.app, d.id.kind, d.id.namespace ?? '', d.id.name].join('\u0000');
}

/**
 * Pure: the per-object semantic diff of two renders of one environment: objects added, removed,
 * and changed with the fields that changed. Identical objects are left out. Secret values never
 * leave this function unredacted.
 */
export function diffRenders(
  before: readonly RenderedObject[],
  after: readonly RenderedObject[],
): ObjectDiff[] {
  const index = (list: readonly RenderedObject[]) => new Map(list.map((r) => [objectKey(identityOf(r)), r]));
  const old = index(before);
  const now = index(after);
  const diffs: ObjectDiff[] = [];
  for (const [key, rendered] of now) {
    const previous = old.get(key);
    const id = identityOf(rendered);
    const object = redactSecret(rendered.object);
    const source = rendered.source;
    if (previous === undefined) {
      diffs.push({ change: 'added', id, object, fields: [], ...(source ? { source } : {}) });
      continue;
    }
    const fields = diffFields(previous.object, rendered.object);
    if (fields.length > 0)
      diffs.push({ change: 'changed', id, object, fields, ...(source ? { source } : {}) });
  }
  for (const [key, rendered] of old) {
    if (now.has(key)) continue;
    const source = rendered.source;
    diffs.push({
      change: 'removed',
      id: identityOf(rendered),
      object: redactSecret(rendered.object),
      fields: [],
      ...(source ? { source } : {}),
    });
  }
  return diffs.sort((a, b) => sortKey(a).localeCompare(sortKey(b)));
}
