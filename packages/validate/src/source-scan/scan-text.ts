import { credentialFormatIn, credentialReason, type Finding, propertyLines } from '@airspark/findings';
import { isMap, isPair, isScalar, isSeq, LineCounter, type Node, parseAllDocuments, type Scalar } from 'yaml';
import { rules } from '../rules.js';
import { maskJinja } from '../spark/jinja.js';

/**
 * Checks of the files people write (values files, environment and component files, manifests, DAG
 * templates, Spark defaults), at their own lines: credentials, and plain scalars that a YAML 1.1
 * reader (Helm, kubectl, Argo CD: sigs.k8s.io/yaml on go-yaml v2) reads as another type than the
 * YAML 1.2 reading of this toolchain. Pure: text in, findings out.
 */

/** YAML 1.1 booleans (https://yaml.org/type/bool.html) that YAML 1.2's core schema reads as strings. */
const YAML11_BOOL = /^(y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF)$/;
const YAML11_TRUE = /^(y|Y|yes|Yes|YES|on|On|ON)$/;

/** Why a plain scalar reads differently in YAML 1.1, or undefined. */
export function yaml11Difference(source: string): string | undefined {
  if (YAML11_BOOL.test(source))
    return `\`${source}\` is the boolean ${YAML11_TRUE.test(source) ? 'true' : 'false'} for Helm, kubectl and Argo CD (YAML 1.1) but the string "${source}" in YAML 1.2; write "${source}" in quotes if it is a string, or ${YAML11_TRUE.test(source) ? 'true' : 'false'} if it is a boolean.`;
  if (/^[-+]?0[0-7]+$/.test(source))
    return `\`${source}\` is the octal number ${Number.parseInt(source, 8)} for YAML 1.1 readers (Helm, kubectl, Argo CD) but ${Number.parseInt(source, 10)} in YAML 1.2; quote it if it is a string (an id, a code), or drop the leading zero (or write 0o${source.replace(/^[-+]?0/, '')}) if it is a number.`;
  if (/^[-+]?0[0-9]+$/.test(source))
    return `\`${source}\` has a leading zero: YAML 1.1 readers (Helm, kubectl, Argo CD) do not read it as the number ${Number.parseInt(source, 10)}; quote it if it is a string, or drop the leading zero.`;
  if (/^[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?$/.test(source))
    return `\`${source}\` is a base-60 number for YAML 1.1 readers (Helm, kubectl, Argo CD) but a string in YAML 1.2; quote it.`;
  if (/^[-+]?(0b[01_]+|[0-9][0-9_]*_[0-9_]*)$/.test(source))
    return `\`${source}\` is a number for YAML 1.1 readers (Helm, kubectl, Argo CD) but a string in YAML 1.2; quote it if it is a string.`;
  return undefined;
}

function finding(
  rule: { id: string; severity: 'error' | 'warning' },
  message: string,
  file: string,
  line: number,
  column: number,
): Finding {
  return { severity: rule.severity, rule: rule.id, message, file, line, column };
}

function credentialMessage(reason: string): string {
  return `${reason} is written in the repository (value not shown); anyone who can read the repository can use it. Remove it, rotate it, and reference a Secret (External Secrets, a pre-created Secret) or use Pod Identity instead.`;
}

/** Credentials in a text that is not YAML to parse (a chart template, a .conf file): format patterns and `key value` lines. */
function scanLines(file: string, text: string, properties: boolean): Finding[] {
  const out: Finding[] = [];
  const lines = text.split('\n');
  const byProperty = properties ? propertyLines(text) : [];
  lines.forEach((line, index) => {
    const reason = credentialFormatIn(line) ?? byProperty[index]?.reason;
    if (reason) out.push(finding(rules.sourceCredential, credentialMessage(reason), file, index + 1, 1));
  });
  return out;
}

/** Scans one YAML text: every scalar key and value. */
function scanYaml(file: string, text: string): Finding[] {
  const lineCounter = new LineCounter();
  const documents = parseAllDocuments(text, { lineCounter, uniqueKeys: false });
  const out: Finding[] = [];
  const pos = (node: Node | null | undefined) => lineCounter.linePos(node?.range?.[0] ?? 0);
  const checkScalar = (node: Scalar, key: string | undefined) => {
    const at = pos(node);
    if (node.type === 'PLAIN' && node.source !== undefined) {
      const why = yaml11Difference(String(node.source));
      if (why) out.push(finding(rules.sourceYaml11, why, file, at.line, at.col));
    }
    if (typeof node.value !== 'string') return;
    const reason = credentialReason(key, node.value);
    if (!reason) return;
    // In a multi-line value (spark-defaults.conf in a values file), point at the property's line.
    let line = at.line;
    if (node.value.includes('\n') && !credentialFormatIn(node.value)) {
      const hit = propertyLines(node.value).find((l) => l.reason);
      const blockHeader = node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED' ? 1 : 0;
      if (hit) line = at.line + blockHeader + hit.index;
    }
    out.push(
      finding(rules.sourceCredential, credentialMessage(reason), file, line, line === at.line ? at.col : 1),
    );
  };
  const walk = (node: unknown, key: string | undefined): void => {
    if (isScalar(node)) checkScalar(node, key);
    else if (isMap(node)) {
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const k = isScalar(pair.key) ? pair.key : undefined;
        if (k?.type === 'PLAIN' && k.source !== undefined && YAML11_BOOL.test(String(k.source))) {
          const at = pos(k);
          out.push(
            finding(rules.sourceYaml11, `key ${yaml11Difference(String(k.source))}`, file, at.line, at.col),
          );
        }
        walk(pair.value, k ? String(k.value) : undefined);
      }
    } else if (isSeq(node)) for (const item of node.items) walk(item, key);
  };
  for (const doc of documents) {
    if (doc.errors.length > 0) continue; // syntax errors are the loaders' findings
    walk(doc.contents, undefined);
  }
  return out;
}

/** What kind of source a file is, by its path. */
export type SourceKind = 'yaml' | 'jinja-yaml' | 'template' | 'properties';

export function scanSourceText(file: string, text: string, kind: SourceKind): Finding[] {
  switch (kind) {
    case 'yaml':
      return scanYaml(file, text);
    case 'jinja-yaml':
      return scanYaml(file, maskJinja(text));
    case 'template':
      return scanLines(file, text, false);
    case 'properties':
      return scanLines(file, text, true);
  }
}
