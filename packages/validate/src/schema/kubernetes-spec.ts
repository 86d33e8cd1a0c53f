import { convertSchema, type JsonSchema, OBJECT_META, specialBuiltinDefinition } from './convert.js';

/** A kind the API server serves, as published in its OpenAPI v3 spec. */
export interface BuiltinResource {
  group: string;
  version: string;
  kind: string;
  /** Created inside a namespace (`/namespaces/{namespace}/<plural>`) or cluster-wide. */
  namespaced: boolean;
  /** Name of its schema in the definitions document. */
  definition: string;
}

/** What the schema generator keeps of one Kubernetes version. */
export interface BuiltinSchemas {
  /** Full version the definitions come from, e.g. `v1.35.4`. */
  kubernetesVersion: string;
  resources: BuiltinResource[];
  definitions: Record<string, JsonSchema>;
}

/** The subset of an OpenAPI v3 document that the generator reads. */
export interface OpenApiDocument {
  paths?: Record<string, Record<string, unknown>>;
  components?: { schemas?: Record<string, unknown> };
}

export const DEFINITIONS_REF_PREFIX = '#/definitions/';

interface Gvk {
  group: string;
  version: string;
  kind: string;
}

function requestSchemaName(operation: Record<string, unknown>): string | undefined {
  const body = operation.requestBody as
    | { content?: Record<string, { schema?: { $ref?: string } }> }
    | undefined;
  const ref = body?.content?.['application/json']?.schema?.$ref ?? body?.content?.['*/*']?.schema?.$ref;
  return ref?.replace(/^#\/components\/schemas\//, '');
}

/**
 * Creatable kinds: every collection path with a `post` that names its group/version/kind. Paths
 * under `{name}` are subresources (eviction, binding) and are not objects one keeps in git.
 */
export function resourcesOf(documents: readonly OpenApiDocument[]): BuiltinResource[] {
  const byKey = new Map<string, BuiltinResource>();
  for (const doc of documents) {
    for (const [path, item] of Object.entries(doc.paths ?? {})) {
      if (path.includes('{name}')) continue;
      const post = item.post as Record<string, unknown> | undefined;
      const gvk = post?.['x-kubernetes-group-version-kind'] as Gvk | undefined;
      if (!post || !gvk) continue;
      const definition = requestSchemaName(post);
      if (!definition) continue;
      const key = `${gvk.group}/${gvk.version}/${gvk.kind}`;
      const namespaced = path.includes('/namespaces/{namespace}/');
      const existing = byKey.get(key);
      // Namespaced kinds also have an all-namespaces list path; the namespaced post decides.
      if (!existing || (namespaced && !existing.namespaced)) {
        byKey.set(key, { group: gvk.group, version: gvk.version, kind: gvk.kind, namespaced, definition });
      }
    }
  }
  return [...byKey.values()].sort(
    (a, b) =>
      a.group.localeCompare(b.group) || a.version.localeCompare(b.version) || a.kind.localeCompare(b.kind),
  );
}

/** Every `$ref` target name in a converted schema. */
export function referencedNames(schema: unknown, prefix: string, into: Set<string> = new Set()): Set<string> {
  if (Array.isArray(schema)) {
    for (const item of schema) referencedNames(item, prefix, into);
  } else if (schema !== null && typeof schema === 'object') {
    for (const [key, value] of Object.entries(schema)) {
      if (key === '$ref' && typeof value === 'string' && value.startsWith(prefix))
        into.add(value.slice(prefix.length));
      else referencedNames(value, prefix, into);
    }
  }
  return into;
}

/** The definitions reachable from `roots`, following references transitively. */
export function reachableDefinitions(
  definitions: Record<string, JsonSchema>,
  roots: Iterable<string>,
  prefix: string = DEFINITIONS_REF_PREFIX,
): Set<string> {
  const seen = new Set<string>();
  const queue = [...roots];
  while (queue.length > 0) {
    const name = queue.pop() as string;
    if (seen.has(name)) continue;
    const definition = definitions[name];
    if (definition === undefined) continue;
    seen.add(name);
    for (const ref of referencedNames(definition, prefix)) if (!seen.has(ref)) queue.push(ref);
  }
  return seen;
}

/**
 * Merges the per-group-version spec files of one Kubernetes version into one definitions document,
 * converted to strict JSON Schema, keeping only what creatable kinds reach.
 */
export function builtinSchemasFrom(
  kubernetesVersion: string,
  documents: readonly OpenApiDocument[],
): BuiltinSchemas {
  const resources = resourcesOf(documents);
  const raw = new Map<string, unknown>();
  for (const doc of documents) {
    for (const [name, schema] of Object.entries(doc.components?.schemas ?? {})) {
      if (!raw.has(name)) raw.set(name, schema);
    }
  }
  const all: Record<string, JsonSchema> = {};
  for (const [name, schema] of raw) {
    all[name] =
      specialBuiltinDefinition(name) ??
      convertSchema(schema, {
        mode: 'builtin',
        refPrefix: DEFINITIONS_REF_PREFIX,
        objectMetaRef: `${DEFINITIONS_REF_PREFIX}${OBJECT_META}`,
      });
  }
  const keep = reachableDefinitions(all, [...resources.map((r) => r.definition), OBJECT_META]);
  const definitions: Record<string, JsonSchema> = {};
  for (const name of [...keep].sort()) definitions[name] = all[name] as JsonSchema;
  return { kubernetesVersion, resources, definitions };
}
