import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type GroupVersionKind, groupKindKey, gvkKey } from '../model.js';
import type { ApiLifecycle } from './api-lifecycle.js';
import type { SchemaBundle } from './compile.js';
import { type JsonSchema, OBJECT_META } from './convert.js';
import type { CrdSchemas, CrdVersion } from './crd.js';
import { type BuiltinResource, DEFINITIONS_REF_PREFIX, reachableDefinitions } from './kubernetes-spec.js';

/** The committed, generated schemas (see scripts/update-schemas.mjs). */
export const SCHEMAS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../schemas');

/** Everything known about the API of one Kubernetes minor version, plus installed CRDs. */
export interface KubernetesApi {
  /** `1.35` */
  minor: string;
  /** `v1.35.4`: the release the schemas come from. */
  release: string;
  resources: BuiltinResource[];
  definitions: Record<string, JsonSchema>;
  /** Kinds served by the next minor version, when its schemas are committed (for removal warnings). */
  nextMinorResources?: BuiltinResource[];
  lifecycle: ApiLifecycle[];
}

export type SchemaMatch =
  | { source: 'builtin'; resource: BuiltinResource; bundle: 'builtin'; entry: string }
  | { source: 'crd'; crd: CrdSchemas; version: CrdVersion; bundle: string; entry: string };

function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

/** Kubernetes minor versions whose schemas are committed. */
export function availableKubernetesVersions(dir: string = SCHEMAS_DIR): string[] {
  const root = path.join(dir, 'kubernetes');
  return readdirSync(root, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(path.join(root, e.name, 'definitions.json')))
    .map((e) => e.name)
    .sort();
}

const apiCache = new Map<string, KubernetesApi>();

/** Loads the committed schemas of a minor version (`1.35`); undefined when none are committed. */
export function loadKubernetesApi(minor: string, dir: string = SCHEMAS_DIR): KubernetesApi | undefined {
  const key = `${dir}\0${minor}`;
  const cached = apiCache.get(key);
  if (cached) return cached;
  const folder = path.join(dir, 'kubernetes', minor);
  if (!existsSync(path.join(folder, 'definitions.json'))) return undefined;
  const { kubernetesVersion, definitions } = readJson<{
    kubernetesVersion: string;
    definitions: Record<string, JsonSchema>;
  }>(path.join(folder, 'definitions.json'));
  const { resources } = readJson<{ resources: BuiltinResource[] }>(path.join(folder, 'resources.json'));
  const [major = 1, minorNumber = 0] = minor.split('.').map(Number);
  const nextFile = path.join(dir, 'kubernetes', `${major}.${minorNumber + 1}`, 'resources.json');
  const nextMinorResources = existsSync(nextFile)
    ? readJson<{ resources: BuiltinResource[] }>(nextFile).resources
    : undefined;
  const { apis: lifecycle } = readJson<{ apis: ApiLifecycle[] }>(
    path.join(dir, 'kubernetes', 'api-lifecycle.json'),
  );
  const api: KubernetesApi = {
    minor,
    release: kubernetesVersion,
    resources,
    definitions,
    lifecycle,
    ...(nextMinorResources ? { nextMinorResources } : {}),
  };
  apiCache.set(key, api);
  return api;
}

/** The CRDs of the components we install, generated from their pinned releases. */
export function loadPinnedCrds(dir: string = SCHEMAS_DIR): CrdSchemas[] {
  const root = path.join(dir, 'crds');
  const crds: CrdSchemas[] = [];
  for (const component of readdirSync(root, { withFileTypes: true })) {
    if (!component.isDirectory()) continue;
    for (const file of readdirSync(path.join(root, component.name)).sort()) {
      if (file.endsWith('.json')) crds.push(readJson<CrdSchemas>(path.join(root, component.name, file)));
    }
  }
  return crds;
}

/**
 * The CustomResourceDefinitions of the components we install, exactly as released (for installing them
 * into a test API server). Keyed like CRDs are found: `<kind>.<group>`.
 */
export function loadPinnedCrdManifests(dir: string = SCHEMAS_DIR): Map<string, Record<string, unknown>> {
  const root = path.join(dir, 'crd-manifests');
  const manifests = new Map<string, Record<string, unknown>>();
  for (const component of readdirSync(root, { withFileTypes: true })) {
    if (!component.isDirectory()) continue;
    for (const file of readdirSync(path.join(root, component.name)).sort()) {
      if (!file.endsWith('.json')) continue;
      const crd = readJson<{ spec: { group: string; names: { kind: string } } }>(
        path.join(root, component.name, file),
      );
      manifests.set(
        groupKindKey(crd.spec.group, crd.spec.names.kind),
        crd as unknown as Record<string, unknown>,
      );
    }
  }
  return manifests;
}

