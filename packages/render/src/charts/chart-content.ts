import { createHash } from 'node:crypto';
import { Parser, type ReadEntry } from 'tar';

/**
 * The digest of what a chart package *contains*, not of its bytes: a sha256 over the sorted list
 * of its regular files (path and sha256 of each). Two `helm package` runs over the same files
 * produce archives whose bytes differ (timestamps, ordering, gzip), so the archive digest cannot
 * say "same chart" across a mirror and the upstream repository; this digest can.
 *
 * Normalisation: a dependency packed as an archive (`<chart>/charts/<dep>-<v>.tgz`, what
 * `helm dependency build` leaves) counts as its files unpacked under `<chart>/charts/`, which is how
 * Helm reads it; a dependency vendored as a folder gives the same digest. Directories, modes,
 * owners and times are not part of the content (Helm ignores them).
 */
export async function chartContentDigest(archive: Uint8Array): Promise<string> {
  const files = await chartFiles(archive, '');
  const hash = createHash('sha256');
  for (const [name, fileDigest] of [...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
    hash.update(`${name}\0${fileDigest}\n`);
  return `sha256:${hash.digest('hex')}`;
}

/** Path → sha256 hex of every regular file, nested dependency archives unpacked. */
async function chartFiles(archive: Uint8Array, prefix: string): Promise<Map<string, string>> {
  const entries = await readEntries(archive);
  const files = new Map<string, string>();
  for (const { name, bytes } of entries) {
    const nested = /^[^/]+\/charts\/[^/]+\.tgz$/.test(name);
    if (nested) {
      const dir = name.slice(0, name.lastIndexOf('/') + 1);
      for (const [inner, digest] of await chartFiles(bytes, `${prefix}${dir}`)) files.set(inner, digest);
    } else {
      files.set(`${prefix}${name}`, createHash('sha256').update(bytes).digest('hex'));
    }
  }
  return files;
}

function normalisePath(name: string): string {
  return name.replace(/^(\.\/)+/, '').replace(/\/{2,}/g, '/');
}

function readEntries(archive: Uint8Array): Promise<Array<{ name: string; bytes: Buffer }>> {
  return new Promise((resolve, reject) => {
    const out: Array<{ name: string; bytes: Buffer }> = [];
    const parser = new Parser({
      strict: true,
      onReadEntry: (entry: ReadEntry) => {
        if (entry.type !== 'File' && entry.type !== 'OldFile' && entry.type !== 'ContiguousFile') {
          entry.resume();
          return;
        }
        const chunks: Buffer[] = [];
        entry.on('data', (chunk: Buffer) => chunks.push(chunk));
        entry.on('end', () => out.push({ name: normalisePath(entry.path), bytes: Buffer.concat(chunks) }));
      },
    });
    parser.on('error', reject);
    parser.on('end', () => resolve(out));
    parser.end(Buffer.from(archive));
  });
}
