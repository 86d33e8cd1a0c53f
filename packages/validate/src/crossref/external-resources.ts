import path from 'node:path';
import {
  checkAgainstSchema,
  parseYaml,
  pinnedSchemaValidator,
  positionOf,
  readSourceText,
} from '@airspark/config';
import type { Finding } from '@airspark/findings';
import { VALIDATE_PRECOMPILED_DIR } from '../schema/compile.js';
import type { ExternalResource } from './inventory.js';

/** Per environment: what exists in the cluster without being rendered from git. */
export function externalResourcesFile(env: string): string {
  return `clusters/${env}/external-resources.yaml`;
}

export const externalResourcesSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['resources'],
  properties: {
    resources: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['kind', 'name', 'reason'],
        properties: {
          kind: { enum: ['Namespace', 'ServiceAccount', 'Secret', 'ConfigMap', 'PersistentVolumeClaim'] },
          namespace: { type: 'string', minLength: 1 },
          name: { type: 'string', minLength: 1 },
          reason: { type: 'string', minLength: 10, description: 'what creates it, and why it is not in git' },
        },
      },
    },
  },
} as const;

/**
 * Reads clusters/<env>/external-resources.yaml; a missing file means "nothing external". Problems
 * in the file are findings (rule `xref/external-resources`) with their line.
 */
export async function loadExternalResources(
  root: string,
  env: string,
): Promise<{ resources: ExternalResource[]; findings: Finding[] }> {
  const file = externalResourcesFile(env);
  const text = await readSourceText(path.join(root, file), file);
  if (!text.ok) {
    return text.finding.rule === 'config/file-missing'
      ? { resources: [], findings: [] }
      : { resources: [], findings: [{ ...text.finding, env }] };
  }
  const parsed = parseYaml(file, text.text);
  if (!parsed.ok) return { resources: [], findings: parsed.findings.map((f) => ({ ...f, env })) };
  const findings = checkAgainstSchema(
    parsed.source,
    pinnedSchemaValidator(externalResourcesSchema, VALIDATE_PRECOMPILED_DIR),
    'xref/external-resources',
  );
  if (findings.length > 0) return { resources: [], findings: findings.map((f) => ({ ...f, env })) };
  const entries = (parsed.source.value as { resources: Omit<ExternalResource, 'file' | 'line' | 'column'>[] })
    .resources;
  const resources = entries.map((entry, index) => ({
    ...entry,
    file,
    ...positionOf(parsed.source, ['resources', String(index)]),
  }));
  return { resources, findings: [] };
}
