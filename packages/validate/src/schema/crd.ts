import { isRecord } from '../model.js';
import { convertSchema, type JsonSchema, OBJECT_META } from './convert.js';
import { DEFINITIONS_REF_PREFIX } from './kubernetes-spec.js';

/** One version of a custom resource, with its schema converted to strict JSON Schema. */
export interface CrdVersion {
  name: string;
  served: boolean;
  storage: boolean;
  deprecated: boolean;
  deprecationWarning?: string;
  /** Undefined when the CRD declares no schema for this version (then any content is accepted). */
  schema?: JsonSchema;
}

/** What the validator needs of a CustomResourceDefinition. */
export interface CrdSchemas {
  group: string;
  kind: string;
  plural: string;
  namespaced: boolean;
  versions: CrdVersion[];
  /** Where the CRD came from (a pinned upstream release or a rendered chart). */
  origin: string;
}

export type CrdResult = { ok: true; crd: CrdSchemas } | { ok: false; problem: string };

function schemaFor(openAPIV3Schema: unknown): JsonSchema {
  const converted = convertSchema(openAPIV3Schema, {
    mode: 'crd',
    refPrefix: DEFINITIONS_REF_PREFIX,
    objectMetaRef: `${DEFINITIONS_REF_PREFIX}${OBJECT_META}`,
  });
  // The server validates metadata of every custom resource as ObjectMeta, whatever the CRD says
  // (CRDs may only narrow metadata.name). The CRD's own metadata schema is kept as an extra rule.
  const properties = { ...((converted.properties as Record<string, JsonSchema> | undefined) ?? {}) };
  const crdMetadata = properties.metadata;
  const objectMeta = { $ref: `${DEFINITIONS_REF_PREFIX}${OBJECT_META}` };
  properties.metadata =
    crdMetadata && Object.keys(crdMetadata).some((k) => k === 'properties')
      ? { allOf: [objectMeta, { ...crdMetadata, additionalProperties: true }] }
      : objectMeta;
  properties.apiVersion = { type: 'string' };
  properties.kind = { type: 'string' };
  return { ...converted, type: 'object', properties };
}

/** Reads an apiextensions.k8s.io/v1 CustomResourceDefinition object. */
export function crdSchemasFrom(crd: unknown, origin: string): CrdResult {
  if (!isRecord(crd) || crd.kind !== 'CustomResourceDefinition')
    return { ok: false, problem: 'not a CustomResourceDefinition' };
  if (crd.apiVersion !== 'apiextensions.k8s.io/v1')
    return { ok: false, problem: `apiVersion ${String(crd.apiVersion)} is not apiextensions.k8s.io/v1` };
  const spec = crd.spec;
  if (!isRecord(spec)) return { ok: false, problem: 'has no spec' };
  const names = isRecord(spec.names) ? spec.names : {};
  const group = spec.group;
  const kind = names.kind;
  const plural = names.plural;
  if (typeof group !== 'string' || typeof kind !== 'string' || typeof plural !== 'string')
    return { ok: false, problem: 'lacks spec.group, spec.names.kind or spec.names.plural' };
  const rawVersions = Array.isArray(spec.versions) ? spec.versions : [];
  const versions: CrdVersion[] = [];
  for (const v of rawVersions) {
    if (!isRecord(v) || typeof v.name !== 'string') continue;
    const schema = isRecord(v.schema) ? v.schema.openAPIV3Schema : undefined;
    const version: CrdVersion = {
      name: v.name,
      served: v.served !== false,
      storage: v.storage === true,
      deprecated: v.deprecated === true,
    };
    if (typeof v.deprecationWarning === 'string') version.deprecationWarning = v.deprecationWarning;
    if (isRecord(schema)) version.schema = schemaFor(schema);
    versions.push(version);
  }
  if (versions.length === 0) return { ok: false, problem: 'declares no versions' };
  return {
    ok: true,
    crd: { group, kind, plural, namespaced: spec.scope !== 'Cluster', versions, origin },
  };
}
