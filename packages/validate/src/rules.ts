import type { Severity } from '@airspark/findings';

/** A check's identity: what findings carry in `rule`, and what docs/validation.md describes. */
export interface Rule {
  id: string;
  severity: Severity;
  /** One line: what the rule wants. */
  summary: string;
  /** Policies may be suppressed per object with a reason; structural problems may not. */
  suppressible: boolean;
}

function rule(id: string, severity: Severity, summary: string, suppressible = false): Rule {
  return { id, severity, summary, suppressible };
}

/** Every rule of @airspark/validate, by id. docs/validation.md has a section for each. */
export const rules = {
  // Schemas
  schemaInvalid: rule('schema/invalid', 'error', 'objects match the schema of their kind'),
  schemaUnknownField: rule(
    'schema/unknown-field',
    'error',
    'objects hold no field their schema does not declare',
  ),
  schemaDuplicateKey: rule(
    'schema/duplicate-key',
    'error',
    'no key twice in a mapping, no two list-map entries with the same key',
  ),
  schemaYamlSyntax: rule('schema/yaml-syntax', 'error', 'rendered manifests are valid YAML'),
  schemaUnknownKind: rule(
    'schema/unknown-kind',
    'error',
    'every apiVersion/kind has a schema (built-in or CRD)',
  ),
  schemaInvalidName: rule(
    'schema/invalid-name',
    'error',
    "object names follow the API server's syntax for their kind",
  ),
  schemaInvalidLabel: rule(
    'schema/invalid-label',
    'error',
    'label keys and values and annotation keys are valid',
  ),
  schemaMissingType: rule(
    'schema/missing-type',
    'error',
    'every object has apiVersion, kind and metadata.name',
  ),
  schemaInvalidCrd: rule('schema/invalid-crd', 'error', 'rendered CustomResourceDefinitions can be read'),
  schemaUnsupportedVersion: rule(
    'schema/kubernetes-version',
    'error',
    "schemas exist for the environment's Kubernetes version",
  ),
  serverRejected: rule(
    'server/rejected',
    'error',
    'a real API server accepts every object (server-side dry-run)',
  ),
  // API versions
  apiRemoved: rule(
    'api/removed',
    'error',
    "no apiVersion the environment's Kubernetes no longer (or never) serves",
  ),
  apiRemovedNextMinor: rule(
    'api/removed-next-minor',
    'warning',
    'no apiVersion the next Kubernetes minor version removes',
  ),
  apiDeprecated: rule('api/deprecated', 'warning', 'no deprecated apiVersion'),
  apiNotEnabled: rule(
    'api/not-enabled',
    'error',
    'no pre-release apiVersion that the API server does not serve by default',
  ),
  // Policies
  pinnedImage: rule(
    'policy/pinned-image',
    'error',
    'images carry a version tag or digest, never `latest`',
    true,
  ),
  resources: rule('policy/resources', 'error', 'containers request CPU and memory and limit memory', true),
  runAsNonRoot: rule('policy/run-as-non-root', 'error', 'containers run as a non-root user', true),
  privileged: rule('policy/privileged', 'error', 'no privileged containers', true),
  hostNamespaces: rule('policy/host-namespaces', 'error', 'no hostNetwork, hostPID or hostIPC', true),
  hostPath: rule('policy/host-path', 'error', 'no hostPath volumes', true),
  privilegeEscalation: rule(
    'policy/privilege-escalation',
    'error',
    'allowPrivilegeEscalation is false',
    true,
  ),
  readOnlyRootFs: rule('policy/read-only-root-fs', 'error', 'root filesystems are read-only', true),
  capabilities: rule(
    'policy/capabilities',
    'error',
    'containers add no capability beyond NET_BIND_SERVICE',
    true,
  ),
  wildcardRole: rule(
    'policy/wildcard-role',
    'error',
    'no binding to cluster-admin or a role with wildcard verbs, resources or API groups',
    true,
  ),
  plaintextSecret: rule('policy/plaintext-secret', 'error', 'no Secret with data or stringData in git', true),
  sparkDriverOnDemand: rule(
    'policy/spark-driver-on-demand',
    'error',
    'Spark drivers run on on-demand capacity only',
    true,
  ),
  sparkExecutorSpot: rule(
    'policy/spark-executor-spot',
    'warning',
    'Spark executors may run on spot capacity',
    true,
  ),
  // Source files
  sourceCredential: rule(
    'source/credential',
    'error',
    'no credential (access key, token, password) in a file of the repository',
  ),
  sourceYaml11: rule(
    'source/yaml11-scalar',
    'error',
    'no plain scalar that YAML 1.1 readers (Helm, kubectl, Argo CD) read as another type',
  ),
  // Suppressions
  suppressionInvalid: rule(
    'suppress/invalid',
    'error',
    'suppressions name a suppressible rule and give a reason',
  ),
  suppressionUnused: rule('suppress/unused', 'warning', 'suppressions suppress something'),
  // Cross-references
  sparkPlacement: rule(
    'xref/spark-placement',
    'error',
    "Spark pods' node constraints match a NodePool of the environment",
  ),
  podPlacement: rule(
    'xref/pod-placement',
    'error',
    'every pod matches a node that exists when its Application syncs (system node group or NodePool)',
  ),
  networkPolicy: rule(
    'xref/network-policy',
    'error',
    'unauthenticated services (Livy) have an ingress NetworkPolicy over their pods',
  ),
  serviceAccount: rule('xref/service-account', 'error', 'referenced ServiceAccounts exist'),
  secret: rule('xref/secret', 'error', 'referenced Secrets exist'),
  configMap: rule('xref/config-map', 'error', 'referenced ConfigMaps exist'),
  pvc: rule('xref/pvc', 'error', 'referenced PersistentVolumeClaims exist'),
  namespace: rule('xref/namespace', 'error', 'namespaces of namespaced objects exist'),
  appProject: rule('xref/app-project', 'error', 'Applications conform to their AppProject'),
  syncWave: rule('xref/sync-wave', 'error', 'CRDs and Namespaces sync before what uses them'),
  duplicateObject: rule(
    'xref/duplicate-object',
    'error',
    'no object rendered twice (by one or two Applications)',
  ),
  externalInvalid: rule('xref/external-resources', 'error', 'external-resources.yaml is well-formed'),
  externalUnused: rule(
    'xref/external-unused',
    'warning',
    'allow-listed external resources are referenced and not rendered',
  ),
} as const satisfies Record<string, Rule>;

export const allRules: readonly Rule[] = Object.values(rules);

export function ruleById(id: string): Rule | undefined {
  return allRules.find((r) => r.id === id);
}
