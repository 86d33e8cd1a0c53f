import { stringify } from 'yaml';
import type { Manifest } from './application.js';
import { HEADER } from './argo.js';
import type { YamlMemo } from './yaml-memo.js';

const OPTIONS = {
  lineWidth: 0,
  indent: 2,
  indentSeq: true,
  aliasDuplicateObjects: false,
  version: '1.1',
} as const;
/** What the memo's key records of the options: any change of them is another key. */
const OPTIONS_KEY = JSON.stringify(OPTIONS);

/**
 * Deterministic YAML for generated files: the header, a line naming what it was generated from,
 * then the documents. No line folding, so that a diff shows the changed value and nothing else.
 * Strings that YAML 1.1 would read as booleans or numbers are quoted. With a memo, a document printed
 * by an earlier run is not printed again (ADR 0064).
 */
export function generatedYaml(from: string, documents: readonly Manifest[], memo?: YamlMemo): string {
  // version 1.1: quote every string a YAML 1.1 reader (Argo CD, Helm, kubectl) would read as
  // another type (`no`, `on`, `0755`, `1:20`); the output stays valid YAML 1.2.
  const print = (d: Manifest) => stringify(d, { ...OPTIONS });
  const body = documents
    .map((d) => (memo ? memo.text(d, OPTIONS_KEY, () => print(d)) : print(d)))
    .join('---\n');
  return `${HEADER}\n# from: ${from}\n${body}`;
}
