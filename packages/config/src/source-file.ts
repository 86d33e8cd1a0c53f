import { readFileSync, realpathSync, statSync } from 'node:fs';
import { realpath } from 'node:fs/promises';
import path from 'node:path';
import type { Finding } from '@airspark/findings';

/** Larger configuration files are a mistake (a data file or a log pasted by accident), not configuration. */
export const MAX_SOURCE_BYTES = 1024 * 1024;

export type SourceText = { ok: true; text: string } | { ok: false; finding: Finding };

const fail = (file: string, rule: string, message: string, line = 0, column = 0): SourceText => ({
  ok: false,
  finding: { severity: 'error', rule, message, file, line, column },
});

/** Position of a byte offset, so that a bad byte can be reported at its line. */
function positionOfByte(bytes: Uint8Array, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) {
    if (bytes[i] === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/** Index of the first byte at which strict UTF-8 decoding fails. */
function firstInvalidUtf8Byte(bytes: Uint8Array): number {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let low = 0;
  let high = bytes.length;
  // Binary search on prefixes: a prefix decodes iff the bad sequence is not inside it.
  while (low < high) {
    const mid = (low + high) >>> 1;
    try {
      decoder.decode(bytes.subarray(0, mid + 1), { stream: true });
      decoder.decode();
      low = mid + 1;
    } catch {
      high = mid;
    }
  }
  return low;
}

const realRoots = new Map<string, Promise<string>>();

/**
 * The real path of a repository root, resolved once per process (ADR 0063): every configuration file
 * read checks that it stays inside the root, and a run reads dozens, all under the same root, which
 * does not move while a command runs.
 */
export function realRootOf(root: string): Promise<string> {
  const key = path.resolve(root);
  let real = realRoots.get(key);
  if (!real) {
    // A root that cannot be resolved (not there yet) is not remembered.
    real = realpath(key).catch(() => {
      realRoots.delete(key);
      return key;
    });
    realRoots.set(key, real);
  }
  return real;
}

/**
 * Where a file really is when it is (or sits below) a symlink that leaves `root`; undefined when it
 * stays inside (or does not exist). Argo CD's repo-server refuses such files (values files,
 * directory manifests): their content is not in the commit it syncs.
 */
export async function escapesRepository(root: string, absolutePath: string): Promise<string | undefined> {
  const realRoot = await realRootOf(root);
  let real: string;
  try {
    real = realpathSync(absolutePath);
  } catch {
    return undefined;
  }
  return real === realRoot || real.startsWith(realRoot + path.sep) ? undefined : real;
}

export interface ReadSourceOptions {
  /** The repository root: a symlink that leads outside it is refused, as Argo CD refuses it. */
  root?: string;
  /** The rule of the findings (default: the `config/*` rules below). */
  rule?: string;
  /** An empty (or whitespace-only) file is fine: `{ ok: true, text: '' }` (helm values files). */
  allowEmpty?: boolean;
}

/**
 * Reads a configuration file as UTF-8 text, refusing what cannot be configuration: missing files,
 * files over the size limit, binary content and invalid UTF-8, and (with `root`) symlinks out of the
 * repository. `displayPath` is what findings show.
 */
export async function readSourceText(
  absolutePath: string,
  displayPath: string,
  options: ReadSourceOptions = {},
): Promise<SourceText> {
  const result = await readSourceTextUnchecked(absolutePath, displayPath, options.root);
  if (!result.ok && options.allowEmpty && result.finding.rule === 'config/empty')
    return { ok: true, text: '' };
  if (result.ok || options.rule === undefined) return result;
  return { ok: false, finding: { ...result.finding, rule: options.rule } };
}

/**
 * Synchronous calls inside: a run reads a few hundred small configuration files one after the other,
 * and with the promise API each is several round trips through libuv's thread pool (open, fstat,
 * read, close) that cost more than the read (ADR 0063).
 */
async function readSourceTextUnchecked(
  absolutePath: string,
  displayPath: string,
  root: string | undefined,
): Promise<SourceText> {
  if (root !== undefined) {
    const outside = await escapesRepository(root, absolutePath);
    if (outside !== undefined)
      return fail(
        displayPath,
        'config/outside-repository',
        `${displayPath} is a symlink to ${outside}, outside the repository; Argo CD refuses files that leave the repository. Copy the file into the repository instead.`,
      );
  }
  let size: number;
  try {
    const info = statSync(absolutePath);
    if (!info.isFile())
      return fail(displayPath, 'config/file-missing', `${displayPath} is not a regular file.`);
    size = info.size;
  } catch {
    return fail(
      displayPath,
      'config/file-missing',
      `${displayPath} does not exist; create it (see docs/environments.md).`,
    );
  }
  if (size > MAX_SOURCE_BYTES) {
    const mib = (size / 1024 / 1024).toFixed(1);
    return fail(
      displayPath,
      'config/too-large',
      `${displayPath} is ${mib} MiB; configuration files are limited to 1 MiB. Is this the right file?`,
    );
  }
  const bytes = readFileSync(absolutePath);
  const nul = bytes.indexOf(0);
  if (nul !== -1) {
    const at = positionOfByte(bytes, nul);
    return fail(
      displayPath,
      'config/binary',
      'file contains binary data (a NUL byte); expected YAML text.',
      at.line,
      at.column,
    );
  }
  try {
    const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
    if (text.trim() === '') {
      return fail(
        displayPath,
        'config/empty',
        'file is empty; expected a YAML document (see docs/environments.md).',
        1,
        1,
      );
    }
    return { ok: true, text };
  } catch {
    const at = positionOfByte(bytes, firstInvalidUtf8Byte(bytes));
    return fail(
      displayPath,
      'config/not-utf8',
      'file is not valid UTF-8; save it as UTF-8.',
      at.line,
      at.column,
    );
  }
}
