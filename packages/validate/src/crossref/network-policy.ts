import type { Finding } from '@airspark/findings';
import { findingAt } from '../finding-at.js';
import { isRecord, metadataOf, type RenderedObject } from '../model.js';
import { rules } from '../rules.js';

/**
 * Applications whose Services answer without authentication: anyone who can reach them can run code
 * (Livy submits arbitrary Spark jobs). Their pods must sit behind a NetworkPolicy in every environment.
 */
export const UNAUTHENTICATED_APPS = new Set(['livy']);

function stringMap(value: unknown): Record<string, string> {
  if (!isRecord(value)) return {};
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, String(v)]));
}

/** Whether a label selector (matchLabels, matchExpressions with In/NotIn/Exists/DoesNotExist) selects `labels`. */
function selects(selector: unknown, labels: Record<string, string>): boolean {
  if (!isRecord(selector)) return false;
  for (const [k, v] of Object.entries(stringMap(selector.matchLabels))) if (labels[k] !== v) return false;
  const expressions = Array.isArray(selector.matchExpressions) ? selector.matchExpressions : [];
  for (const e of expressions) {
    if (!isRecord(e)) return false;
    const key = String(e.key ?? '');
    const values = Array.isArray(e.values) ? e.values.map(String) : [];
    const has = Object.hasOwn(labels, key);
    const value = labels[key] ?? '';
    const ok =
      e.operator === 'In'
        ? has && values.includes(value)
        : e.operator === 'NotIn'
          ? !has || !values.includes(value)
          : e.operator === 'Exists'
            ? has
            : e.operator === 'DoesNotExist'
              ? !has
              : false;
    if (!ok) return false;
  }
  return true;
}

function restrictsIngress(policy: Record<string, unknown>): boolean {
  const spec = isRecord(policy.spec) ? policy.spec : {};
  const types = Array.isArray(spec.policyTypes) ? spec.policyTypes.map(String) : undefined;
  // Without policyTypes, a policy restricts ingress (and egress only when it has egress rules).
  return types ? types.includes('Ingress') : true;
}

/** The pod template labels of the workloads in a namespace. */
function podLabelsIn(objects: readonly RenderedObject[], namespace: string): Record<string, string>[] {
  const out: Record<string, string>[] = [];
  for (const r of objects) {
    if (metadataOf(r.object).namespace !== namespace) continue;
    const spec = isRecord(r.object.spec) ? r.object.spec : {};
    const template = isRecord(spec.template) ? spec.template : undefined;
    if (template && isRecord(template.metadata)) out.push(stringMap(template.metadata.labels));
  }
  return out;
}

/**
 * xref/network-policy: every Service of an unauthenticated Application (Livy) selects only pods that
 * an ingress NetworkPolicy of their namespace covers. Reported at the Service.
 */
export function checkUnauthenticatedServices(
  objects: readonly RenderedObject[],
): Map<RenderedObject, Finding[]> {
  const out = new Map<RenderedObject, Finding[]>();
  for (const r of objects) {
    if (r.object.kind !== 'Service' || !UNAUTHENTICATED_APPS.has(r.app)) continue;
    const namespace = metadataOf(r.object).namespace ?? '';
    const spec = isRecord(r.object.spec) ? r.object.spec : {};
    const selector = stringMap(spec.selector);
    if (Object.keys(selector).length === 0) continue; // no pods behind it (an ExternalName, say)
    const pods = podLabelsIn(objects, namespace).filter((labels) =>
      Object.entries(selector).every(([k, v]) => labels[k] === v),
    );
    const policies = objects.filter(
      (p) =>
        p.object.kind === 'NetworkPolicy' &&
        metadataOf(p.object).namespace === namespace &&
        restrictsIngress(p.object),
    );
    const covered = (labels: Record<string, string>) =>
      policies.some((p) => selects(isRecord(p.object.spec) ? p.object.spec.podSelector : undefined, labels));
    // The pods behind the Service, or the Service's selector itself when no workload is rendered.
    const targets = pods.length > 0 ? pods : [selector];
    if (targets.every(covered)) continue;
    out.set(r, [
      findingAt(r, {
        rule: rules.networkPolicy,
        message: `Service ${metadataOf(r.object).name ?? ''} of ${r.app} answers without authentication, but no ingress NetworkPolicy in namespace ${namespace} selects its pods (${Object.entries(
          selector,
        )
          .map(([k, v]) => `${k}=${v}`)
          .join(
            ', ',
          )}); anyone in the cluster could reach it. Keep the component's NetworkPolicy enabled in ${r.env}.`,
        path: ['spec', 'selector'],
      }),
    ]);
  }
  return out;
}
