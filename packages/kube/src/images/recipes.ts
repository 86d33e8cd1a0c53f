// Finding recipes in the repository: every `image.yaml` that git knows about (tracked or new and
// not ignored), so a recipe lives next to the component it belongs to.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { runCommand } from '../node-cluster/run-command.js';
import { type ImageRecipe, parseRecipe, RecipeError } from './recipe.js';

export const RECIPE_FILE = 'image.yaml';

/** Every recipe under `repoRoot`, by name. Two recipes with one name are an error. */
export async function findRecipes(repoRoot: string): Promise<Map<string, ImageRecipe>> {
  const listed = await runCommand(
    'git',
    ['ls-files', '--cached', '--others', '--exclude-standard', '--', `*${RECIPE_FILE}`, RECIPE_FILE],
    { cwd: repoRoot },
  );
  const recipes = new Map<string, ImageRecipe>();
  for (const relative of listed.split('\n').filter((line) => path.basename(line) === RECIPE_FILE)) {
    const file = path.join(repoRoot, relative);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch {
      continue; // deleted but still in the index
    }
    const recipe = parseRecipe(text, file);
    const other = recipes.get(recipe.name);
    if (other)
      throw new RecipeError(
        `${file}:1: image "${recipe.name}" is also defined in ${other.file}; rename one of them`,
      );
    recipes.set(recipe.name, recipe);
  }
  return recipes;
}

/** The recipes named `names` (all when empty), or a RecipeError listing the known names. */
export function selectRecipes(all: Map<string, ImageRecipe>, names: readonly string[]): ImageRecipe[] {
  if (names.length === 0) return [...all.values()].sort((a, b) => a.name.localeCompare(b.name));
  const unknown = names.filter((name) => !all.has(name));
  if (unknown.length > 0)
    throw new RecipeError(
      `no image recipe named ${unknown.join(', ')}; known: ${[...all.keys()].sort().join(', ') || '(none)'} (recipes are ${RECIPE_FILE} files in the repository)`,
    );
  return names.map((name) => all.get(name) as ImageRecipe);
}
