import { createRequire } from 'node:module';
import path from 'node:path';
import { deserialize, serialize } from 'node:v8';
import type { Finding } from '@airspark/findings';
import {
  type Alias,
  type Document,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseAllDocuments,
  visit,
  type YAMLError,
} from 'yaml';
import { FileMemo } from './file-memo.js';

/** A parsed YAML file that can answer "where is the value at this path?". */
export interface YamlSource {
  file: string;
  document: Document.Parsed;
  lineCounter: LineCounter;
  value: unknown;
}

export interface Position {
  line: number;
  column: number;
}

export type ParsedYaml = { ok: true; source: YamlSource } | { ok: false; findings: Finding[] };

/** Aliases can multiply a small file into a huge value ("billion laughs"); configuration needs few. */
const MAX_ALIAS_COUNT = 100;

const hints: Record<string, string> = {
  DUPLICATE_KEY: 'a key may appear only once in a mapping; remove or merge the duplicates',
  TAB_AS_INDENT: 'YAML allows only spaces for indentation; replace the tab with spaces',
  BAD_INDENT: 'check the indentation and that every bracket is closed',
  MISSING_CHAR: 'a closing quote or bracket is missing',
  MULTILINE_IMPLICIT_KEY: 'a key must fit on one line; is a colon or quote missing on the line before?',
};

