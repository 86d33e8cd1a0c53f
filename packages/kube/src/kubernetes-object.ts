/** A Kubernetes object as rendered manifests hold it. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata?: {
    name?: string;
    generateName?: string;
    namespace?: string;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

/** Which object a result is about. `namespace` is the one the request used. */
export interface ObjectIdentity {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
}

export function identityOf(object: KubeObject): ObjectIdentity {
  const name =
    object.metadata?.name ?? (object.metadata?.generateName ? `${object.metadata.generateName}*` : '');
  return {
    apiVersion: object.apiVersion,
    kind: object.kind,
    name,
    ...(object.metadata?.namespace ? { namespace: object.metadata.namespace } : {}),
  };
}

export function isNamespace(object: KubeObject): boolean {
  return object.apiVersion === 'v1' && object.kind === 'Namespace';
}

export function isCustomResourceDefinition(object: KubeObject): boolean {
  return object.kind === 'CustomResourceDefinition' && object.apiVersion.startsWith('apiextensions.k8s.io/');
}
