import type { CacheStatistics } from '@airspark/config';
import type { Finding } from '@airspark/findings';
import { checkApiVersion } from './api-versions.js';
import { appliedByArgoCD } from './argocd-applies.js';
import { applicationsOf, checkAppProjects, checkDuplicates, checkSyncWaves } from './crossref/argocd.js';
import { type ExternalResource, Inventory, isNamespacedObject } from './crossref/inventory.js';
import { checkUnauthenticatedServices } from './crossref/network-policy.js';
import { nodePoolsOf } from './crossref/node-pools.js';
import { checkPodPlacement, type SystemNodes } from './crossref/pod-placement.js';
import { checkReferences } from './crossref/references.js';
import { checkSparkPlacement } from './crossref/spark-placement.js';
import { findingAt } from './finding-at.js';
import { isRecord, type RenderedObject, type SourceLocation } from './model.js';
import { checkPinnedImages } from './policies/images.js';
import {
  checkHostNamespaces,
  checkHostPath,
  checkPrivileged,
  checkPrivilegeEscalation,
  checkReadOnlyRootFs,
  checkResources,
  checkRunAsNonRoot,
} from './policies/pod-policies.js';
import { checkWildcardBindings } from './policies/rbac.js';
import { checkPlaintextSecret } from './policies/secrets.js';
import { checkAddedCapabilities, checkSparkPodSecurity } from './policies/spark-pod-security.js';
import { rules } from './rules.js';
import {
  availableKubernetesVersions,
  loadKubernetesApi,
  loadPinnedCrds,
  SCHEMAS_DIR,
  SchemaCatalog,
} from './schema/catalog.js';
import { SchemaChecker } from './schema/check-schemas.js';
import { ValidatorCache } from './schema/compile.js';
import { type CrdSchemas, crdSchemasFrom } from './schema/crd.js';
import { checkMetadata } from './schema/metadata.js';
import { DAG_TEMPLATES_APP } from './spark/dag-templates.js';
import {
  type SparkPodPlacement,
  sparkApplicationPlacements,
  sparkDefaultsPlacements,
} from './spark/spark-pods.js';
import { applySuppressions } from './suppress.js';

/** Everything one environment's validation needs. */
export interface EnvironmentInput {
  env: string;
  /** `1.35`: the environment's Kubernetes minor version. */
  kubernetesVersion: string;
  /** Where the environment declares its version (for a finding when no schemas exist for it). */
  kubernetesVersionSource?: SourceLocation;
  objects: readonly RenderedObject[];
  /** SparkApplication templates of the DAG bundle (see loadSparkTemplates); checked in every environment. */
  sparkTemplates?: readonly RenderedObject[];
  /** Resources created outside git (see loadExternalResources). */
  externalResources?: readonly ExternalResource[];
  /**
   * Applications the renderer could not render completely (e.g. an upstream chart not in the cache):
   * references into their destination namespaces cannot be judged and are not reported.
   */
  incompleteApps?: readonly string[];
  /**
   * Kinds whose references cannot be judged because a component that creates them was not rendered
   * (storage's claims before the infrastructure outputs exist): not reported.
   */
  unjudgedKinds?: readonly string[];
  /** The environment's EKS managed system node group (see @airspark/config systemNodeGroupOf). */
  systemNodeGroup?: SystemNodes;
  /**
   * Applications that `pnpm bootstrap` installs before the root Application syncs (Argo CD
   * itself): their CustomResourceDefinitions exist before any sync wave of any Application.
   */
  bootstrapApps?: readonly string[];
  /**
   * Set for an environment that has no Karpenter by design (the local cluster), saying why: Spark
   * workloads without a NodePool are then reported as warnings, not errors.
   */
  noKarpenterReason?: string;
}

export interface ValidatorOptions {
  /** Compiled schemas are cached under `<cacheDir>/validators`; undefined keeps them in memory only. */
  cacheDir?: string;
  /** The generated schemas (default: the package's `schemas/`). */
  schemasDir?: string;
  /** Folders of code generated at build time (default: this package's `dist/precompiled`). */
  precompiledDirs?: readonly string[];
}

/** The project's cache folder (`${AIRSPARK_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/airspark}`). */
export { defaultCacheDir } from '@airspark/config';

type PerObject = Map<RenderedObject, Finding[]>;

function add(per: PerObject, rendered: RenderedObject, findings: readonly Finding[]): void {
  if (findings.length === 0) return;
  const list = per.get(rendered);
  if (list) list.push(...findings);
  else per.set(rendered, [...findings]);
}

