import { parseArgs } from 'node:util';
import type { CliContext } from '@airspark/cli-kit';
import { findRepositoryRoot, UsageError } from '@airspark/config';
import { buildImages, findRecipes, imageRef, RecipeError } from '@airspark/kube';

export const imagesUsage = `Usage: airspark images <build|list> [NAME...] [--force] [--no-import] [--root DIR]

  build   build the named images (all when none is named) from their recipes (image.yaml files
          in the repository; format in docs/images.md), or take them from the content-addressed
          cache, and import them into the local cluster when it is up. No registry, no Docker.
  list    show every recipe and the image reference it produces

  --force      rebuild even when the cache has the image
  --no-import  only build; do not import into the running cluster

Exit codes: 0 done, 1 a build failed, 2 usage error or a bad recipe.`;

export async function imagesCommand(args: string[], ctx: CliContext): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: {
      help: { type: 'boolean', short: 'h' },
      force: { type: 'boolean' },
      'no-import': { type: 'boolean' },
      root: { type: 'string' },
    },
    strict: true,
    allowPositionals: true,
  });
  if (values.help) {
    ctx.stdout.write(`${imagesUsage}\n`);
    return 0;
  }
  const [action, ...names] = positionals;
  if (action !== 'build' && action !== 'list')
    throw new UsageError(`expected "build" or "list".\n\n${imagesUsage}`);
  const root = await findRepositoryRoot(values.root ?? ctx.cwd);
  const began = Date.now();
  const log = (line: string) =>
    ctx.stderr.write(`[${String(Math.round((Date.now() - began) / 1000)).padStart(4)}s] ${line}\n`);
  try {
    if (action === 'list') {
      for (const recipe of (await findRecipes(root)).values())
        ctx.stdout.write(`${imageRef(recipe)}  ${recipe.file}\n`);
      return 0;
    }
    const outcomes = await buildImages({
      repoRoot: root,
      names,
      log,
      ...(values.force ? { force: true } : {}),
      ...(values['no-import'] ? { import: false } : {}),
    });
    for (const o of outcomes)
      ctx.stdout.write(
        `${o.ref}  ${o.cached ? 'cached' : 'built'}${o.imported ? ', imported' : ''}  ${o.archive}\n`,
      );
    return 0;
  } catch (error) {
    if (error instanceof RecipeError) {
      ctx.stderr.write(`airspark images: ${error.message}\n`);
      return 2;
    }
    ctx.stderr.write(`airspark images ${action}: ${(error as Error).message}\n`);
    return 1;
  }
}
