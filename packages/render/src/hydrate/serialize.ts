import { stringify } from 'yaml';
import type { Manifest } from './application.js';
import { HEADER } from './argo.js';

/**
 * Deterministic YAML for generated files: the header, a line naming what it was generated from,
 * then the documents. No line folding, so that a diff shows the changed value and nothing else.
 */
export function generatedYaml(from: string, documents: readonly Manifest[]): string {
  const body = documents
    .map((d) => stringify(d, { lineWidth: 0, indent: 2, indentSeq: true, aliasDuplicateObjects: false }))
    .join('---\n');
  return `${HEADER}\n# from: ${from}\n${body}`;
}
