import { positionOf } from '@airspark/config';
import { type Document, LineCounter, parseAllDocuments } from 'yaml';

export type KubeObject = Record<string, unknown> & {
  apiVersion?: unknown;
  kind?: unknown;
  metadata?: Record<string, unknown>;
};

/** One object of a YAML stream with where it starts and the comment above it. */
export interface SplitObject {
  object: KubeObject;
  /** 1-based line of the document's first content line in the stream. */
  line: number;
  /** The comment lines directly before the document (helm writes `# Source: …` there). */
  comment: string;
  /** The parsed document (with positions), for locating fields inside the object. */
  document: Document.Parsed;
  lineCounter: LineCounter;
  /** Index into `items` when the object came out of a `List`. */
  listItem?: number;
  /**
   * The document's own text, exactly as the tool wrote it (absent for `List` items). What kubectl
   * reads must be this text, not a re-serialisation: kubectl parses YAML 1.1, where an unquoted
   * `no` is a boolean and `0755` is octal, while a YAML 1.2 round trip drops quotes and reads 0755
   * as 755 (docs/adr/0033-bootstrap-applies-helm-output.md).
   */
  text?: string;
}

export interface SplitResult {
  objects: SplitObject[];
  errors: { message: string; line: number; column: number }[];
}

/** The source text of one document of a stream, without its `---` marker. */
function documentText(stream: string, doc: Document.Parsed): string {
  const [start, , end] = doc.range;
  const body = stream.slice(start, end).replace(/^---[^\S\n]*(\n|$)/, '');
  return body.endsWith('\n') ? body : `${body}\n`;
}

/**
 * Splits a multi-document YAML stream into objects the way Argo CD does: empty documents are
 * skipped and `kind: *List` objects are unpacked into their items.
 */
export function splitManifests(text: string): SplitResult {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, {
    lineCounter,
    uniqueKeys: true,
    merge: true,
    // Read as Argo CD and kubectl read it (sigs.k8s.io/yaml, go-yaml v2: YAML 1.1 scalars): 0755
    // is the octal 493, an unquoted `no` the boolean false. go-yaml v2 keeps timestamps and
    // sexagesimal numbers (1:20) as strings, so those two YAML 1.1 types are left out.
    version: '1.1',
    customTags: (tags) =>
      tags.filter(
        (t) =>
          typeof t === 'string' ||
          (t.tag !== 'tag:yaml.org,2002:timestamp' && (t as { format?: string }).format !== 'TIME'),
      ),
  });
  const result: SplitResult = { objects: [], errors: [] };
  for (const doc of docs) {
    if (!('errors' in doc)) continue;
    if (doc.errors.length > 0) {
      for (const e of doc.errors) {
        const [pos] = e.linePos ?? [];
        result.errors.push({
          message: e.message.split('\n')[0] ?? e.message,
          line: pos?.line ?? 1,
          column: pos?.col ?? 1,
        });
      }
      continue;
    }
    const value: unknown = doc.toJS({ maxAliasCount: 1000 });
    if (value === null || value === undefined) continue;
    const start = doc.contents?.range?.[0] ?? doc.range[0];
    const line = lineCounter.linePos(start).line;
    const comment = [
      doc.commentBefore,
      (doc.contents as { commentBefore?: string | null } | null)?.commentBefore,
    ]
      .filter(Boolean)
      .join('\n');
    if (typeof value !== 'object' || Array.isArray(value)) {
      result.errors.push({ message: 'a document is not a mapping (an object)', line, column: 1 });
      continue;
    }
    const object = value as KubeObject;
    if (isList(object)) {
      const items = (object.items as unknown[] | null) ?? [];
      for (const [listItem, item] of items.entries()) {
        if (item && typeof item === 'object')
          result.objects.push({
            object: item as KubeObject,
            line,
            comment,
            document: doc,
            lineCounter,
            listItem,
          });
      }
    } else
      result.objects.push({
        object,
        line,
        comment,
        document: doc,
        lineCounter,
        text: documentText(text, doc),
      });
  }
  return result;
}

/** `v1/List`, `ConfigMapList` … with items: Argo CD unpacks them (also `items: null`). */
function isList(o: KubeObject): boolean {
  return (
    typeof o.kind === 'string' &&
    o.kind.endsWith('List') &&
    'items' in o &&
    !('spec' in o) &&
    !('status' in o)
  );
}

/** The `# Source: chart/templates/x.yaml` path helm writes above every rendered object. */
export function helmSource(comment: string): string | undefined {
  const match = /^\s*Source:\s*(\S+)\s*$/m.exec(comment);
  return match?.[1];
}

/** Where a field of a split object is written: its line and column (nearest existing ancestor). */
export function locateIn(
  split: SplitObject,
  file: string,
  path: readonly (string | number)[],
): { file: string; line: number; column: number } {
  const full = split.listItem === undefined ? path : ['items', split.listItem, ...path];
  const source = { file, document: split.document, lineCounter: split.lineCounter, value: split.object };
  return { file, ...positionOf(source, full.map(String)) };
}
