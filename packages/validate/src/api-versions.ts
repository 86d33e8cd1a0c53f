import type { Finding } from '@airspark/findings';
import { findingAt } from './finding-at.js';
import { apiVersionOf, type GroupVersionKind, gvkOf, type RenderedObject } from './model.js';
import { rules } from './rules.js';
import { type ApiLifecycle, compareMinor, nextMinor } from './schema/api-lifecycle.js';
import type { SchemaCatalog } from './schema/catalog.js';

/** Beta APIs introduced from this release on are off by default (KEP-3136). */
const BETA_OFF_BY_DEFAULT_SINCE = '1.24';

function lifecycleOf(catalog: SchemaCatalog, gvk: GroupVersionKind): ApiLifecycle | undefined {
  return catalog.api.lifecycle.find(
    (l) => l.group === gvk.group && l.version === gvk.version && l.kind === gvk.kind,
  );
}

/** Versions ranked GA first, then beta, then alpha; newer first within a level. */
function stability(version: string): number {
  if (/alpha/.test(version)) return 0;
  if (/beta/.test(version)) return 1;
  return 2;
}

function suggestion(
  catalog: SchemaCatalog,
  gvk: GroupVersionKind,
  lifecycle: ApiLifecycle | undefined,
): string {
  const replacement = lifecycle?.replacement;
  if (replacement && catalog.builtinFor(replacement)) {
    return ` Use apiVersion ${apiVersionOf(replacement)}${replacement.kind !== gvk.kind ? ` kind ${replacement.kind}` : ''} instead.`;
  }
  const served = catalog
    .builtinVersionsOf(gvk.group, gvk.kind)
    .sort((a, b) => stability(b.version) - stability(a.version) || b.version.localeCompare(a.version));
  const best = served[0];
  return best
    ? ` Use apiVersion ${apiVersionOf(best)} instead.`
    : ' There is no served replacement; remove the object or replace the feature.';
}

function checkCustomResource(
  rendered: RenderedObject,
  catalog: SchemaCatalog,
  gvk: GroupVersionKind,
): Finding[] {
  const crd = catalog.crdFor(gvk.group, gvk.kind);
  if (!crd) return [];
  const version = crd.versions.find((v) => v.name === gvk.version);
  const served = crd.versions.filter((v) => v.served).map((v) => v.name);
  const at = { path: ['apiVersion'] as const };
  if (!version?.served) {
    return [
      findingAt(rendered, {
        rule: rules.apiRemoved,
        message: `the ${gvk.kind} CRD (${crd.origin}) does not serve ${gvk.version}; it serves ${served.join(', ') || 'no version'}. Change apiVersion to ${gvk.group}/${served.at(-1) ?? '?'}.`,
        ...at,
      }),
    ];
  }
  if (version.deprecated) {
    return [
      findingAt(rendered, {
        rule: rules.apiDeprecated,
        message: `${apiVersionOf(gvk)} ${gvk.kind} is deprecated by its CRD${version.deprecationWarning ? `: ${version.deprecationWarning}` : ''}. Move to ${gvk.group}/${crd.versions.find((v) => v.storage)?.name ?? served.at(-1)}.`,
        ...at,
      }),
    ];
  }
  return [];
}

/**
 * Reports apiVersions the environment's Kubernetes does not serve (removed, or pre-release and off
 * by default), those it deprecates, and those the next minor version removes.
 */
export function checkApiVersion(rendered: RenderedObject, catalog: SchemaCatalog): Finding[] {
  const gvk = gvkOf(rendered.object);
  if (!gvk) return [];
  if (!catalog.isBuiltinGroup(gvk.group)) return checkCustomResource(rendered, catalog, gvk);
  // A kind the group never had is a typo, which the schema check reports with a suggestion.
  if (!catalog.knowsKind(gvk.group, gvk.kind)) return [];
  const minor = catalog.api.minor;
  const lifecycle = lifecycleOf(catalog, gvk);
  const apiVersion = apiVersionOf(gvk);
  const at = { path: ['apiVersion'] as const };
  if (!catalog.builtinFor(gvk)) {
    const when =
      lifecycle?.removed && compareMinor(lifecycle.removed, minor) <= 0
        ? `was removed in Kubernetes ${lifecycle.removed}`
        : `is not served by Kubernetes ${minor}`;
    return [
      findingAt(rendered, {
        rule: rules.apiRemoved,
        message: `${apiVersion} ${gvk.kind} ${when}.${suggestion(catalog, gvk, lifecycle)}`,
        ...at,
      }),
    ];
  }
  const findings: Finding[] = [];
  const preRelease = /alpha|beta/.test(gvk.version);
  const offByDefault =
    /alpha/.test(gvk.version) ||
    (/beta/.test(gvk.version) &&
      lifecycle?.introduced !== undefined &&
      compareMinor(lifecycle.introduced, BETA_OFF_BY_DEFAULT_SINCE) >= 0);
  if (offByDefault) {
    findings.push(
      findingAt(rendered, {
        rule: rules.apiNotEnabled,
        message: `${apiVersion} ${gvk.kind} is a pre-release API that Kubernetes ${minor} serves only when the API server enables it (--runtime-config), which EKS does not allow.${suggestion(catalog, gvk, lifecycle)}`,
        ...at,
      }),
    );
  }
  if (
    preRelease &&
    lifecycle?.deprecated &&
    compareMinor(lifecycle.deprecated, minor) <= 0 &&
    !offByDefault
  ) {
    const removal = lifecycle.removed ? ` and is removed in ${lifecycle.removed}` : '';
    findings.push(
      findingAt(rendered, {
        rule: rules.apiDeprecated,
        message: `${apiVersion} ${gvk.kind} is deprecated since Kubernetes ${lifecycle.deprecated}${removal}.${suggestion(catalog, gvk, lifecycle)}`,
        ...at,
      }),
    );
  }
  const next = nextMinor(minor);
  const nextResources = catalog.api.nextMinorResources;
  const goneNext =
    (nextResources !== undefined &&
      !nextResources.some(
        (r) => r.group === gvk.group && r.version === gvk.version && r.kind === gvk.kind,
      )) ||
    (lifecycle?.removed !== undefined && compareMinor(lifecycle.removed, next) === 0);
  if (goneNext && !offByDefault) {
    findings.push(
      findingAt(rendered, {
        rule: rules.apiRemovedNextMinor,
        message: `${apiVersion} ${gvk.kind} is no longer served by Kubernetes ${next}; migrate before upgrading.${suggestion(catalog, gvk, lifecycle)}`,
        ...at,
      }),
    );
  }
  return findings;
}
