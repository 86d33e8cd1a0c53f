import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { serialize } from 'node:v8';

/**
 * A memo of generated YAML across runs (ADR 0064). Every `pnpm validate` hydrates every environment
 * to compare the committed Applications with a fresh hydration, and the `yaml` library's stringify of
 * those ~60 small documents was about a tenth of a warm run's CPU, for text that changes only when
 * the documents do. The memo maps a digest of the document's exact value (its V8 serialization: key
 * order, types, -0 and NaN included) and of everything else the text depends on (the `yaml`
 * library's version, the options, this format) to the text. A different document is a different key:
 * the memo can miss, never serve another document's text.
 */
export interface YamlMemo {
  /** The text memoised for this document and these options, else `make()`'s, remembered. */
  text(document: unknown, options: string, make: () => string): string;
}

/** Bump when the stored form or what a key covers changes. */
const FORMAT = 'airspark-generated-yaml-1';
/** Entries kept beyond the ones this run used (other environments, branches), so the file stays small. */
const KEEP_UNUSED = 1000;

let yamlVersion: string | undefined;
/** The `yaml` library's version: another version may print the same document differently. */
function yamlLibraryVersion(): string {
  yamlVersion ??= (createRequire(import.meta.url)('yaml/package.json') as { version: string }).version;
  return yamlVersion;
}

/** A memo kept in `file`; `save()` writes it back when this run added entries. */
export class FileYamlMemo implements YamlMemo {
  private readonly entries: Map<string, string>;
  private readonly used = new Set<string>();
  private added = false;

  private constructor(
    private readonly file: string,
    entries: Map<string, string>,
  ) {
    this.entries = entries;
  }

  /** Opens the memo; a missing, unreadable or foreign file is an empty memo (it costs speed only). */
  static open(file: string): FileYamlMemo {
    const entries = new Map<string, string>();
    try {
      const stored = JSON.parse(readFileSync(file, 'utf8')) as { format?: unknown; entries?: unknown };
      if (stored.format === FORMAT && stored.entries && typeof stored.entries === 'object')
        for (const [key, value] of Object.entries(stored.entries))
          if (typeof value === 'string') entries.set(key, value);
    } catch {
      // No memo yet, or not one this version reads: start empty.
    }
    return new FileYamlMemo(file, entries);
  }

  /** The memo file in a cache folder. */
  static in(cacheDir: string): FileYamlMemo {
    return FileYamlMemo.open(path.join(cacheDir, 'generated-yaml.json'));
  }

  text(document: unknown, options: string, make: () => string): string {
    let serialized: Buffer;
    try {
      serialized = serialize(document);
    } catch {
      return make(); // not plain data (a function inside): no key, no memo
    }
    const key = createHash('sha256')
      .update(`${FORMAT}\0${yamlLibraryVersion()}\0${options}\0`)
      .update(serialized)
      .digest('hex');
    this.used.add(key);
    const known = this.entries.get(key);
    if (known !== undefined) return known;
    const text = make();
    this.entries.set(key, text);
    this.added = true;
    return text;
  }

  /** Writes the memo (atomically) if this run added to it; a cache that cannot be written is skipped. */
  save(): void {
    if (!this.added) return;
    const unused = [...this.entries.keys()].filter((k) => !this.used.has(k));
    const kept = new Set([...this.used, ...unused.slice(-KEEP_UNUSED)]);
    const entries: Record<string, string> = {};
    for (const [key, value] of this.entries) if (kept.has(key)) entries[key] = value;
    const temporary = `${this.file}.${process.pid}.tmp`;
    try {
      mkdirSync(path.dirname(this.file), { recursive: true });
      writeFileSync(temporary, JSON.stringify({ format: FORMAT, entries }));
      renameSync(temporary, this.file);
      this.added = false;
    } catch {
      try {
        rmSync(temporary, { force: true });
      } catch {
        // The folder itself is not there or not a folder: nothing was written.
      }
    }
  }
}
