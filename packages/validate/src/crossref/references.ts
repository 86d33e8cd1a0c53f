import type { Finding } from '@airspark/findings';
import { findingAt } from '../finding-at.js';
import { isRecord, metadataOf, type ObjectPath, type RenderedObject } from '../model.js';
import { containersOf, podSpecOf } from '../policies/workloads.js';
import { type Rule, rules } from '../rules.js';
import type { SchemaCatalog } from '../schema/catalog.js';
import { isTemplated } from '../spark/jinja.js';
import { parseSparkDefaults, SPARK_DEFAULTS_KEY } from '../spark/spark-pods.js';
import { type Inventory, isNamespacedObject, type ReferencedKind } from './inventory.js';

/** One name an object refers to, that must exist for the object to work. */
export interface Reference {
  kind: ReferencedKind;
  namespace: string | undefined;
  name: string;
  path: ObjectPath;
  /** `volume "config"`, `env FOO`… for the message. */
  via: string;
}

const ruleFor: Record<ReferencedKind, Rule> = {
  ServiceAccount: rules.serviceAccount,
  Secret: rules.secret,
  ConfigMap: rules.configMap,
  PersistentVolumeClaim: rules.pvc,
  Namespace: rules.namespace,
};

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function podSpecReferences(
  spec: Record<string, unknown>,
  base: ObjectPath,
  namespace: string | undefined,
): Reference[] {
  const refs: Reference[] = [];
  const push = (kind: ReferencedKind, name: string | undefined, path: ObjectPath, via: string) => {
    if (name) refs.push({ kind, namespace, name, path, via });
  };
  push(
    'ServiceAccount',
    str(spec.serviceAccountName) ?? str(spec.serviceAccount),
    [...base, 'serviceAccountName'],
    'serviceAccountName',
  );
  if (Array.isArray(spec.imagePullSecrets)) {
    spec.imagePullSecrets.forEach((s, i) => {
      if (isRecord(s)) push('Secret', str(s.name), [...base, 'imagePullSecrets', i], 'imagePullSecrets');
    });
  }
  if (Array.isArray(spec.volumes)) {
    spec.volumes.forEach((v, i) => {
      if (!isRecord(v)) return;
      const at: ObjectPath = [...base, 'volumes', i];
      const via = `volume "${String(v.name ?? i)}"`;
      if (isRecord(v.secret) && v.secret.optional !== true)
        push('Secret', str(v.secret.secretName), [...at, 'secret'], via);
      if (isRecord(v.configMap) && v.configMap.optional !== true)
        push('ConfigMap', str(v.configMap.name), [...at, 'configMap'], via);
      if (isRecord(v.persistentVolumeClaim))
        push(
          'PersistentVolumeClaim',
          str(v.persistentVolumeClaim.claimName),
          [...at, 'persistentVolumeClaim'],
          via,
        );
      if (isRecord(v.projected) && Array.isArray(v.projected.sources)) {
        v.projected.sources.forEach((s, j) => {
          if (!isRecord(s)) return;
          if (isRecord(s.secret) && s.secret.optional !== true)
            push('Secret', str(s.secret.name), [...at, 'projected', 'sources', j], via);
          if (isRecord(s.configMap) && s.configMap.optional !== true)
            push('ConfigMap', str(s.configMap.name), [...at, 'projected', 'sources', j], via);
        });
      }
    });
  }
  for (const c of containersOf({ spec, path: base })) {
    const container = c.container;
    if (Array.isArray(container.env)) {
      container.env.forEach((e, i) => {
        if (!isRecord(e) || !isRecord(e.valueFrom)) return;
        const via = `env ${String(e.name)} of container "${c.name}"`;
        const { secretKeyRef, configMapKeyRef } = e.valueFrom;
        if (isRecord(secretKeyRef) && secretKeyRef.optional !== true)
          push('Secret', str(secretKeyRef.name), [...c.path, 'env', i, 'valueFrom'], via);
        if (isRecord(configMapKeyRef) && configMapKeyRef.optional !== true)
          push('ConfigMap', str(configMapKeyRef.name), [...c.path, 'env', i, 'valueFrom'], via);
      });
    }
    if (Array.isArray(container.envFrom)) {
      container.envFrom.forEach((e, i) => {
        if (!isRecord(e)) return;
        const via = `envFrom of container "${c.name}"`;
        if (isRecord(e.secretRef) && e.secretRef.optional !== true)
          push('Secret', str(e.secretRef.name), [...c.path, 'envFrom', i], via);
        if (isRecord(e.configMapRef) && e.configMapRef.optional !== true)
          push('ConfigMap', str(e.configMapRef.name), [...c.path, 'envFrom', i], via);
      });
    }
  }
  return refs;
}

