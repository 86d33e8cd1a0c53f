import { positionOf, type YamlSegment, yamlSegments } from '@airspark/config';
import jsyaml from 'js-yaml';
import { type Document, LineCounter, parseAllDocuments, parseDocument, type Tags } from 'yaml';

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
  /** The parsed document with positions, for locating fields inside the object (built on first use). */
  tree: () => DocumentTree;
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

export interface DocumentTree {
  document: Document.Parsed;
  lineCounter: LineCounter;
}

export interface SplitResult {
  objects: SplitObject[];
  errors: { message: string; line: number; column: number }[];
}

/**
 * The `yaml` library's options for manifests; the fast reader below must give what these give.
 * Read as Argo CD and kubectl read it (sigs.k8s.io/yaml, go-yaml v2: YAML 1.1 scalars): 0755 is the
 * octal 493, an unquoted `no` the boolean false. go-yaml v2 keeps timestamps and sexagesimal numbers
 * (1:20) as strings, so those two YAML 1.1 types are left out.
 */
const YAML_OPTIONS = {
  uniqueKeys: true,
  merge: true,
  version: '1.1',
  customTags: (tags: Tags) =>
    tags.filter(
      (t) =>
        typeof t === 'string' ||
        (t.tag !== 'tag:yaml.org,2002:timestamp' && (t as { format?: string }).format !== 'TIME'),
    ),
} as const;

/** The source text of one document of a stream, without its `---` marker. */
function documentText(stream: string, doc: Document.Parsed): string {
  const [start, , end] = doc.range;
  return withFinalNewline(stream.slice(start, end).replace(/^---[^\S\n]*(\n|$)/, ''));
}

const withFinalNewline = (body: string) => (body.endsWith('\n') ? body : `${body}\n`);

/**
 * Splits a multi-document YAML stream into objects the way Argo CD does: empty documents are
 * skipped and `kind: *List` objects are unpacked into their items. Reads with the `yaml` library
 * (full syntax tree, every error with its line): for files of this repository.
 */
export function splitManifests(text: string): SplitResult {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, ...YAML_OPTIONS });
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
    const start = doc.contents?.range?.[0] ?? doc.range[0];
    const comment = [
      doc.commentBefore,
      (doc.contents as { commentBefore?: string | null } | null)?.commentBefore,
    ]
      .filter(Boolean)
      .join('\n');
    const tree = { document: doc, lineCounter };
    const line = lineCounter.linePos(start).line;
    addDocument(result, value, line, comment, () => tree, documentText(text, doc));
  }
  return result;
}

/**
 * Splits what helm or kustomize printed, as `splitManifests` does, about ten times faster (ADR 0047):
 * values come from js-yaml with plain scalars resolved as the `yaml` library resolves them with
 * YAML_OPTIONS (YAML 1.1), lines, comments and each document's own text from a scan of the `---`
 * markers, syntax trees only when a position is asked for.
 * Whatever the two readers might read differently (anchors and aliases, merge keys, complex or null
 * keys, tags js-yaml does not know, any error) is read by `splitManifests` itself.
 */
export function splitToolOutput(text: string): SplitResult {
  return fastSplit(text) ?? splitManifests(text);
}

/** The fast reading alone: undefined when the text must be read by `splitManifests` (exported for tests). */
export function fastSplit(text: string): SplitResult | undefined {
  const reading = fastRead(text);
  return reading && splitFromReading(text, reading);
}

/**
 * The costly part of `fastSplit` as plain data (js-yaml's values and the documents' segments), so
 * that it can be stored and the split rebuilt without reading the YAML again (ADR 0062).
 */
export interface FastReading {
  values: unknown[];
  segments: YamlSegment[];
}

