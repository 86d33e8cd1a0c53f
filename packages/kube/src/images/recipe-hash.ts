// The content address of an image: a hash of the recipe and of every input it reads from disk,
// so that the same recipe with the same files is built once and reused from the cache.
import { createHash } from 'node:crypto';
import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import path from 'node:path';
import type { ImageRecipe } from './recipe.js';

/** Bumped when the builder changes how it turns a recipe into an image. */
export const BUILDER_VERSION = 'airspark-images/1';

/** Resolves a path in a step against the recipe's folder. */
export function inputPath(recipe: ImageRecipe, from: string): string {
  return path.resolve(path.dirname(recipe.file), from);
}

/** sha256 over a file or a folder tree (relative names, modes, contents, link targets). */
export async function hashPath(file: string): Promise<string> {
  const hash = createHash('sha256');
  const visit = async (current: string, relative: string): Promise<void> => {
    const info = await lstat(current);
    hash.update(`${relative}\0${info.mode.toString(8)}\0`);
    if (info.isSymbolicLink()) hash.update(`link:${await readlink(current)}\0`);
    else if (info.isDirectory()) {
      for (const entry of (await readdir(current)).sort())
        await visit(path.join(current, entry), path.posix.join(relative, entry));
    } else hash.update(await readFile(current));
  };
  try {
    await visit(file, '.');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`input ${file} does not exist`);
    throw error;
  }
  return hash.digest('hex');
}

/** The recipe's content address (hex sha256). */
export async function recipeHash(recipe: ImageRecipe): Promise<string> {
  const inputs: Record<string, string> = {};
  for (const step of recipe.steps) {
    const from =
      'copy' in step
        ? step.copy.from
        : 'unpack' in step
          ? step.unpack.from
          : 'go' in step
            ? step.go.dir
            : undefined;
    if (from !== undefined) inputs[from] = await hashPath(inputPath(recipe, from));
  }
  const { file: _file, ...content } = recipe;
  return createHash('sha256')
    .update(
      JSON.stringify({
        builder: BUILDER_VERSION,
        platform: `${process.platform}/${process.arch}`,
        content,
        inputs,
      }),
    )
    .digest('hex');
}
