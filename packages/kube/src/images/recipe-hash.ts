// The content address of an image: a hash of the recipe and of every input it reads from disk,
// so that the same recipe with the same files is built once and reused from the cache.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import path from 'node:path';
import type { ImageRecipe } from './recipe.js';

/** Bumped when the builder changes how it turns a recipe into an image. */
export const BUILDER_VERSION = 'airspark-images/1';

/** The prefix of a step's `from` that names a file of the shared folder beside the checkout. */
export const SHARED_PREFIX = 'shared:';

/**
 * The folder `shared:` paths read: `$AIRSPARK_SHARED_DIR`, else `shared/` beside the checkout
 * that holds the recipe (the nearest folder above it with a `.git`), as CI and `/work/main` lay it.
 * Files there are never copied into the repository (the Livy zip).
 */
export function sharedDir(recipeFile: string, env: NodeJS.ProcessEnv = process.env): string {
  if (env.AIRSPARK_SHARED_DIR) return path.resolve(env.AIRSPARK_SHARED_DIR);
  let dir = path.dirname(path.resolve(recipeFile));
  while (!existsSync(path.join(dir, '.git'))) {
    const parent = path.dirname(dir);
    if (parent === dir) return path.join(path.dirname(path.dirname(path.resolve(recipeFile))), 'shared');
    dir = parent;
  }
  return path.join(path.dirname(dir), 'shared');
}

/** Resolves a path in a step against the recipe's folder (or the shared folder, for `shared:`). */
export function inputPath(recipe: ImageRecipe, from: string): string {
  if (from.startsWith(SHARED_PREFIX))
    return path.join(sharedDir(recipe.file), from.slice(SHARED_PREFIX.length));
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

/**
 * The recipe's content address (hex sha256). `prepared` maps each setup step's script to what it
 * prepared (a file or folder), whose contents are part of the address.
 */
export async function recipeHash(
  recipe: ImageRecipe,
  prepared: ReadonlyMap<string, string> = new Map(),
): Promise<string> {
  const inputs: Record<string, string> = {};
  for (const step of recipe.steps) {
    if ('setup' in step) {
      const output = prepared.get(step.setup.script);
      if (output === undefined)
        throw new Error(`${recipe.file}: setup script ${step.setup.script} has not been run before hashing`);
      inputs[`setup:${step.setup.script}`] = await hashPath(output);
      continue;
    }
    const from =
      'copy' in step
        ? step.copy.from
        : 'unpack' in step
          ? step.unpack.from
          : 'go' in step
            ? step.go.dir
            : undefined;
    if (from === undefined) continue;
    try {
      inputs[from] = await hashPath(inputPath(recipe, from));
    } catch (error) {
      if (!from.startsWith(SHARED_PREFIX)) throw error;
      throw new Error(
        `${recipe.file}: ${(error as Error).message}; "${from}" is read from the shared folder beside the checkout: set AIRSPARK_SHARED_DIR to the folder that holds it`,
      );
    }
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