/** js-yaml's reading of a tool's output, or undefined when `splitManifests` must read it. */
export function fastRead(text: string): FastReading | undefined {
  if (COMPLEX_KEY.test(text) || MARKER_COMMENT.test(text)) return undefined;
  let values: unknown[];
  try {
    values = jsyaml.loadAll(text, null, { schema: YAML_11_SCHEMA });
  } catch {
    return undefined;
  }
  const segments = yamlSegments(text);
  if (segments.length !== values.length || !values.every(isPlainTree)) return undefined;
  // Before a first document without a `---` marker, `yaml` keeps comments and blank lines out of
  // the document's comment and text; helm's output starts with a marker, kustomize's with content.
  if (segments[0] && segments[0].lineOffset === 0 && segments[0].firstContentLine !== 1) return undefined;
  return { values, segments };
}

/** The split of `text` from its reading: comments, lines, own texts and lazy syntax trees. */
export function splitFromReading(text: string, reading: FastReading): SplitResult {
  const result: SplitResult = { objects: [], errors: [] };
  const lines = text.split('\n');
  reading.values.forEach((value, index) => {
    const segment = reading.segments[index] as YamlSegment;
    let tree: DocumentTree | undefined;
    const lazyTree = () => {
      tree ??= segmentTree(text, segment);
      return tree;
    };
    const own = withFinalNewline(text.slice(segment.from, segment.to));
    addDocument(result, value, segment.firstContentLine, commentBefore(lines, segment), lazyTree, own);
  });
  return result;
}

/** `--- # comment`: `yaml` makes the comment the document's; the marker scan would not. */
const MARKER_COMMENT = /^---[ \t]+#/m;

/** `? key` and `[a, b]: value` / `{a: b}: value`: keys js-yaml and `yaml` turn into different strings. */
const COMPLEX_KEY = /^[ \t]*(?:-[ \t]+)*(?:\?(?:[ \t]|$)|[[{].*[\]}][ \t]*:(?:[ \t]|$))/m;

/**
 * True when nothing in the value needs the `yaml` library's reading: no object reached twice (an
 * alias; `yaml` caps their expansion), no `<<` key (a merge key, which `yaml` merges), no `null` key
 * (`yaml` writes a null key as "", js-yaml as "null").
 */
function isPlainTree(root: unknown): boolean {
  const seen = new Set<object>();
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const node = stack.pop();
    if (node === null || typeof node !== 'object') continue;
    if (seen.has(node)) return false;
    seen.add(node);
    if (Array.isArray(node)) {
      for (const item of node) stack.push(item);
      continue;
    }
    for (const key of Object.keys(node)) {
      if (key === '<<' || key === 'null') return false;
      stack.push((node as Record<string, unknown>)[key]);
    }
  }
  return true;
}

/** The comment lines between a document's start and its first content line, as `yaml` gives them. */
function commentBefore(lines: readonly string[], segment: YamlSegment): string {
  const comments: string[] = [];
  for (let i = segment.lineOffset; i < segment.firstContentLine - 1; i++) {
    const line = (lines[i] ?? '').trim();
    if (line.startsWith('#')) comments.push(line.slice(1));
  }
  return comments.join('\n');
}

/** One document's syntax tree, with line numbers of the whole stream (the text before it is blanked). */
function segmentTree(text: string, segment: YamlSegment): DocumentTree {
  const lineCounter = new LineCounter();
  const padded = '\n'.repeat(segment.lineOffset) + text.slice(segment.from, segment.to);
  const document = parseDocument(padded, { lineCounter, ...YAML_OPTIONS }) as Document.Parsed;
  return { document, lineCounter };
}

/** As the `yaml` library resolves integers (intResolve in yaml/dist/schema/yaml-1.1/int.js, no BigInt). */
function yaml11Int(source: string, offset: number, radix: number): number {
  const sign = source[0];
  const digits = source.substring(sign === '-' || sign === '+' ? offset + 1 : offset).replace(/_/g, '');
  const n = Number.parseInt(digits, radix);
  return sign === '-' ? -1 * n : n;
}