const objectPolicies = [
  checkPinnedImages,
  checkResources,
  checkRunAsNonRoot,
  checkPrivileged,
  checkPrivilegeEscalation,
  checkReadOnlyRootFs,
  checkHostNamespaces,
  checkHostPath,
  checkAddedCapabilities,
  checkSparkPodSecurity,
  checkPlaintextSecret,
];

/** The validator: compiled schemas are shared by every environment it checks. */
export class EnvironmentValidator {
  private readonly cache: ValidatorCache;
  private readonly schemasDir: string;
  private pinnedCrds: CrdSchemas[] | undefined;

  constructor(options: ValidatorOptions = {}) {
    this.cache = new ValidatorCache(options.cacheDir, options.precompiledDirs);
    this.schemasDir = options.schemasDir ?? SCHEMAS_DIR;
  }

  /** How compiled schemas were found so far: precompiled, cached, or compiled (for tests and benchmarks). */
  get compiledSchemaStatistics(): CacheStatistics {
    return this.cache.compiled.statistics;
  }

  /** Builds the schema catalog of an environment: its Kubernetes version plus pinned and rendered CRDs. */
  catalogFor(input: EnvironmentInput): { catalog?: SchemaCatalog; findings: Finding[] } {
    const api = loadKubernetesApi(input.kubernetesVersion, this.schemasDir);
    if (!api) {
      const at = input.kubernetesVersionSource ?? {
        file: `clusters/${input.env}/environment.yaml`,
        line: 0,
        column: 0,
      };
      return {
        findings: [
          {
            severity: 'error',
            rule: rules.schemaUnsupportedVersion.id,
            message: `no schemas for Kubernetes ${input.kubernetesVersion} (have: ${availableKubernetesVersions(this.schemasDir).join(', ')}); add it to packages/validate/schemas/sources.json and run \`pnpm schemas:update\`.`,
            ...at,
            env: input.env,
          },
        ],
      };
    }
    this.pinnedCrds ??= loadPinnedCrds(this.schemasDir);
    const findings: Finding[] = [];
    const rendered: CrdSchemas[] = [];
    for (const r of input.objects) {
      if (r.object.kind !== 'CustomResourceDefinition') continue;
      const result = crdSchemasFrom(r.object, `${r.app} (${r.source.file})`);
      if (result.ok) rendered.push(result.crd);
      else
        findings.push(
          findingAt(r, {
            rule: rules.schemaInvalidCrd,
            message: `CustomResourceDefinition cannot be read: ${result.problem}.`,
          }),
        );
    }
    return { catalog: new SchemaCatalog(api, this.pinnedCrds).withCrds(rendered), findings };
  }

  validateEnvironment(input: EnvironmentInput): Finding[] {
    const { catalog, findings: catalogFindings } = this.catalogFor(input);
    if (!catalog) return catalogFindings;
    // Objects Argo CD never creates (Helm test hooks) are not part of the environment.
    const objects = input.objects.filter((r) => appliedByArgoCD(r.object));
    const templates = (input.sparkTemplates ?? []).map((t) => ({ ...t, env: input.env }));
    // Findings per object, so that each object's suppressions apply to its own findings only.
    const per: PerObject = new Map();
    this.checkEachObject(objects, templates, catalog, per);
    checkSpark(objects, templates, per, input.noKarpenterReason);
    for (const [r, findings] of checkWildcardBindings(objects)) add(per, r, findings);
    for (const [r, findings] of checkUnauthenticatedServices(objects)) add(per, r, findings);
    for (const [r, findings] of checkPodPlacement(objects, input.systemNodeGroup)) add(per, r, findings);
    // Cross-object checks see the objects as Argo CD applies them (namespaces filled in).
    const placed = inDestinationNamespaces(objects, catalog);
    const inventory = checkReferencesOf(objects, placed, templates, input, catalog, per);

    const out: Finding[] = [...catalogFindings];
    for (const [r, findings] of per) out.push(...applySuppressions(r, findings));
    // Objects without findings still get their suppressions checked (an unused one is stale).
    for (const r of [...objects, ...templates]) if (!per.has(r)) out.push(...applySuppressions(r, []));
    out.push(
      ...checkAppProjects(objects, catalog),
      ...checkSyncWaves(placed, catalog, input.bootstrapApps ?? []),
      ...checkDuplicates(placed, catalog),
      ...externalListFindings(inventory, input.env),
    );
    this.cache.persistCodeCaches();
    return out;
  }

