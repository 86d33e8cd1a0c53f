import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';

const NEEDLE = 'Capabilities.APIVersions';

async function scanDir(dir: string): Promise<boolean> {
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (await scanDir(full)) return true;
    } else if (/\.(ya?ml|tpl|txt|json)$/.test(e.name) && (await readFile(full, 'utf8')).includes(NEEDLE))
      return true;
  }
  return false;
}

async function scanArchive(file: string): Promise<boolean> {
  const { list } = await import('tar');
  let found = false;
  await list({
    file,
    onReadEntry: (entry) => {
      if (found || !/\.(ya?ml|tpl)$/.test(entry.path)) {
        entry.resume();
        return;
      }
      const chunks: Buffer[] = [];
      entry.on('data', (c: Buffer) => chunks.push(c));
      entry.on('end', () => {
        if (Buffer.concat(chunks).toString('utf8').includes(NEEDLE)) found = true;
      });
    },
  });
  return found;
}

/**
 * Whether a chart's templates ask `.Capabilities.APIVersions`: only those need a second render
 * once the environment's CRDs (and so its API versions) are known.
 */
export async function chartAsksApiVersions(chart: string): Promise<boolean> {
  const info = await stat(chart);
  return info.isDirectory() ? scanDir(chart) : scanArchive(chart);
}
