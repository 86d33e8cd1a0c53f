import type { Finding } from '@airspark/findings';
import { findingAt } from './finding-at.js';
import type { ObjectPath, RenderedObject } from './model.js';
import { rules } from './rules.js';

/** What a real API server said about one object (the shape of @airspark/kube's DryRunResult). */
export interface ServerVerdict {
  /** Position of the object in the list that was sent. */
  index: number;
  ok: boolean;
  reason?: string;
  message?: string;
  causes: readonly { field?: string; reason?: string; message: string }[];
}

/**
 * Splits a Kubernetes field path (`spec.containers[0].image`, `metadata.labels[app.kubernetes.io/name]`,
 * with or without a leading dot) into object path segments.
 */
export function parseFieldPath(field: string): ObjectPath {
  const out: (string | number)[] = [];
  const pattern = /\.?([^.[\]]+)|\[([^\]]*)\]/g;
  for (const match of field.matchAll(pattern)) {
    if (match[1] !== undefined) out.push(match[1]);
    else if (match[2] !== undefined) out.push(/^\d+$/.test(match[2]) ? Number(match[2]) : match[2]);
  }
  return out;
}

/**
 * Findings for the objects a real API server rejected, each at the source line of the field it names
 * (or of the object when it names none), so that a server-side dry-run reads like any other check.
 */
export function findingsFromServer(
  objects: readonly RenderedObject[],
  verdicts: readonly ServerVerdict[],
): Finding[] {
  const findings: Finding[] = [];
  for (const verdict of verdicts) {
    if (verdict.ok) continue;
    const rendered = objects[verdict.index];
    if (!rendered) continue;
    const reason = verdict.reason ? ` (${verdict.reason})` : '';
    if (verdict.causes.length === 0) {
      findings.push(
        findingAt(rendered, {
          rule: rules.serverRejected,
          message: `the API server rejects this object${reason}: ${verdict.message ?? 'no message'}`,
        }),
      );
      continue;
    }
    for (const cause of verdict.causes) {
      findings.push(
        findingAt(rendered, {
          rule: rules.serverRejected,
          message: `the API server rejects ${cause.field ?? 'this object'}${cause.reason ? ` (${cause.reason})` : reason}: ${cause.message}`,
          ...(cause.field ? { path: parseFieldPath(cause.field) } : {}),
        }),
      );
    }
  }
  return findings;
}
