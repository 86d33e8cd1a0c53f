/**
 * Converts Kubernetes OpenAPI v3 schemas (the API server's published spec, and CRDs'
 * `openAPIV3Schema`) into strict JSON Schema draft-07 that both ajv and kubeconform evaluate the same
 * way. Strict means: an object that declares its properties accepts no others, unless the schema says
 * `x-kubernetes-preserve-unknown-fields`. Formats become plain keywords (ranges, patterns), so that no
 * validator needs format plug-ins and every validator asserts exactly the same thing.
 */

export type JsonSchema = { [key: string]: unknown };

/** Where converted references point: `<prefix><definition name>`. */
export interface ConvertOptions {
  /** `builtin`: the API server's own types; `crd`: a CustomResourceDefinition's structural schema. */
  mode: 'builtin' | 'crd';
  /** Prefix that replaces `#/components/schemas/` in `$ref`s, e.g. `#/definitions/`. */
  refPrefix: string;
  /** Reference to ObjectMeta, for the `metadata` of custom and embedded resources. */
  objectMetaRef?: string;
}

/** Annotation keyword (ignored by validators) naming the keys that identify a list-map's entries. */
export const LIST_MAP_KEYS = 'x-kubernetes-list-map-keys';

export const OBJECT_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';
export const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';
export const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';

/**
 * The quantity grammar of k8s.io/apimachinery (resource.Quantity), as controller-gen writes it into
 * CRDs. "2GB" or "1 Gi" fail here and on the server alike.
 */
export const QUANTITY_PATTERN =
  '^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$';
/** RFC 3339 as metav1.Time parses it. */
export const DATE_TIME_PATTERN =
  '^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})$';
/** Standard base64 with padding, as encoding/json decodes []byte. */
export const BASE64_PATTERN = '^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$';

const INT32 = { minimum: -2147483648, maximum: 2147483647 };

/** Keywords copied as they are. */
const passThrough = [
  'required',
  'minimum',
  'maximum',
  'minLength',
  'maxLength',
  'minItems',
  'maxItems',
  'uniqueItems',
  'pattern',
  'minProperties',
  'maxProperties',
  'multipleOf',
] as const;

interface Context extends ConvertOptions {
  /** Inside allOf/anyOf/oneOf/not: constraints only, so no closing of objects and no types added. */
  inLogic: boolean;
}

function withNull(schema: JsonSchema): JsonSchema {
  if (typeof schema.type === 'string') return { ...schema, type: [schema.type, 'null'] };
  if (Array.isArray(schema.type))
    return schema.type.includes('null') ? schema : { ...schema, type: [...schema.type, 'null'] };
  if (Array.isArray(schema.enum))
    return { ...schema, enum: schema.enum.includes(null) ? schema.enum : [...schema.enum, null] };
  // Untyped (references, unions): allow null beside whatever the schema allows.
  return { anyOf: [{ type: 'null' }, schema] };
}

/**
 * YAML writes `key:` with nothing after it as null; the API server treats null as "not set" for
 * optional fields, and kubeconform's schemas accept it too. A property value may therefore be null.
 */
function nullableProperty(schema: JsonSchema): JsonSchema {
  if (schema.$ref !== undefined) return { anyOf: [{ type: 'null' }, schema] };
  if (Object.keys(schema).length === 0) return schema;
  return withNull(schema);
}

