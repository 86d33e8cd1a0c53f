import { positionOf, type YamlSegment, yamlSegments } from '@airspark/config';
import jsyaml from 'js-yaml';
import { type Document, LineCounter, parseAllDocuments, parseDocument } from 'yaml';

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
}

export interface DocumentTree {
  document: Document.Parsed;
  lineCounter: LineCounter;
}

export interface SplitResult {
  objects: SplitObject[];
  errors: { message: string; line: number; column: number }[];
}

/** The `yaml` library's options for manifests: both readers below must give what this gives. */
const YAML_OPTIONS = { uniqueKeys: true, merge: true } as const;

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
    addDocument(result, value, lineCounter.linePos(start).line, comment, () => tree);
  }
  return result;
}

/**
 * Splits what helm or kustomize printed, as `splitManifests` does, about ten times faster (ADR 0047):
 * values come from js-yaml with the YAML 1.2 core schema as the `yaml` library resolves it, lines
 * and comments from a scan of the `---` markers, syntax trees only when a position is asked for.
 * Whatever the two readers might read differently (anchors and aliases, merge keys, complex or null
 * keys, tags js-yaml does not know, any error) is read by `splitManifests` itself.
 */
export function splitToolOutput(text: string): SplitResult {
  return fastSplit(text) ?? splitManifests(text);
}

/** The fast reading alone: undefined when the text must be read by `splitManifests` (exported for tests). */
export function fastSplit(text: string): SplitResult | undefined {
  if (COMPLEX_KEY.test(text)) return undefined;
  let values: unknown[];
  try {
    values = jsyaml.loadAll(text, null, { schema: YAML_CORE_SCHEMA });
  } catch {
    return undefined;
  }
  const segments = yamlSegments(text);
  if (segments.length !== values.length || !values.every(isPlainTree)) return undefined;
  const result: SplitResult = { objects: [], errors: [] };
  const lines = text.split('\n');
  values.forEach((value, index) => {
    const segment = segments[index] as YamlSegment;
    let tree: DocumentTree | undefined;
    const lazyTree = () => {
      tree ??= segmentTree(text, segment);
      return tree;
    };
    addDocument(result, value, segment.firstContentLine, commentBefore(lines, segment), lazyTree);
  });
  return result;
}

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

const yamlCoreInt = (source: string, offset: number, radix: number): number => {
  // As the `yaml` library's core schema resolves integers (intResolve, without BigInt).
  const sign = source[0];
  const n = Number.parseInt(source.substring(sign === '-' || sign === '+' ? offset + 1 : offset), radix);
  return sign === '-' ? -1 * n : n;
};

/**
 * js-yaml's own core schema also reads `1_000`, `0b101` and `+.5e3` as numbers; this one resolves
 * plain scalars exactly as the `yaml` library's YAML 1.2 core schema (its patterns for null, bool,
 * int and float, copied from yaml/dist/schema/core).
 */
const YAML_CORE_SCHEMA = jsyaml.FAILSAFE_SCHEMA.extend({
  implicit: [
    new jsyaml.Type('tag:yaml.org,2002:null', {
      kind: 'scalar',
      resolve: (s: string | null) => s === null || /^(?:~|[Nn]ull|NULL)?$/.test(s),
      construct: () => null,
      predicate: (v: unknown) => v === null,
    }),
    new jsyaml.Type('tag:yaml.org,2002:bool', {
      kind: 'scalar',
      resolve: (s: string | null) => s !== null && /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/.test(s),
      construct: (s: string) => s[0] === 't' || s[0] === 'T',
      predicate: (v: unknown) => typeof v === 'boolean',
    }),
    new jsyaml.Type('tag:yaml.org,2002:int', {
      kind: 'scalar',
      resolve: (s: string | null) =>
        s !== null && (/^[-+]?[0-9]+$/.test(s) || /^0o[0-7]+$/.test(s) || /^0x[0-9a-fA-F]+$/.test(s)),
      construct: (s: string) =>
        s.startsWith('0o')
          ? yamlCoreInt(s, 2, 8)
          : s.startsWith('0x')
            ? yamlCoreInt(s, 2, 16)
            : yamlCoreInt(s, 0, 10),
      predicate: (v: unknown) => Number.isInteger(v),
    }),
    new jsyaml.Type('tag:yaml.org,2002:float', {
      kind: 'scalar',
      resolve: (s: string | null) =>
        s !== null &&
        (/^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/.test(s) ||
          /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/.test(s) ||
          /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/.test(s)),
      construct: (s: string) => {
        if (s.slice(-3).toLowerCase() === 'nan') return Number.NaN;
        if (s.slice(-3).toLowerCase() === 'inf')
          return s[0] === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
        return Number.parseFloat(s);
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
  } else result.objects.push({ object, line, comment, tree });
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
