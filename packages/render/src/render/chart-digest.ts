import { createHash } from 'node:crypto';
import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';

/**
 * sha256 of every file under a chart folder as helm loads it: symlinks followed (helm's loader
 * follows them too), each file by its path relative to the folder and its bytes. `.helmignore` is
 * not applied: hashing files helm skips costs a needless miss at worst, never a wrong answer.
 * A folder reached twice through symlinks (a loop) is hashed once.
 */
export async function chartFolderDigest(dir: string): Promise<string> {
  const hash = createHash('sha256');
  const visited = new Set<string>();
  const walk = async (absolute: string, relative: string): Promise<void> => {
    const real = await realpath(absolute);
    if (visited.has(real)) {
      hash.update(`loop\0${relative}\n`);
      return;
    }
    visited.add(real);
    const names = (await readdir(absolute)).sort();
    for (const name of names) {
      const full = path.join(absolute, name);
      const rel = relative === '' ? name : `${relative}/${name}`;
      const info = await stat(full);
      if (info.isDirectory()) {
        hash.update(`dir\0${rel}\n`);
        await walk(full, rel);
      } else if (info.isFile()) {
        const bytes = await readFile(full);
        hash.update(`file\0${rel}\0${bytes.length}\0`);
        hash.update(bytes);
        hash.update('\n');
      }
    }
  };
  await walk(dir, '');
  return `sha256:${hash.digest('hex')}`;
}

/** sha256 of a file's bytes. */
export async function fileDigest(file: string): Promise<string> {
  return `sha256:${createHash('sha256')
    .update(await readFile(file))
    .digest('hex')}`;
}

/**
 * Which helm binary this is, cheaply: its real path, size, inode and modification time. A version
 * string would not tell two builds of one version apart; hashing the 50 MB binary on every run
 * would cost more than a helm run. Replacing the binary (the tools layer extracts a new file and
 * renames it into place) changes the inode and time.
 */
export async function helmIdentity(helm: string): Promise<string> {
  const real = await realpath(helm);
  const info = await stat(real);
  return `${real}\0${info.size}\0${info.ino}\0${info.mtimeMs}`;
}
