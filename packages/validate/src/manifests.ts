import { type YamlSegment, yamlSegments } from '@airspark/config';
import type { Finding } from '@airspark/findings';
import jsyaml from 'js-yaml';
import {
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseAllDocuments,
  parseDocument,
} from 'yaml';
import { isRecord, type ObjectPath, type SourceLocation } from './model.js';
import { rules } from './rules.js';

/** One document of a multi-document manifest stream. */
export interface ParsedManifest {
  object: Record<string, unknown>;
  /** Where the document starts. */
  source: SourceLocation;
  /** Where a value inside the document is; computed on first use (findings are rare, parsing is not). */
  locate: (path: ObjectPath) => SourceLocation | undefined;
}

export interface ParsedStream {
  manifests: ParsedManifest[];
  /** YAML syntax errors and duplicate keys, with their lines. */
  findings: Finding[];
}

/**
 * Positions need a syntax tree, which the `yaml` library builds ten times slower than js-yaml reads
 * values. So values come from js-yaml and positions from `yaml`, lazily, for one document at a time.
 */
class PositionIndex {
  private readonly trees = new Map<number, { doc: ReturnType<typeof parseDocument>; lines: LineCounter }>();

  constructor(
    private readonly text: string,
    private readonly file: string,
    private readonly segments: readonly YamlSegment[],
  ) {}

  locate(index: number, path: ObjectPath): SourceLocation | undefined {
    const segment = this.segments[index];
    if (!segment) return undefined;
    let tree = this.trees.get(index);
    if (!tree) {
      const lines = new LineCounter();
      const doc = parseDocument(this.text.slice(segment.from, segment.to), { lineCounter: lines });
      tree = { doc, lines };
      this.trees.set(index, tree);
    }
    const at = locateIn(tree.doc, tree.lines, this.file, path);
    return at && { ...at, line: at.line + segment.lineOffset };
  }
}

/**
 * Reads a stream of Kubernetes manifests (`helm template` or `kustomize build` output, a file of
 * `---`-separated objects). A key repeated in a mapping is a finding (`schema/duplicate-key`): YAML
 * parsers keep one of the two silently, so what the cluster gets is not what the file says.
 */
export function parseManifests(text: string, file: string): ParsedStream {
  let values: unknown[];
  try {
    values = jsyaml.loadAll(text, null, { filename: file, schema: jsyaml.CORE_SCHEMA });
  } catch (error) {
    return slowPath(text, file, error);
  }
  const segments = yamlSegments(text);
  // Should the marker scan ever disagree with the parser (a `...` end marker, say), take the slow path.
  if (segments.length < values.length) return slowPath(text, file);
  const positions = new PositionIndex(text, file, segments);
  const manifests: ParsedManifest[] = [];
  values.forEach((value, index) => {
    if (!isRecord(value)) return;
    const line = segments[index]?.firstContentLine ?? 1;
    manifests.push({
      object: value,
      source: { file, line, column: 1 },
      locate: (path) => positions.locate(index, path),
    });
  });
  return { manifests, findings: [] };
}

/** On a syntax error, the `yaml` library reports every problem with its line and keeps the good documents. */
function slowPath(text: string, file: string, error?: unknown): ParsedStream {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, uniqueKeys: true });
  const findings: Finding[] = [];
  const manifests: ParsedManifest[] = [];
  if (!Array.isArray(docs)) {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    return {
      manifests,
      findings: [
        {
          severity: 'error',
          rule: rules.schemaYamlSyntax.id,
          message: `${message}.`,
          file,
          line: 1,
          column: 1,
        },
      ],
    };
  }
  docs.forEach((doc) => {
    if (doc.errors.length > 0) {
      for (const e of doc.errors) {
        const [at] = e.linePos ?? [];
        const duplicate = e.code === 'DUPLICATE_KEY';
        findings.push({
          severity: 'error',
          rule: duplicate ? rules.schemaDuplicateKey.id : rules.schemaYamlSyntax.id,
          message: duplicate
            ? `${e.message.split('\n')[0]}; YAML keeps only one of the two values. Remove the duplicate.`
            : `${e.message.split('\n')[0]}.`,
          file,
          line: at?.line ?? 1,
          column: at?.col ?? 1,
        });
      }
      return;
    }
    const value = doc.toJS();
    if (!isRecord(value)) return;
    const start = lineCounter.linePos(doc.range[0]);
    manifests.push({
      object: value,
      source: { file, line: start.line, column: 1 },
      locate: (path) => locateIn(doc, lineCounter, file, path),
    });
  });
  return { manifests, findings };
}

/** Where the value at `path` starts in a parsed YAML document; undefined when the path is absent. */
export function locateIn(
  doc: { contents: unknown },
  lines: LineCounter,
  file: string,
  path: ObjectPath,
): SourceLocation | undefined {
  let node: unknown = doc.contents;
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find(
        (i) => isPair(i) && isScalar(i.key) && String(i.key.value) === String(segment),
      );
      node = pair?.value;
    } else if (isSeq(node)) node = node.items[Number(segment)];
    else return undefined;
    if (node === undefined || node === null) return undefined;
  }
  const range = (node as Node).range;
  if (!range) return undefined;
  const pos = lines.linePos(range[0]);
  return { file, line: pos.line, column: pos.col };
}