function refTarget(ref: string, ctx: Context): string {
  const name = ref.replace(/^#\/components\/schemas\//, '');
  return `${ctx.refPrefix}${name}`;
}

function convertFormat(format: unknown, out: JsonSchema): void {
  switch (format) {
    case 'int32':
      Object.assign(out, INT32);
      break;
    case 'byte':
      out.pattern = BASE64_PATTERN;
      break;
    case 'date-time':
      out.pattern = DATE_TIME_PATTERN;
      break;
    default:
      // int64, double, float and the string formats the server does not check on input: type suffices.
      break;
  }
}

function embeddedResourceProperties(ctx: Context): Record<string, JsonSchema> {
  return {
    apiVersion: { type: 'string' },
    kind: { type: 'string' },
    metadata: ctx.objectMetaRef ? nullableProperty({ $ref: ctx.objectMetaRef }) : { type: 'object' },
  };
}

/** Converts one schema node; `node` is the OpenAPI schema, never modified. */
export function convertSchema(node: unknown, options: ConvertOptions): JsonSchema {
  return convertNode(node, { ...options, inLogic: false });
}

function convertNode(node: unknown, ctx: Context): JsonSchema {
  if (node === null || typeof node !== 'object' || Array.isArray(node)) return {};
  const n = node as Record<string, unknown>;
  if (typeof n.$ref === 'string') return { $ref: refTarget(n.$ref, ctx) };
  // The published spec wraps references as `allOf: [{$ref}]` to attach defaults and descriptions.
  if (Array.isArray(n.allOf) && n.allOf.length === 1 && n.type === undefined && n.properties === undefined) {
    const only = n.allOf[0] as Record<string, unknown> | undefined;
    if (only && typeof only.$ref === 'string') return { $ref: refTarget(only.$ref, ctx) };
  }

  const out: JsonSchema = {};
  const preserveUnknown = n['x-kubernetes-preserve-unknown-fields'] === true;
  const intOrString = n['x-kubernetes-int-or-string'] === true || n.format === 'int-or-string';
  const embedded = n['x-kubernetes-embedded-resource'] === true;

  if (intOrString) {
    out.anyOf = [{ type: 'integer' }, { type: 'string' }];
  } else if (typeof n.type === 'string') {
    out.type = n.type;
  }
  if (!intOrString) convertFormat(n.format, out);

  for (const key of passThrough) if (n[key] !== undefined) out[key] = n[key];
  // OpenAPI 3.0's boolean exclusive bounds are numbers in draft-07.
  if (n.exclusiveMinimum === true && typeof n.minimum === 'number') {
    out.exclusiveMinimum = n.minimum;
    delete out.minimum;
  }
  if (n.exclusiveMaximum === true && typeof n.maximum === 'number') {
    out.exclusiveMaximum = n.maximum;
    delete out.maximum;
  }
  if (Array.isArray(n.enum)) out.enum = n.enum;

  const properties = n.properties as Record<string, unknown> | undefined;
  const hasProperties = properties !== undefined && Object.keys(properties).length > 0;
  if (hasProperties || embedded) {
    const converted: Record<string, JsonSchema> = {};
    if (embedded) Object.assign(converted, embeddedResourceProperties(ctx));
    for (const [key, value] of Object.entries(properties ?? {})) {
      const child = convertNode(value, { ...ctx, inLogic: ctx.inLogic });
      converted[key] = ctx.inLogic ? child : nullableProperty(child);
    }
    if (embedded && ctx.objectMetaRef) converted.metadata = nullableProperty({ $ref: ctx.objectMetaRef });
    out.properties = converted;
  }

  if (n.additionalProperties !== undefined && typeof n.additionalProperties === 'object') {
    out.additionalProperties = convertNode(n.additionalProperties, { ...ctx, inLogic: false });
  } else if (n.additionalProperties === false) {
    out.additionalProperties = false;
  } else if (!ctx.inLogic && !preserveUnknown) {
    if (hasProperties || embedded) {
      out.additionalProperties = false;
    } else if (ctx.mode === 'crd' && n.type === 'object') {
      // A structural schema's object without properties keeps nothing: the server prunes every
      // field, so any field written there is lost. Report it rather than let it vanish.
      out.additionalProperties = false;
    }
  }

  if (n.items !== undefined) out.items = convertNode(n.items, { ...ctx, inLogic: false });
  if (n['x-kubernetes-list-type'] === 'set' && ctx.mode === 'crd') out.uniqueItems = true;
  // Kept as an annotation: JSON Schema cannot say "unique by these keys"; checkListMapKeys does.
  if (n['x-kubernetes-list-type'] === 'map' && Array.isArray(n['x-kubernetes-list-map-keys']))
    out[LIST_MAP_KEYS] = n['x-kubernetes-list-map-keys'];

  for (const logic of ['allOf', 'anyOf', 'oneOf'] as const) {
    const branches = n[logic];
    if (!Array.isArray(branches)) continue;
    const convertedBranches = branches.map((b) => convertNode(b, { ...ctx, inLogic: true }));
    if (logic === 'anyOf' && out.anyOf !== undefined) {
      out.allOf = [...((out.allOf as JsonSchema[]) ?? []), { anyOf: convertedBranches }];
    } else if (out[logic] !== undefined) {
      out.allOf = [...((out.allOf as JsonSchema[]) ?? []), { [logic]: convertedBranches }];
    } else {
      out[logic] = convertedBranches;
    }
  }
  if (n.not !== undefined) out.not = convertNode(n.not, { ...ctx, inLogic: true });
  return out;
}

/** The built-in definitions that need more than a plain conversion. */
export function specialBuiltinDefinition(name: string): JsonSchema | undefined {
  switch (name) {
    case QUANTITY:
      // YAML `cpu: 1` is a number; the server accepts both and parses strings by this grammar.
      return { anyOf: [{ type: 'number' }, { type: 'string', pattern: QUANTITY_PATTERN }] };
    case INT_OR_STRING:
      return { anyOf: [{ type: 'integer' }, { type: 'string' }] };
    default:
      return undefined;
  }
}
