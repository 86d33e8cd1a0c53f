import type { Finding } from '@airspark/findings';
import { findingAt } from '../finding-at.js';
import { isRecord, type RenderedObject } from '../model.js';
import { rules } from '../rules.js';

/** policy/plaintext-secret: a Secret in git carries no data; secrets arrive by reference. */
export function checkPlaintextSecret(rendered: RenderedObject): Finding[] {
  const { object } = rendered;
  if (object.kind !== 'Secret' || object.apiVersion !== 'v1') return [];
  const findings: Finding[] = [];
  for (const field of ['data', 'stringData'] as const) {
    const value = object[field];
    if (!isRecord(value) || Object.keys(value).length === 0) continue;
    findings.push(
      findingAt(rendered, {
        rule: rules.plaintextSecret,
        message: `Secret carries ${field} (${Object.keys(value).sort().join(', ')}) in git, readable by anyone who can read the repository; deliver it by reference (External Secrets, a pre-created Secret, Pod Identity) and list a pre-created one in clusters/<env>/external-resources.yaml.`,
        path: [field],
      }),
    );
  }
  return findings;
}
