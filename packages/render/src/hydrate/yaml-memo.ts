import { createRequire } from 'node:module';
import path from 'node:path';
import { serialize } from 'node:v8';
import { FileMemo } from '@airspark/config';

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

let yamlVersion: string | undefined;
/** The `yaml` library's version: another version may print the same document differently. */
function yamlLibraryVersion(): string {
  yamlVersion ??= (createRequire(import.meta.url)('yaml/package.json') as { version: string }).version;
  return yamlVersion;
}

/** A memo kept in `file`; `save()` writes it back when this run added entries. */
export class FileYamlMemo implements YamlMemo {
  private constructor(private readonly memo: FileMemo) {}

  /** Opens the memo; a missing, unreadable or foreign file is an empty memo (it costs speed only). */
  static open(file: string): FileYamlMemo {
    return new FileYamlMemo(new FileMemo(file, FORMAT));
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
    const key = FileMemo.key(FORMAT, yamlLibraryVersion(), options, serialized);
    const known = this.memo.get(key);
    if (known !== undefined) return known;
    const text = make();
    this.memo.set(key, text);
    return text;
  }

  /** Writes the memo (atomically) if this run added to it; a cache that cannot be written is skipped. */
  save(): void {
    this.memo.save();
  }
}
