import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { stringify } from 'yaml';
import type { RenderedObject } from './render-environment.js';

/** Marks a folder as renderer output, so that --out never wipes a folder it did not create. */
export const OUTPUT_MARKER = '.airspark-render';

export class OutputError extends Error {
  override name = 'OutputError';
}

/** The text of one rendered file: where it came from, then the object. */
export function renderedFileText(o: RenderedObject): string {
  const where = o.source.line > 0 ? `${o.source.file}:${o.source.line}` : o.source.file;
  return `# Source: ${where}\n${stringify(o.object, { lineWidth: 0, aliasDuplicateObjects: false, version: '1.1' })}`;
}

/**
 * Throws OutputError when `out` holds files airspark render did not write (it would replace them);
 * returns the folder's entries (undefined when it does not exist). Callers check before any write.
 */
export async function checkOutputFolder(out: string): Promise<string[] | undefined> {
  const existing = await readdir(path.resolve(out)).catch(() => undefined);
  if (existing !== undefined && existing.length > 0 && !existing.includes(OUTPUT_MARKER)) {
    throw new OutputError(
      `${out} exists and was not written by airspark render (no ${OUTPUT_MARKER}); choose an empty or new folder.`,
    );
  }
  return existing;
}

/**
 * Writes one folder per app and one file per object into `out`, replacing earlier output as a
 * whole: everything is written to a sibling folder first and swapped in by rename.
 */
export async function writeRendered(out: string, objects: readonly RenderedObject[]): Promise<void> {
  const target = path.resolve(out);
  const existing = await checkOutputFolder(out);
  const staging = `${target}.tmp-${randomBytes(4).toString('hex')}`;
  try {
    await mkdir(staging, { recursive: true });
    await writeFile(
      path.join(staging, OUTPUT_MARKER),
      'rendered by `pnpm render`; replaced as a whole on every run\n',
    );
    const folders = new Set(objects.map((o) => path.dirname(o.renderedPath)));
    await Promise.all([...folders].map((f) => mkdir(path.join(staging, f), { recursive: true })));
    await Promise.all(objects.map((o) => writeFile(path.join(staging, o.renderedPath), renderedFileText(o))));
    if (existing !== undefined) {
      const old = `${target}.old-${randomBytes(4).toString('hex')}`;
      await rename(target, old);
      await rename(staging, target);
      await rm(old, { recursive: true, force: true });
    } else {
      await mkdir(path.dirname(target), { recursive: true });
      await rename(staging, target);
    }
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    if ((await stat(target).catch(() => undefined)) === undefined) throw error;
    throw error;
  }
}
