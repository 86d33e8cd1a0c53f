import { isRecord, metadataOf, type RenderedObject, splitApiVersion } from '../model.js';
import type { SchemaCatalog } from '../schema/catalog.js';

/** A resource created outside git (by cdktf, EKS, an operator), listed so references to it resolve. */
export interface ExternalResource {
  kind: string;
  namespace?: string;
  name: string;
  reason: string;
  /** Where the entry is written, for findings about the entry itself. */
  file: string;
  line: number;
  column: number;
}

/** Namespaces every cluster has. */
export const IMPLICIT_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

export type ReferencedKind =
  | 'ServiceAccount'
  | 'Secret'
  | 'ConfigMap'
  | 'PersistentVolumeClaim'
  | 'Namespace';

function key(kind: string, namespace: string | undefined, name: string): string {
  return `${kind}/${namespace ?? ''}/${name}`;
}

/**
 * What exists in an environment once it is synced: rendered objects, what they make the cluster
 * create (ExternalSecret targets, StatefulSet claims, namespaces Argo CD creates), what every
 * namespace has (the `default` ServiceAccount, `kube-root-ca.crt`), and the allow-list.
 */
export class Inventory {
  private readonly present = new Set<string>();
  private readonly externalByKey = new Map<string, ExternalResource>();
  readonly usedExternal = new Set<ExternalResource>();
  readonly renderedKeys = new Set<string>();

  /**
   * `unknownNamespaces`: destinations of Applications that could not be rendered (an upstream chart
   * not in the cache): what they create is unknown, so references into them are given the benefit of
   * the doubt rather than reported.
   */
  constructor(
    objects: readonly RenderedObject[],
    external: readonly ExternalResource[],
    private readonly unknownNamespaces: ReadonlySet<string> = new Set(),
    /** Kinds whose presence cannot be judged (a component that creates them was skipped). */
    private readonly unknownKinds: ReadonlySet<string> = new Set(),
  ) {
    for (const ns of IMPLICIT_NAMESPACES) this.present.add(key('Namespace', undefined, ns));
    for (const rendered of objects) this.addRendered(rendered);
    for (const entry of external) this.externalByKey.set(key(entry.kind, entry.namespace, entry.name), entry);
  }

  private add(kind: string, namespace: string | undefined, name: string): void {
    this.present.add(key(kind, namespace, name));
  }

  private addRendered(rendered: RenderedObject): void {
    const o = rendered.object;
    const { name, namespace } = metadataOf(o);
    if (typeof o.kind !== 'string' || !name) return;
    const k = key(o.kind, o.kind === 'Namespace' ? undefined : namespace, name);
    this.present.add(k);
    this.renderedKeys.add(k);
    const spec = isRecord(o.spec) ? o.spec : {};
    const { group } = splitApiVersion(String(o.apiVersion ?? ''));
    // External Secrets creates the target Secret (spec.target.name, default: the ExternalSecret's name).
    if (o.kind === 'ExternalSecret' && group === 'external-secrets.io') {
      const target = isRecord(spec.target) && typeof spec.target.name === 'string' ? spec.target.name : name;
      this.add('Secret', namespace, target);
    }
    if (o.kind === 'SealedSecret') this.add('Secret', namespace, name);
    // cert-manager writes the certificate into spec.secretName.
    if (o.kind === 'Certificate' && group === 'cert-manager.io' && typeof spec.secretName === 'string') {
      this.add('Secret', namespace, spec.secretName);
    }
    // Argo CD's own namespace holds its Applications and AppProjects: wherever Argo CD reads them, it
    // runs there, so that namespace exists (the bootstrap creates it before anything syncs).
    if ((o.kind === 'Application' || o.kind === 'AppProject') && group === 'argoproj.io' && namespace) {
      this.add('Namespace', undefined, namespace);
    }
    // Argo CD creates the destination namespace of an Application that asks for it.
    if (o.kind === 'Application' && group === 'argoproj.io') {
      const destination = isRecord(spec.destination) ? spec.destination : {};
      const options =
        isRecord(spec.syncPolicy) && Array.isArray(spec.syncPolicy.syncOptions)
          ? spec.syncPolicy.syncOptions
          : [];
      if (options.includes('CreateNamespace=true') && typeof destination.namespace === 'string') {
        this.add('Namespace', undefined, destination.namespace);
      }
    }
    if (o.kind === 'Namespace') {
      // Every namespace gets these from the controllers.
      this.add('ServiceAccount', name, 'default');
      this.add('ConfigMap', name, 'kube-root-ca.crt');
    }
    if (o.kind === 'StatefulSet' && Array.isArray(spec.volumeClaimTemplates)) {
      const replicas = typeof spec.replicas === 'number' ? spec.replicas : 1;
      for (const template of spec.volumeClaimTemplates) {
        const claim = isRecord(template) ? metadataOf(template).name : undefined;
        if (!claim) continue;
        for (let i = 0; i < replicas; i++)
          this.add('PersistentVolumeClaim', namespace, `${claim}-${name}-${i}`);
      }
    }
  }

  /** Whether the resource will exist; marks an allow-list entry as used when it is what answers. */
  has(kind: ReferencedKind, namespace: string | undefined, name: string): boolean {
    const k = key(kind, kind === 'Namespace' ? undefined : namespace, name);
    if (kind === 'ServiceAccount' && name === 'default') return true;
    if (kind === 'ConfigMap' && name === 'kube-root-ca.crt') return true;
    if (this.present.has(k)) return true;
    const external = this.externalByKey.get(k);
    if (external) {
      this.usedExternal.add(external);
      return true;
    }
    if (this.unknownKinds.has(kind)) return true;
    return this.unknownNamespaces.has(kind === 'Namespace' ? name : (namespace ?? ''));
  }

  externalEntries(): ExternalResource[] {
    return [...this.externalByKey.values()];
  }

  isRendered(entry: ExternalResource): boolean {
    return this.renderedKeys.has(
      key(entry.kind, entry.kind === 'Namespace' ? undefined : entry.namespace, entry.name),
    );
  }
}

/** Namespaced kinds need a namespace; the catalog knows which kinds are. */
export function isNamespacedObject(rendered: RenderedObject, catalog: SchemaCatalog): boolean | undefined {
  const apiVersion = rendered.object.apiVersion;
  const kind = rendered.object.kind;
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') return undefined;
  return catalog.isNamespaced({ ...splitApiVersion(apiVersion), kind });
}