/**
 * Plain scalars resolved exactly as the `yaml` library's YAML 1.1 schema with YAML_OPTIONS resolves
 * them (the patterns and order of yaml/dist/schema/yaml-1.1, without timestamps and sexagesimals):
 * js-yaml's own schemas differ (its core schema reads `yes` as a string, `0755` as 755).
 */
const YAML_11_SCHEMA = jsyaml.FAILSAFE_SCHEMA.extend({
  implicit: [
    new jsyaml.Type('tag:yaml.org,2002:null', {
      kind: 'scalar',
      resolve: (s: string | null) => s === null || /^(?:~|[Nn]ull|NULL)?$/.test(s),
      construct: () => null,
      predicate: (v: unknown) => v === null,
    }),
    new jsyaml.Type('tag:yaml.org,2002:bool', {
      kind: 'scalar',
      resolve: (s: string | null) =>
        s !== null &&
        (/^(?:Y|y|[Yy]es|YES|[Tt]rue|TRUE|[Oo]n|ON)$/.test(s) ||
          /^(?:N|n|[Nn]o|NO|[Ff]alse|FALSE|[Oo]ff|OFF)$/.test(s)),
      construct: (s: string) => /^(?:Y|y|[Yy]es|YES|[Tt]rue|TRUE|[Oo]n|ON)$/.test(s),
      predicate: (v: unknown) => typeof v === 'boolean',
    }),
    new jsyaml.Type('tag:yaml.org,2002:int', {
      kind: 'scalar',
      resolve: (s: string | null) =>
        s !== null &&
        (/^[-+]?0b[0-1_]+$/.test(s) ||
          /^[-+]?0[0-7_]+$/.test(s) ||
          /^[-+]?[0-9][0-9_]*$/.test(s) ||
          /^[-+]?0x[0-9a-fA-F_]+$/.test(s)),
      construct: (s: string) => {
        if (/^[-+]?0b[0-1_]+$/.test(s)) return yaml11Int(s, 2, 2);
        if (/^[-+]?0[0-7_]+$/.test(s)) return yaml11Int(s, 1, 8);
        if (/^[-+]?[0-9][0-9_]*$/.test(s)) return yaml11Int(s, 0, 10);
        return yaml11Int(s, 2, 16);
      },
      predicate: (v: unknown) => Number.isInteger(v),
    }),
    new jsyaml.Type('tag:yaml.org,2002:float', {
      kind: 'scalar',
      resolve: (s: string | null) =>
        s !== null &&
        (/^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/.test(s) ||
          /^[-+]?(?:[0-9][0-9_]*)?(?:\.[0-9_]*)?[eE][-+]?[0-9]+$/.test(s) ||
          /^[-+]?(?:[0-9][0-9_]*)?\.[0-9_]*$/.test(s)),
      construct: (s: string) => {
        if (/^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/.test(s)) {
          if (s.slice(-3).toLowerCase() === 'nan') return Number.NaN;
          return s[0] === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
        }
        return Number.parseFloat(s.replace(/_/g, ''));
      },
      predicate: (v: unknown) => typeof v === 'number',
    }),
  ],
});

/** One document's value as objects: empty documents skipped, lists unpacked, non-mappings errors. */
function addDocument(
  result: SplitResult,
  value: unknown,
  line: number,
  comment: string,
  tree: () => DocumentTree,
  text: string,
): void {
  if (value === null || value === undefined) return;
  if (typeof value !== 'object' || Array.isArray(value)) {
    result.errors.push({ message: 'a document is not a mapping (an object)', line, column: 1 });
    return;
  }
  const object = value as KubeObject;
  if (isList(object)) {
    const items = (object.items as unknown[] | null) ?? [];
    for (const [listItem, item] of items.entries()) {
      if (item && typeof item === 'object')
        result.objects.push({ object: item as KubeObject, line, comment, tree, listItem });
    }
  } else result.objects.push({ object, line, comment, tree, text });
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
  const { document, lineCounter } = split.tree();
  const source = { file, document, lineCounter, value: split.object };
  return { file, ...positionOf(source, full.map(String)) };
}
