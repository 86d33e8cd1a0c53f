import { stringify } from 'yaml';
import type { Manifest } from './application.js';
import { HEADER } from './argo.js';

/**
 * Deterministic YAML for generated files: the header, a line naming what it was generated from,
 * then the documents. No line folding, so that a diff shows the changed value and nothing else.
 * Strings that YAML 1.1 would read as booleans or numbers are quoted.
 */
export function generatedYaml(from: string, documents: readonly Manifest[]): string {
  const body = documents
    .map((d) =>
      // version 1.1: quote every string a YAML 1.1 reader (Argo CD, Helm, kubectl) would read as
      // another type (`no`, `on`, `0755`, `1:20`); the output stays valid YAML 1.2.
      stringify(d, {
        lineWidth: 0,
        indent: 2,
        indentSeq: true,
        aliasDuplicateObjects: false,
        version: '1.1',
      }),
    )
    .join('---\n');
  return `${HEADER}\n# from: ${from}\n${body}`;
}