  /** Schemas, metadata, API versions and policies: checks that need one object at a time. */
  private checkEachObject(
    objects: readonly RenderedObject[],
    templates: readonly RenderedObject[],
    catalog: SchemaCatalog,
    per: PerObject,
  ): void {
    const checker = new SchemaChecker(catalog, this.cache);
    for (const r of objects) {
      add(per, r, checker.check(r));
      add(per, r, checkMetadata(r));
      add(per, r, checkApiVersion(r, catalog));
      for (const policy of objectPolicies) add(per, r, policy(r));
    }
    for (const t of templates) {
      add(per, t, checker.check(t, { ignoreTemplated: true }));
      add(per, t, checkApiVersion(t, catalog));
      add(per, t, checkPinnedImages(t));
      add(per, t, checkAddedCapabilities(t));
      add(per, t, checkSparkPodSecurity(t));
    }
  }
}

/** Spark placement and capacity: SparkApplications, DAG templates and Livy's spark-defaults.conf. */
function checkSpark(
  objects: readonly RenderedObject[],
  templates: readonly RenderedObject[],
  per: PerObject,
  noKarpenterReason: string | undefined,
): void {
  const placements: SparkPodPlacement[] = [];
  for (const r of [...objects, ...templates]) {
    const o = r.object;
    const isSpark =
      (o.kind === 'SparkApplication' || o.kind === 'ScheduledSparkApplication') &&
      typeof o.apiVersion === 'string' &&
      o.apiVersion.startsWith('sparkoperator.k8s.io/');
    if (isSpark) {
      const name = isRecord(o.metadata) ? String(o.metadata.name ?? '') : '';
      const origin = r.app === DAG_TEMPLATES_APP ? `DAG template ${r.source.file}` : `${o.kind} ${name}`;
      placements.push(...sparkApplicationPlacements(r, origin));
    } else if (o.kind === 'ConfigMap' && o.apiVersion === 'v1') {
      placements.push(...sparkDefaultsPlacements(r));
    }
  }
  const pools = nodePoolsOf(objects);
  for (const p of placements) add(per, p.rendered, checkSparkPlacement([p], pools, noKarpenterReason));
}

/** References to ServiceAccounts, Secrets, ConfigMaps, PVCs and namespaces; returns what exists. */
function checkReferencesOf(
  objects: readonly RenderedObject[],
  placed: readonly RenderedObject[],
  templates: readonly RenderedObject[],
  input: EnvironmentInput,
  catalog: SchemaCatalog,
  per: PerObject,
): Inventory {
  const incomplete = new Set(input.incompleteApps ?? []);
  const unknownNamespaces = new Set(
    applicationsOf(objects)
      .filter((a) => incomplete.has(a.name) && a.destination.namespace)
      .map((a) => a.destination.namespace as string),
  );
  const inventory = new Inventory(
    placed,
    input.externalResources ?? [],
    unknownNamespaces,
    new Set(input.unjudgedKinds ?? []),
  );
  placed.forEach((r, i) => {
    add(per, objects[i] as RenderedObject, checkReferences(r, catalog, inventory));
  });
  for (const t of templates) add(per, t, checkReferences(t, catalog, inventory));
  return inventory;
}

/**
 * The objects as Argo CD applies them: a namespaced object that names no namespace goes to its
 * Application's destination namespace. (For the server dry-run, which must send what Argo CD sends.)
 */
export function inDestinationNamespaces(
  objects: readonly RenderedObject[],
  catalog: SchemaCatalog,
): RenderedObject[] {
  const destinations = new Map(
    applicationsOf(objects).map((a) => [a.name, a.destination.namespace] as const),
  );
  return objects.map((r) => inDestinationNamespace(r, destinations.get(r.app), catalog));
}

/** The object as Argo CD applies it: a namespaced object without a namespace goes to the destination's. */
function inDestinationNamespace(
  rendered: RenderedObject,
  destination: string | undefined,
  catalog: SchemaCatalog,
): RenderedObject {
  const metadata = isRecord(rendered.object.metadata) ? rendered.object.metadata : undefined;
  if (!destination || !metadata || typeof metadata.namespace === 'string') return rendered;
  if (isNamespacedObject(rendered, catalog) !== true) return rendered;
  return { ...rendered, object: { ...rendered.object, metadata: { ...metadata, namespace: destination } } };
}

function externalListFindings(inventory: Inventory, env: string): Finding[] {
  const out: Finding[] = [];
  for (const entry of inventory.externalEntries()) {
    const what = `${entry.kind} ${entry.namespace ? `${entry.namespace}/` : ''}${entry.name}`;
    let message: string | undefined;
    if (inventory.isRendered(entry))
      message = `${what} is rendered from git, so it needs no entry here; remove it.`;
    else if (!inventory.usedExternal.has(entry))
      message = `nothing rendered in ${env} refers to ${what}; remove the entry if it is no longer needed.`;
    if (!message) continue;
    out.push({
      severity: rules.externalUnused.severity,
      rule: rules.externalUnused.id,
      message,
      file: entry.file,
      line: entry.line,
      column: entry.column,
      env,
    });
  }
  return out;
}
