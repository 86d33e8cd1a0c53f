/**
 * The JSON Schema (2020-12) of `apps/<component>/component.yaml`: how Argo CD deploys one platform
 * component. Documented in docs/components.md; the type `Component` is derived from this object.
 *
 * Expressions (`enabledBy`, `versionFrom`, `fromEnvironment`, `extraNamespaces`) are paths into the
 * environment (`components.livy.enabled`), the shared names (`names.clusterName`) or the
 * infrastructure hand-off (`infra.efsFileSystemId`); they are resolved by component-expressions.ts.
 */

const dnsLabel = '^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$';
/** A repository-relative path: no absolute paths, no `..` segments, forward slashes. */
const repoPath = '^(?!/)(?!.*(^|/)\\.\\.(/|$))[A-Za-z0-9._@{}/-]+$';
const expression =
  '^(components|spark|dags|storage|karpenter|cluster|network|gitops|aws|names|infra)(\\.[A-Za-z0-9_-]+|\\[([0-9]+|\\*)\\])+$';

const pathExpression = {
  type: 'string',
  pattern: expression,
  description:
    'A path into environment.yaml (components.livy.image.tag), platformNames (names.clusterName) or infra-outputs.json (infra.efsFileSystemId).',
} as const;

const relativePath = {
  type: 'string',
  pattern: repoPath,
  description: 'A path relative to the repository root, e.g. apps/livy/chart.',
} as const;

const stringMap = { type: 'object', additionalProperties: { type: 'string' } } as const;

export const componentSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://airspark.dev/schemas/component.schema.json',
  title: 'airspark component',
  description: 'How Argo CD deploys one platform component: apps/<component>/component.yaml.',
  type: 'object',
  additionalProperties: false,
  required: ['name', 'namespace', 'syncWave', 'source'],
  properties: {
    name: {
      type: 'string',
      pattern: dnsLabel,
      not: { enum: ['root', 'project'] },
      description:
        'Argo CD Application name; equals the folder under apps/ ("root" and "project" are reserved).',
    },
    enabledBy: {
      ...pathExpression,
      description: 'Boolean in environment.yaml that switches the component on; omitted = always on.',
    },
    namespace: { type: 'string', pattern: dnsLabel, description: 'Destination namespace.' },
    extraNamespaces: {
      type: 'array',
      uniqueItems: true,
      items: {
        anyOf: [{ type: 'string', pattern: dnsLabel }, pathExpression],
      },
      description: 'Other namespaces its objects are created in: names or expressions.',
    },
    syncWave: {
      type: 'integer',
      minimum: -100,
      maximum: 100,
      description: 'CRDs (-10) < namespaces (0) < controllers (10) < workloads (20) < custom resources (30).',
    },
    syncOptions: {
      type: 'array',
      uniqueItems: true,
      items: {
        type: 'string',
        pattern:
          '^(Validate|CreateNamespace|PrunePropagationPolicy|PruneLast|ApplyOutOfSyncOnly|RespectIgnoreDifferences|ServerSideApply|Replace|FailOnSharedResource|Prune|Delete|SkipDryRunOnMissingResource|ClientSideApplyMigration)=[A-Za-z]+$',
        description: 'An Argo CD sync option, Name=value (e.g. ServerSideApply=true).',
      },
    },
    namespaceMetadata: {
      type: 'object',
      additionalProperties: false,
      properties: { labels: stringMap, annotations: stringMap },
      description: 'Labels and annotations of the namespace Argo CD creates (needs CreateNamespace=true).',
    },
    clusterResources: {
      type: 'array',
      uniqueItems: true,
      items: {
        type: 'string',
        pattern: '^([a-z0-9.-]*)/[A-Z][A-Za-z0-9]*$',
        description: 'group/Kind of a cluster-scoped kind, "/Namespace" for the core group.',
      },
    },
    ignoreDifferences: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['kind'],
        properties: {
          group: { type: 'string' },
          kind: { type: 'string', minLength: 1 },
          name: { type: 'string' },
          namespace: { type: 'string' },
          jsonPointers: { type: 'array', items: { type: 'string', pattern: '^/' } },
          jqPathExpressions: { type: 'array', items: { type: 'string', minLength: 1 } },
          managedFieldsManagers: { type: 'array', items: { type: 'string', minLength: 1 } },
        },
      },
    },
    source: {
      type: 'object',
      additionalProperties: false,
      required: ['type'],
      properties: {
        type: { enum: ['helm-local', 'helm-upstream', 'kustomize', 'directory'] },
        path: relativePath,
        repoURL: {
          type: 'string',
          pattern: '^(https?://|oci://)[^\\s]+[^/\\s]$',
          description: 'Chart repository (https://…) or OCI registry path (oci://…), no trailing slash.',
        },
        chart: { type: 'string', pattern: '^[a-z0-9]([-a-z0-9_.]*[a-z0-9])?$' },
        versionFrom: { ...pathExpression, description: 'The environment path that pins the chart version.' },
        releaseName: { type: 'string', pattern: dnsLabel },
        directory: {
          type: 'object',
          additionalProperties: false,
          properties: {
            recurse: { type: 'boolean', default: true },
            include: { type: 'string', minLength: 1 },
            exclude: { type: 'string', minLength: 1 },
          },
        },
      },
    },
    values: {
      type: 'object',
      additionalProperties: false,
      properties: {
        files: { type: 'array', items: relativePath, description: 'Base values files, merged in order.' },
        environmentFile: {
          type: 'string',
          pattern: '^(?!/)(?!.*\\.\\.)[A-Za-z0-9._/-]*\\{env\\}[A-Za-z0-9._/{}-]*$',
          description: 'Per-environment values file with {env}, e.g. clusters/{env}/values/livy.yaml.',
        },
        schema: { ...relativePath, description: 'JSON Schema the merged values must satisfy.' },
        fromEnvironment: {
          type: 'object',
          propertyNames: { pattern: '^([A-Za-z0-9_/-]|\\\\\\.)+(\\.([A-Za-z0-9_/-]|\\\\\\.)+)*$' },
          additionalProperties: {
            anyOf: [pathExpression, { type: ['number', 'boolean'] }],
          },
          description: 'values path -> expression; becomes helm.valuesObject.',
        },
      },
    },
    images: {
      type: 'object',
      description:
        'The images of this component an environment may override (mirrors.images.<name>): for each, the values paths that set its repository, tag and pull policy.',
      propertyNames: { pattern: dnsLabel },
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        required: ['repository'],
        properties: {
          repository: { type: 'string', minLength: 1, description: 'values path of the image repository' },
          registry: {
            type: 'string',
            minLength: 1,
            description:
              'values path of the registry, for charts that keep it apart: the override repository is then split at its first `/`',
          },
          tag: { type: 'string', minLength: 1, description: 'values path of the image tag' },
          pullPolicy: { type: 'string', minLength: 1, description: 'values path of the pull policy' },
        },
      },
    },
    extraSources: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['path'],
        properties: {
          path: relativePath,
          type: { enum: ['directory', 'kustomize'], default: 'directory' },
          recurse: { type: 'boolean', default: true },
        },
      },
    },
  },
} as const;
