import type { Finding } from '@airspark/findings';
import { findingAt } from '../finding-at.js';
import { isRecord, type RenderedObject } from '../model.js';
import { rules } from '../rules.js';

/**
 * What the API server checks in metadata beyond the OpenAPI schema (k8s.io/apimachinery
 * validation): name syntax per kind, label keys and values, annotation keys. A chart that builds a
 * label from a long release name fails here exactly as it would at sync time.
 */
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** Kinds whose names are DNS labels (they become DNS names or hostnames). */
const labelNamed = new Set(['Namespace', 'Service']);
/** RBAC kinds accept any path segment (`system:controller:x`). */
const pathSegmentNamed = new Set(['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding']);

function nameProblem(kind: string, name: string): string | undefined {
  if (pathSegmentNamed.has(kind)) {
    return name === '.' || name === '..' || /[/%]/.test(name)
      ? 'may not be "." or ".." or contain "/" or "%"'
      : undefined;
  }
  if (labelNamed.has(kind)) {
    if (name.length > 63) return `is ${name.length} characters long; at most 63 are allowed`;
    return DNS1123_LABEL.test(name)
      ? undefined
      : 'must be lower-case letters, digits and "-", starting and ending with a letter or digit';
  }
  if (name.length > 253) return `is ${name.length} characters long; at most 253 are allowed`;
  return DNS1123_SUBDOMAIN.test(name)
    ? undefined
    : 'must be lower-case letters, digits, "-" and ".", starting and ending with a letter or digit';
}

/** Why a label or annotation key is invalid; undefined when it is valid. */
export function qualifiedNameProblem(key: string): string | undefined {
  const slash = key.lastIndexOf('/');
  const prefix = slash === -1 ? undefined : key.slice(0, slash);
  const name = slash === -1 ? key : key.slice(slash + 1);
  if (prefix !== undefined && (prefix.length > 253 || !DNS1123_SUBDOMAIN.test(prefix)))
    return 'its prefix must be a DNS subdomain';
  if (name.length === 0 || name.length > 63)
    return `its name part must be 1 to 63 characters (is ${name.length})`;
  return QUALIFIED_NAME.test(name)
    ? undefined
    : 'its name part must be letters, digits, "-", "_" and ".", starting and ending with a letter or digit';
}

export function labelValueProblem(value: string): string | undefined {
  if (value.length > 63) return `is ${value.length} characters long; at most 63 are allowed`;
  return LABEL_VALUE.test(value)
    ? undefined
    : 'must be letters, digits, "-", "_" and ".", starting and ending with a letter or digit';
}

export function checkMetadata(rendered: RenderedObject): Finding[] {
  const { object } = rendered;
  const metadata = isRecord(object.metadata) ? object.metadata : undefined;
  if (!metadata) return [];
  const findings: Finding[] = [];
  if (typeof metadata.name === 'string' && typeof object.kind === 'string') {
    const problem = nameProblem(object.kind, metadata.name);
    if (problem)
      findings.push(
        findingAt(rendered, {
          rule: rules.schemaInvalidName,
          message: `name "${metadata.name}" ${problem}.`,
          path: ['metadata', 'name'],
        }),
      );
  }
  const labels = isRecord(metadata.labels) ? metadata.labels : {};
  for (const [key, value] of Object.entries(labels)) {
    const keyProblem = qualifiedNameProblem(key);
    const valueProblem = typeof value === 'string' ? labelValueProblem(value) : undefined;
    if (keyProblem || valueProblem) {
      findings.push(
        findingAt(rendered, {
          rule: rules.schemaInvalidLabel,
          message: keyProblem
            ? `label key "${key}": ${keyProblem}.`
            : `label ${key}="${String(value)}": the value ${valueProblem}.`,
          path: ['metadata', 'labels', key],
        }),
      );
    }
  }
  const annotations = isRecord(metadata.annotations) ? metadata.annotations : {};
  for (const key of Object.keys(annotations)) {
    const problem = qualifiedNameProblem(key);
    if (problem)
      findings.push(
        findingAt(rendered, {
          rule: rules.schemaInvalidLabel,
          message: `annotation key "${key}": ${problem}.`,
          path: ['metadata', 'annotations', key],
        }),
      );
  }
  return findings;
}
