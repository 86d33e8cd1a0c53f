import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Texts memoised across runs in one JSON file of the cache folder (ADR 0064), for work that is a pure
 * function of its input: the key is a digest of everything the text depends on, so a changed input is
 * another key and the memo can miss, never answer for other input. A missing, corrupt or foreign file
 * is an empty memo; a cache that cannot be written costs speed only.
 */
export class FileMemo {
  private readonly entries: Map<string, string>;
  private readonly used = new Set<string>();
  private added = false;

  /**
   * @param file the JSON file
   * @param format names the stored form and what a key covers; a file of another format is not read
   * @param keepUnused entries kept beyond the ones this run used (other environments, branches): the
   *   whole file is read on every run, so it must stay small (a few hundred KB)
   */
  constructor(
    private readonly file: string,
    private readonly format: string,
    private readonly keepUnused = 300,
  ) {
    this.entries = new Map();
    try {
      const stored = JSON.parse(readFileSync(file, 'utf8')) as { format?: unknown; entries?: unknown };
      if (stored.format === format && stored.entries && typeof stored.entries === 'object')
        for (const [key, value] of Object.entries(stored.entries))
          if (typeof value === 'string') this.entries.set(key, value);
    } catch {
      // No memo yet, or not one this version reads: start empty.
    }
  }

  /** The sha256 of the parts (strings or bytes), each ended by a NUL so that no two lists collide. */
  static key(...parts: readonly (string | Uint8Array)[]): string {
    const hash = createHash('sha256');
    for (const part of parts) hash.update(part).update('\0');
    return hash.digest('hex');
  }

  get(key: string): string | undefined {
    const value = this.entries.get(key);
    if (value !== undefined) this.used.add(key);
    return value;
  }

  set(key: string, value: string): void {
    this.used.add(key);
    if (this.entries.get(key) === value) return;
    this.entries.set(key, value);
    this.added = true;
  }

  /** Writes the memo (atomically) if this run added to it. */
  save(): void {
    if (!this.added) return;
    const unused = [...this.entries.keys()].filter((k) => !this.used.has(k));
    const kept = new Set([...this.used, ...unused.slice(-this.keepUnused)]);
    const entries: Record<string, string> = {};
    for (const [key, value] of this.entries) if (kept.has(key)) entries[key] = value;
    const temporary = `${this.file}.${process.pid}.tmp`;
    try {
      mkdirSync(path.dirname(this.file), { recursive: true });
      writeFileSync(temporary, JSON.stringify({ format: this.format, entries }));
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