/** The key a DUPLICATE_KEY error points at, read from the text at the error's offset. */
function keyAt(text: string, offset: number): string | undefined {
  const match = /^\s*("[^"]*"|'[^']*'|[^:#\n]+?)\s*:/.exec(text.slice(offset, offset + 200));
  return match?.[1]?.replace(/^["']|["']$/g, '');
}

function yamlErrorFinding(file: string, text: string, error: YAMLError): Finding {
  const [start] = error.linePos ?? [];
  const key = error.code === 'DUPLICATE_KEY' ? keyAt(text, error.pos[0]) : undefined;
  const what = key
    ? `duplicate key "${key}"`
    : (error.message.split(' at line ')[0]?.split('\n')[0] ?? error.message);
  const hint = hints[error.code];
  return {
    severity: 'error',
    rule: error.code === 'DUPLICATE_KEY' ? 'config/duplicate-key' : 'config/yaml-syntax',
    message: hint ? `${what}: ${hint}.` : `${what}.`,
    file,
    line: start?.line ?? 1,
    column: start?.col ?? 1,
  };
}

const PARSE_OPTIONS = { uniqueKeys: true, merge: true, prettyErrors: true } as const;
/** Bump when what a parsed-value memo key covers, or how a value is stored, changes. */
const PARSED_FORMAT = 'airspark-parsed-yaml-1';

let yamlVersion: string | undefined;
/** The `yaml` library's version: another version may read the same text differently. */
function yamlLibraryVersion(): string {
  yamlVersion ??= (createRequire(import.meta.url)('yaml/package.json') as { version: string }).version;
  return yamlVersion;
}

/**
 * The values of configuration files that parsed cleanly in an earlier run, by their text (ADR 0064).
 * A warm `pnpm validate` parsed the same two dozen files with positions on every run (about a fifth
 * of its CPU) although positions are needed only for findings: with the memo, a known text gets its
 * value from the memo and its syntax tree only when a position is asked for. Only clean parses are
 * stored; any text with a problem is parsed, and reported, as before.
 */
export class ParsedYamlMemo {
  private constructor(private readonly memo: FileMemo) {}

  /** The memo file in a cache folder. */
  static in(cacheDir: string): ParsedYamlMemo {
    return new ParsedYamlMemo(new FileMemo(path.join(cacheDir, 'parsed-yaml.json'), PARSED_FORMAT));
  }

  private keyOf(text: string): string {
    return FileMemo.key(PARSED_FORMAT, yamlLibraryVersion(), JSON.stringify(PARSE_OPTIONS), text);
  }

  /** The value of a text that parsed cleanly before (a fresh copy each time), else undefined. */
  value(text: string): unknown {
    const stored = this.memo.get(this.keyOf(text));
    if (stored === undefined) return undefined;
    try {
      return deserialize(Buffer.from(stored, 'base64'));
    } catch {
      return undefined; // a damaged entry: parse again
    }
  }

  /** Stores a clean parse's value (V8 serialization: exactly what toJS gave, shared objects included). */
  remember(text: string, value: unknown): void {
    this.memo.set(this.keyOf(text), serialize(value).toString('base64'));
  }

  save(): void {
    this.memo.save();
  }
}

/** A source whose syntax tree is parsed when first asked for (a position); the value is known. */
function lazySource(file: string, text: string, value: unknown): YamlSource {
  let tree: { document: Document.Parsed; lineCounter: LineCounter } | undefined;
  const parse = () => {
    if (!tree) {
      const lineCounter = new LineCounter();
      const [document] = parseAllDocuments(text, { lineCounter, ...PARSE_OPTIONS }) as Document.Parsed[];
      tree = { document: document as Document.Parsed, lineCounter };
    }
    return tree;
  };
  return {
    file,
    value,
    get document() {
      return parse().document;
    },
    get lineCounter() {
      return parse().lineCounter;
    },
  };
}

/**
 * Parses one YAML document with positions, reporting every syntax problem as a finding. With a memo,
 * a text that parsed cleanly before is not parsed until a position is asked for.
 */
export function parseYaml(file: string, text: string, memo?: ParsedYamlMemo): ParsedYaml {
  if (memo) {
    const known = memo.value(text);
    if (known !== undefined) return { ok: true, source: lazySource(file, text, known) };
  }
  const lineCounter = new LineCounter();
  const documents = parseAllDocuments(text, { lineCounter, ...PARSE_OPTIONS });
  const at = (offset: number) => lineCounter.linePos(offset);
  const first = documents[0];
  if (!first || !('errors' in first)) {
    return {
      ok: false,
      findings: [
        {
          severity: 'error',
          rule: 'config/empty',
          message: 'file holds no YAML document.',
          file,
          line: 1,
          column: 1,
        },
      ],
    };
  }
  const findings: Finding[] = [];
  for (const doc of documents)
    for (const error of doc.errors) findings.push(yamlErrorFinding(file, text, error));
  if (documents.length > 1) {
    const second = documents[1];
    const pos = at(second?.range[0] ?? 0);
    findings.push({
      severity: 'error',
      rule: 'config/yaml-syntax',
      message: 'file holds more than one YAML document (`---`); keep one document per file.',
      file,
      line: pos.line,
      column: pos.col,
    });
  }
  visit(first, {
    Alias(_key, node: Alias) {
      if (node.resolve(first) === undefined) {
        const pos = at(node.range?.[0] ?? 0);
        findings.push({
          severity: 'error',
          rule: 'config/yaml-syntax',
          message: `alias *${node.source} refers to no anchor; define &${node.source} before it or remove the alias.`,
          file,
          line: pos.line,
          column: pos.col,
        });
      }
    },
  });
  if (findings.length > 0) return { ok: false, findings };
  let value: unknown;
  try {
    value = first.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return {
      ok: false,
      findings: [
        { severity: 'error', rule: 'config/yaml-syntax', message: `${message}.`, file, line: 1, column: 1 },
      ],
    };
  }
  if (value === null || value === undefined) {
    return {
      ok: false,
      findings: [
        {
          severity: 'error',
          rule: 'config/empty',
          message: 'file holds only comments; expected a mapping.',
          file,
          line: 1,
          column: 1,
        },
      ],
    };
  }
  memo?.remember(text, value);
  return { ok: true, source: { file, document: first, lineCounter, value } };
}

/** Splits a JSON pointer (`/a/b~1c/0`) into path segments. */
export function pointerToPath(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'));
}

function child(node: unknown, segment: string): { key?: Node; value?: Node } | undefined {
  if (isMap(node)) {
    for (const pair of node.items) {
      if (isPair(pair) && isScalar(pair.key) && String(pair.key.value) === segment) {
        return { key: pair.key, value: (pair.value ?? undefined) as Node | undefined };
      }
    }
    return undefined;
  }
  if (isSeq(node)) {
    const item = node.items[Number(segment)];
    return item === undefined ? undefined : { value: item as Node };
  }
  return undefined;
}

/**
 * Where a path points in the file. With `key: true` the position of the key itself (for unknown or
 * misplaced keys); otherwise of the value. Falls back to the nearest ancestor that exists.
 */
export function positionOf(
  source: YamlSource,
  path: readonly string[],
  options: { key?: boolean } = {},
): Position {
  let node: unknown = source.document.contents;
  let best: Node | undefined = (source.document.contents ?? undefined) as Node | undefined;
  for (let i = 0; i < path.length; i++) {
    const segment = path[i] as string;
    const found = child(node, segment);
    if (!found) break;
    const last = i === path.length - 1;
    const target = last && options.key && found.key ? found.key : (found.value ?? found.key);
    if (target?.range) best = target;
    node = found.value;
  }
  const offset = best?.range?.[0] ?? 0;
  const pos = source.lineCounter.linePos(offset);
  return { line: pos.line, column: pos.col };
}