/**
 * Answers "which schema validates this apiVersion/kind?" for one environment: the built-in kinds of
 * its Kubernetes version, then CRDs. A CRD rendered into the environment replaces the pinned copy of
 * the same group and kind, because that is what the cluster will actually serve.
 */
export class SchemaCatalog {
  private readonly builtin = new Map<string, BuiltinResource>();
  private readonly crds = new Map<string, CrdSchemas>();
  private builtinBundleValue: SchemaBundle | undefined;
  private readonly crdBundles = new Map<string, SchemaBundle>();

  constructor(
    readonly api: KubernetesApi,
    crds: readonly CrdSchemas[],
  ) {
    for (const r of api.resources) this.builtin.set(gvkKey(r), r);
    for (const crd of crds) this.crds.set(groupKindKey(crd.group, crd.kind), crd);
  }

  /** Adds (or replaces) CRDs, e.g. those found among the rendered objects. */
  withCrds(crds: readonly CrdSchemas[]): SchemaCatalog {
    return new SchemaCatalog(this.api, [...this.crds.values(), ...crds]);
  }

  /** Every CRD the catalog knows (pinned and rendered). */
  crdsList(): CrdSchemas[] {
    return [...this.crds.values()];
  }

  crdFor(group: string, kind: string): CrdSchemas | undefined {
    return this.crds.get(groupKindKey(group, kind));
  }

  builtinFor(gvk: GroupVersionKind): BuiltinResource | undefined {
    return this.builtin.get(gvkKey(gvk));
  }

  /** Built-in kinds of this group and kind in any version (to suggest a served version). */
  builtinVersionsOf(group: string, kind: string): BuiltinResource[] {
    return this.api.resources.filter((r) => r.group === group && r.kind === kind);
  }

  /** Whether the kind exists in the group in any version: built in, in the lifecycle data, or as a CRD. */
  knowsKind(group: string, kind: string): boolean {
    return (
      this.builtinVersionsOf(group, kind).length > 0 ||
      this.api.lifecycle.some((l) => l.group === group && l.kind === kind) ||
      this.crdFor(group, kind) !== undefined
    );
  }

  /** Every kind of a group (built in or CRD), to suggest the intended one for a typo. */
  kindsOfGroup(group: string): string[] {
    const kinds = new Set(this.api.resources.filter((r) => r.group === group).map((r) => r.kind));
    for (const crd of this.crds.values()) if (crd.group === group) kinds.add(crd.kind);
    return [...kinds];
  }

  isBuiltinGroup(group: string): boolean {
    return (
      this.api.resources.some((r) => r.group === group) || this.api.lifecycle.some((l) => l.group === group)
    );
  }

  /** Whether objects of this kind live in a namespace; undefined when the kind is unknown. */
  isNamespaced(gvk: GroupVersionKind): boolean | undefined {
    const builtin = this.builtinFor(gvk) ?? this.builtinVersionsOf(gvk.group, gvk.kind)[0];
    if (builtin) return builtin.namespaced;
    return this.crdFor(gvk.group, gvk.kind)?.namespaced;
  }

  find(gvk: GroupVersionKind): SchemaMatch | undefined {
    const resource = this.builtinFor(gvk);
    if (resource) return { source: 'builtin', resource, bundle: 'builtin', entry: gvkKey(gvk) };
    const crd = this.crdFor(gvk.group, gvk.kind);
    const version = crd?.versions.find((v) => v.name === gvk.version);
    if (!crd || !version) return undefined;
    return { source: 'crd', crd, version, bundle: crdBundleKey(crd), entry: version.name };
  }

  builtinBundle(): SchemaBundle {
    if (!this.builtinBundleValue) {
      const entries: Record<string, unknown> = {};
      for (const r of this.api.resources)
        entries[gvkKey(r)] = { $ref: `${DEFINITIONS_REF_PREFIX}${r.definition}` };
      this.builtinBundleValue = { definitions: this.api.definitions, entries };
    }
    return this.builtinBundleValue;
  }

  /** A CRD's versions compiled together with the few built-in definitions they use (ObjectMeta). */
  crdBundle(crd: CrdSchemas): SchemaBundle {
    const key = crdBundleKey(crd);
    const cached = this.crdBundles.get(key);
    if (cached) return cached;
    const entries: Record<string, unknown> = {};
    for (const v of crd.versions) entries[v.name] = v.schema ?? {};
    const definitions: Record<string, unknown> = {};
    for (const name of reachableDefinitions(this.api.definitions, [OBJECT_META])) {
      definitions[name] = this.api.definitions[name];
    }
    const bundle = { definitions, entries };
    this.crdBundles.set(key, bundle);
    return bundle;
  }
}

function crdBundleKey(crd: CrdSchemas): string {
  return `crd:${groupKindKey(crd.group, crd.kind)}`;
}
