import type { KubeObject } from './manifests.js';

/**
 * Cluster-scoped kinds of the built-in Kubernetes 1.35 API groups. Every other kind of a built-in
 * group is namespaced. Custom resources take their scope from the CRDs rendered for the
 * environment. (Argo CD asks the cluster's discovery; offline this table stands in for it.)
 */
const CLUSTER_SCOPED_BUILTIN = new Set([
  '/Namespace',
  '/Node',
  '/PersistentVolume',
  '/ComponentStatus',
  'admissionregistration.k8s.io/MutatingWebhookConfiguration',
  'admissionregistration.k8s.io/ValidatingWebhookConfiguration',
  'admissionregistration.k8s.io/ValidatingAdmissionPolicy',
  'admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding',
  'admissionregistration.k8s.io/MutatingAdmissionPolicy',
  'admissionregistration.k8s.io/MutatingAdmissionPolicyBinding',
  'apiextensions.k8s.io/CustomResourceDefinition',
  'apiregistration.k8s.io/APIService',
  'certificates.k8s.io/CertificateSigningRequest',
  'certificates.k8s.io/ClusterTrustBundle',
  'flowcontrol.apiserver.k8s.io/FlowSchema',
  'flowcontrol.apiserver.k8s.io/PriorityLevelConfiguration',
  'internal.apiserver.k8s.io/StorageVersion',
  'networking.k8s.io/IngressClass',
  'networking.k8s.io/IPAddress',
  'networking.k8s.io/ServiceCIDR',
  'node.k8s.io/RuntimeClass',
  'rbac.authorization.k8s.io/ClusterRole',
  'rbac.authorization.k8s.io/ClusterRoleBinding',
  'resource.k8s.io/DeviceClass',
  'resource.k8s.io/ResourceSlice',
  'resource.k8s.io/DeviceTaintRule',
  'scheduling.k8s.io/PriorityClass',
  'storage.k8s.io/CSIDriver',
  'storage.k8s.io/CSINode',
  'storage.k8s.io/StorageClass',
  'storage.k8s.io/VolumeAttachment',
  'storage.k8s.io/VolumeAttributesClass',
  'storagemigration.k8s.io/StorageVersionMigration',
]);

const BUILTIN_GROUPS = new Set([
  '',
  'admissionregistration.k8s.io',
  'apiextensions.k8s.io',
  'apiregistration.k8s.io',
  'apps',
  'authentication.k8s.io',
  'authorization.k8s.io',
  'autoscaling',
  'batch',
  'certificates.k8s.io',
  'coordination.k8s.io',
  'discovery.k8s.io',
  'events.k8s.io',
  'flowcontrol.apiserver.k8s.io',
  'internal.apiserver.k8s.io',
  'networking.k8s.io',
  'node.k8s.io',
  'policy',
  'rbac.authorization.k8s.io',
  'resource.k8s.io',
  'scheduling.k8s.io',
  'storage.k8s.io',
  'storagemigration.k8s.io',
]);

export type Scope = 'Namespaced' | 'Cluster' | 'Unknown';

export function groupOf(apiVersion: string): string {
  return apiVersion.includes('/') ? (apiVersion.split('/')[0] as string) : '';
}

/** What the environment's CRDs declare: `group/Kind` -> scope, plus the API versions they serve. */
export interface CustomKinds {
  scopes: Map<string, Scope>;
  /** `group/version` and `group/version/Kind` for helm's --api-versions (as Argo CD passes them). */
  apiVersions: string[];
}

export function customKindsOf(objects: readonly KubeObject[]): CustomKinds {
  const scopes = new Map<string, Scope>();
  const versions = new Set<string>();
  for (const o of objects) {
    if (o.kind !== 'CustomResourceDefinition' || typeof o.apiVersion !== 'string') continue;
    if (!o.apiVersion.startsWith('apiextensions.k8s.io/')) continue;
    const spec = (
      o as {
        spec?: {
          group?: string;
          scope?: string;
          names?: { kind?: string };
          versions?: { name?: string; served?: boolean }[];
        };
      }
    ).spec;
    if (!spec?.group || !spec.names?.kind) continue;
    scopes.set(`${spec.group}/${spec.names.kind}`, spec.scope === 'Cluster' ? 'Cluster' : 'Namespaced');
    for (const v of spec.versions ?? []) {
      if (!v.name || v.served === false) continue;
      versions.add(`${spec.group}/${v.name}`);
      versions.add(`${spec.group}/${v.name}/${spec.names.kind}`);
    }
  }
  return { scopes, apiVersions: [...versions].sort() };
}

export function scopeOf(apiVersion: string, kind: string, custom: CustomKinds | undefined): Scope {
  const group = groupOf(apiVersion);
  const id = `${group}/${kind}`;
  if (CLUSTER_SCOPED_BUILTIN.has(id)) return 'Cluster';
  if (BUILTIN_GROUPS.has(group)) return 'Namespaced';
  return custom?.scopes.get(id) ?? 'Unknown';
}
