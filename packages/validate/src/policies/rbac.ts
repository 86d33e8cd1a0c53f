import type { Finding } from '@airspark/findings';
import { findingAt } from '../finding-at.js';
import { isRecord, metadataOf, type RenderedObject } from '../model.js';
import { rules } from '../rules.js';

/**
 * Applications whose controller needs every permission by design: Argo CD applies whatever the
 * repository holds, so its application controller is bound to a wildcard ClusterRole upstream.
 * Everything else earns its permissions one by one (docs/validation.md#policywildcard-role).
 */
export const ALL_POWERFUL_BY_DESIGN = new Set(['argocd']);

/** Built-in ClusterRoles that grant everything (cluster-admin is `*` on `*`). */
const BUILT_IN_WILDCARD_ROLES = new Set(['cluster-admin']);

function wildcardRule(role: Record<string, unknown>): string | undefined {
  const list = Array.isArray(role.rules) ? role.rules : [];
  for (const rule of list) {
    if (!isRecord(rule)) continue;
    for (const field of ['verbs', 'resources', 'apiGroups', 'nonResourceURLs'] as const) {
      const values = rule[field];
      if (Array.isArray(values) && values.includes('*')) return `${field}: ["*"]`;
    }
  }
  return undefined;
}

/**
 * policy/wildcard-role: no RoleBinding or ClusterRoleBinding grants cluster-admin or a Role/
 * ClusterRole with a wildcard (`*` verbs, resources or API groups). Reported at the binding's
 * roleRef, where the grant is made.
 */
export function checkWildcardBindings(objects: readonly RenderedObject[]): Map<RenderedObject, Finding[]> {
  const roles = new Map<string, RenderedObject>();
  for (const r of objects) {
    const { kind } = r.object;
    if (kind !== 'ClusterRole' && kind !== 'Role') continue;
    const { name, namespace } = metadataOf(r.object);
    roles.set(kind === 'ClusterRole' ? `ClusterRole//${name}` : `Role/${namespace ?? ''}/${name}`, r);
  }
  const out = new Map<RenderedObject, Finding[]>();
  for (const r of objects) {
    const { kind } = r.object;
    if ((kind !== 'RoleBinding' && kind !== 'ClusterRoleBinding') || ALL_POWERFUL_BY_DESIGN.has(r.app))
      continue;
    const ref = isRecord(r.object.roleRef) ? r.object.roleRef : {};
    const refKind = String(ref.kind ?? '');
    const refName = String(ref.name ?? '');
    let why: string | undefined;
    if (refKind === 'ClusterRole' && BUILT_IN_WILDCARD_ROLES.has(refName)) why = `the built-in ${refName}`;
    else {
      const key =
        refKind === 'ClusterRole'
          ? `ClusterRole//${refName}`
          : `Role/${metadataOf(r.object).namespace ?? ''}/${refName}`;
      const role = roles.get(key);
      const wildcard = role ? wildcardRule(role.object) : undefined;
      if (wildcard) why = `${refKind} ${refName}, which grants ${wildcard}`;
    }
    if (!why) continue;
    out.set(r, [
      findingAt(r, {
        rule: rules.wildcardRole,
        message: `${kind} ${metadataOf(r.object).name ?? ''} grants ${why}: every permission on what it covers. Bind a role that lists the verbs and resources the subject needs, or suppress with the reason.`,
        path: ['roleRef', 'name'],
      }),
    ]);
  }
  return out;
}