function sparkReferences(object: Record<string, unknown>, namespace: string | undefined): Reference[] {
  let spec: unknown = object.spec;
  let base: ObjectPath = ['spec'];
  if (object.kind === 'ScheduledSparkApplication') {
    spec = isRecord(spec) ? spec.template : undefined;
    base = ['spec', 'template'];
  }
  if (!isRecord(spec)) return [];
  const refs: Reference[] = [];
  for (const role of ['driver', 'executor']) {
    const pod = spec[role];
    const sa = isRecord(pod) ? str(pod.serviceAccount) : undefined;
    if (sa)
      refs.push({
        kind: 'ServiceAccount',
        namespace,
        name: sa,
        path: [...base, role, 'serviceAccount'],
        via: `${role}.serviceAccount`,
      });
  }
  if (Array.isArray(spec.volumes)) {
    spec.volumes.forEach((v, i) => {
      if (!isRecord(v)) return;
      const via = `volume "${String(v.name ?? i)}"`;
      if (isRecord(v.secret) && v.secret.optional !== true && str(v.secret.secretName))
        refs.push({
          kind: 'Secret',
          namespace,
          name: String(v.secret.secretName),
          path: [...base, 'volumes', i],
          via,
        });
      if (isRecord(v.configMap) && v.configMap.optional !== true && str(v.configMap.name))
        refs.push({
          kind: 'ConfigMap',
          namespace,
          name: String(v.configMap.name),
          path: [...base, 'volumes', i],
          via,
        });
      if (isRecord(v.persistentVolumeClaim) && str(v.persistentVolumeClaim.claimName))
        refs.push({
          kind: 'PersistentVolumeClaim',
          namespace,
          name: String(v.persistentVolumeClaim.claimName),
          path: [...base, 'volumes', i],
          via,
        });
    });
  }
  return refs;
}

function bindingReferences(object: Record<string, unknown>): Reference[] {
  if (object.kind !== 'RoleBinding' && object.kind !== 'ClusterRoleBinding') return [];
  if (!Array.isArray(object.subjects)) return [];
  const own = metadataOf(object).namespace;
  const refs: Reference[] = [];
  object.subjects.forEach((s, i) => {
    if (!isRecord(s) || s.kind !== 'ServiceAccount' || !str(s.name)) return;
    refs.push({
      kind: 'ServiceAccount',
      namespace: str(s.namespace) ?? own,
      name: String(s.name),
      path: ['subjects', i],
      via: `subject ${i}`,
    });
  });
  return refs;
}

const SPARK_CONF_CLAIM =
  /^spark\.kubernetes\.(driver|executor)\.volumes\.persistentVolumeClaim\.([^.]+)\.options\.claimName$/;

/**
 * The claims and ServiceAccount that a spark-defaults.conf (Livy's ConfigMap) makes every batch use,
 * in the namespace it sends them to (spark.kubernetes.namespace). Reported at the ConfigMap's
 * spark-defaults.conf, whose lines come from the values file.
 */
function sparkDefaultsReferences(object: Record<string, unknown>): Reference[] {
  if (object.kind !== 'ConfigMap' || !isRecord(object.data)) return [];
  const text = object.data[SPARK_DEFAULTS_KEY];
  if (typeof text !== 'string') return [];
  const conf = parseSparkDefaults(text);
  const namespace = str(conf['spark.kubernetes.namespace']);
  if (!namespace) return [];
  const refs: Reference[] = [];
  const path = ['data', SPARK_DEFAULTS_KEY];
  for (const [key, value] of Object.entries(conf)) {
    const claim = SPARK_CONF_CLAIM.exec(key);
    if (claim && str(value) && value !== 'OnDemand')
      refs.push({
        kind: 'PersistentVolumeClaim',
        namespace,
        name: value,
        path,
        via: `${SPARK_DEFAULTS_KEY} ${key}`,
      });
  }
  const sa = str(conf['spark.kubernetes.authenticate.driver.serviceAccountName']);
  if (sa)
    refs.push({
      kind: 'ServiceAccount',
      namespace,
      name: sa,
      path,
      via: `${SPARK_DEFAULTS_KEY} spark.kubernetes.authenticate.driver.serviceAccountName`,
    });
  return refs;
}

/** Every name an object refers to. */
export function referencesOf(rendered: RenderedObject, catalog: SchemaCatalog): Reference[] {
  const o = rendered.object;
  const namespace = metadataOf(o).namespace;
  const refs: Reference[] = [];
  if (namespace && isNamespacedObject(rendered, catalog) === true) {
    refs.push({
      kind: 'Namespace',
      namespace: undefined,
      name: namespace,
      path: ['metadata', 'namespace'],
      via: 'metadata.namespace',
    });
  }
  const site = podSpecOf(o);
  if (site) refs.push(...podSpecReferences(site.spec, site.path, namespace));
  if (o.kind === 'SparkApplication' || o.kind === 'ScheduledSparkApplication')
    refs.push(...sparkReferences(o, namespace));
  refs.push(...bindingReferences(o));
  refs.push(...sparkDefaultsReferences(o));
  return refs.filter((r) => !isTemplated(r.name) && !isTemplated(r.namespace));
}

/** xref/service-account, xref/secret, xref/config-map, xref/pvc, xref/namespace. */
export function checkReferences(
  rendered: RenderedObject,
  catalog: SchemaCatalog,
  inventory: Inventory,
): Finding[] {
  const findings: Finding[] = [];
  for (const ref of referencesOf(rendered, catalog)) {
    // Without a namespace (a DAG template the operator places at run time) there is nothing to look up.
    if (ref.kind !== 'Namespace' && ref.namespace === undefined) continue;
    if (inventory.has(ref.kind, ref.namespace, ref.name)) continue;
    const where = ref.kind === 'Namespace' ? '' : ` in namespace ${ref.namespace}`;
    findings.push(
      findingAt(rendered, {
        rule: ruleFor[ref.kind],
        message: `${ref.via} refers to ${ref.kind} "${ref.name}"${where}, which no rendered object of ${rendered.env || 'this environment'} creates. Render it, fix the name, or list it in clusters/${rendered.env || '<env>'}/external-resources.yaml if something outside git creates it.`,
        path: ref.path,
      }),
    );
  }
  return findings;
}
