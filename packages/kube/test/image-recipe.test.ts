// Image recipes: parsing, the errors a recipe author sees, and the content address.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { verifySha512 } from '../src/images/build-image.js';
import { moduleReplaces } from '../src/images/go-step.js';
import { resolveImageUser } from '../src/images/inspect-image.js';
import { imageRef, parseRecipe, RecipeError } from '../src/images/recipe.js';
import { recipeHash, sharedDir } from '../src/images/recipe-hash.js';
import { findRecipes, selectRecipes } from '../src/images/recipes.js';

const FILE = '/repo/apps/x/images/x/image.yaml';

function errorOf(text: string): string {
  try {
    parseRecipe(text, FILE);
  } catch (error) {
    expect(error).toBeInstanceOf(RecipeError);
    return (error as Error).message;
  }
  throw new Error('expected a RecipeError');
}

describe('parseRecipe', () => {
  it('reads a full recipe', () => {
    const recipe = parseRecipe(
      [
        'name: spark',
        'tag: "4.0.1-1"',
        'base:',
        '  debian: { suite: bookworm, packages: [python3-venv, openjdk-17-jre-headless] }',
        'steps:',
        '  - go: { module: github.com/x/y, version: v1.2.3, to: /usr/bin/y, wrapper: true }',
        '  - pip: { packages: [pyspark==4.0.1], venv: /opt/spark-venv }',
        '  - copy: { from: ./entrypoint.sh, to: /opt/entrypoint.sh, mode: "0755" }',
        '  - unpack: { from: /work/shared/livy/livy.zip, to: /opt/livy, strip: 1 }',
        '  - run: useradd --uid 185 --system spark',
        'config:',
        '  entrypoint: [/opt/entrypoint.sh]',
        '  user: 185',
        '  env: { SPARK_HOME: /opt/spark-venv/lib/python3.11/site-packages/pyspark }',
      ].join('\n'),
      FILE,
    );
    expect(imageRef(recipe)).toBe('airspark.local/spark:4.0.1-1');
    expect(recipe.base).toEqual({
      kind: 'debian',
      suite: 'bookworm',
      packages: ['openjdk-17-jre-headless', 'python3-venv'],
      mirror: 'http://deb.debian.org/debian',
    });
    expect(recipe.steps).toHaveLength(5);
    expect(recipe.config.user).toBe('185');
  });

  it('names the file, the line and the fix for each mistake', () => {
    expect(errorOf('name: X\ntag: "1"')).toBe(
      `${FILE}:1: name must be lowercase letters, digits and . _ - (it becomes the image name)`,
    );
    expect(errorOf('name: x\n')).toMatch(/:1: tag is required/);
    expect(errorOf('name: x\ntag: "1"\nsteps:\n  - pip: { packages: [pyspark] }')).toMatch(
      /:4: pip steps run inside the image and need base: \{ debian: ... \}/,
    );
    expect(
      errorOf('name: x\ntag: "1"\nbase: { debian: {} }\nsteps:\n  - pip:\n      packages: [pyspark]'),
    ).toMatch(/:6: pin "pyspark" to a version \(name==version\)/);
    expect(errorOf('name: x\ntag: "1"\nsteps:\n  - go: { module: a/b, to: /b }')).toMatch(
      /:4: go.module needs a version/,
    );
    expect(errorOf('name: x\ntag: "1"\nsteps:\n  - copy: { from: a, to: relative }')).toMatch(
      /:4: "relative" must be an absolute path inside the image/,
    );
    expect(errorOf('name: x\ntag: "1"\nsteps:\n  - fetch: { url: x }')).toMatch(/:4: unknown step "fetch"/);
    expect(errorOf('name: x\ntag: "1"\nbogus: 1')).toMatch(/:3: unknown key "bogus"/);
    expect(errorOf('name: [x')).toMatch(/:1: not valid YAML/);
  });
});

describe('archive checksums', () => {
  it('rejects a sha512 that is not 128 hex digits, naming the line', () => {
    expect(
      errorOf(
        'name: x\ntag: "1"\nsteps:\n  - unpack:\n      from: a.zip\n      to: /opt/a\n      sha512: abc',
      ),
    ).toMatch(/:7: sha512 is the archive's 128-digit hex SHA-512/);
  });

  it('accepts an archive with the expected SHA-512 and refuses any other', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'airspark-sha-'));
    const file = path.join(dir, 'a.zip');
    await writeFile(file, 'archive bytes');
    const { createHash } = await import('node:crypto');
    const good = createHash('sha512').update('archive bytes').digest('hex');
    await verifySha512(file, good.toUpperCase(), '/r/image.yaml');
    await expect(verifySha512(file, 'f'.repeat(128), '/r/image.yaml')).rejects.toThrow(
      `/r/image.yaml: ${file} has SHA-512 ${good}, but the recipe expects ${'f'.repeat(128)}`,
    );
    await rm(dir, { recursive: true, force: true });
  });
});

describe('content address', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('changes with the recipe and with the files it copies, and only then', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'airspark-recipe-'));
    dirs.push(dir);
    const file = path.join(dir, 'image.yaml');
    await writeFile(path.join(dir, 'hello.txt'), 'one');
    const text = 'name: x\ntag: "1"\nsteps:\n  - copy: { from: hello.txt, to: /hello.txt }\n';
    const first = await recipeHash(parseRecipe(text, file));
    expect(await recipeHash(parseRecipe(text, file))).toBe(first);
    await writeFile(path.join(dir, 'hello.txt'), 'two');
    const second = await recipeHash(parseRecipe(text, file));
    expect(second).not.toBe(first);
    expect(await recipeHash(parseRecipe(text.replace('"1"', '"2"'), file))).not.toBe(second);
  });
});

describe('setup steps', () => {
  const recipe = (step: string) => `name: x\ntag: "1"\nsteps:\n  - setup: ${step}\n`;

  it('reads a script relative to the recipe and where its output goes', () => {
    expect(
      parseRecipe(recipe('{ script: ../../scripts/setup-argocd.mjs, to: /usr/local/bin }'), FILE).steps,
    ).toEqual([{ setup: { script: '../../scripts/setup-argocd.mjs', to: '/usr/local/bin' } }]);
  });

  it('names each mistake', () => {
    expect(errorOf(recipe('scripts/setup.mjs'))).toMatch(/:4: setup is a mapping/);
    expect(errorOf(recipe('{ script: setup.sh, to: /bin/x }'))).toMatch(/setup.script is a Node script/);
    expect(errorOf(recipe('{ script: setup.mjs, to: bin/x }'))).toMatch(/"bin\/x" must be an absolute path/);
    expect(errorOf(recipe('{ script: setup.mjs, to: /x, from: y }'))).toMatch(
      /unknown key "from"; setup has script, to/,
    );
  });

  it('puts what the script prepared into the content address, and needs it', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'airspark-setup-'));
    try {
      const parsed = parseRecipe(
        recipe('{ script: setup.mjs, to: /usr/local/bin }'),
        path.join(dir, 'image.yaml'),
      );
      await writeFile(path.join(dir, 'tool'), 'v1');
      const prepared = new Map([['setup.mjs', path.join(dir, 'tool')]]);
      const first = await recipeHash(parsed, prepared);
      await writeFile(path.join(dir, 'tool'), 'v2');
      expect(await recipeHash(parsed, prepared)).not.toBe(first);
      await expect(recipeHash(parsed)).rejects.toThrow(/setup script setup.mjs has not been run/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('shared: inputs', () => {
  it('come from AIRSPARK_SHARED_DIR, else from shared/ beside the checkout holding the recipe', async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'airspark-shared-'));
    try {
      await mkdir(path.join(root, 'repo', '.git'), { recursive: true });
      await mkdir(path.join(root, 'repo', 'apps', 'livy', 'image'), { recursive: true });
      const recipeFile = path.join(root, 'repo', 'apps', 'livy', 'image', 'image.yaml');
      expect(sharedDir(recipeFile, {})).toBe(path.join(root, 'shared'));
      expect(sharedDir(recipeFile, { AIRSPARK_SHARED_DIR: '/srv/shared' })).toBe('/srv/shared');
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('name the recipe and the variable when the file is missing', async () => {
    const parsed = parseRecipe(
      'name: x\ntag: "1"\nsteps:\n  - copy: { from: "shared:livy/none.zip", to: /x.zip }\n',
      FILE,
    );
    const saved = process.env.AIRSPARK_SHARED_DIR;
    process.env.AIRSPARK_SHARED_DIR = '/nonexistent-shared';
    try {
      await expect(recipeHash(parsed)).rejects.toThrow(
        `${FILE}: input /nonexistent-shared/livy/none.zip does not exist; "shared:livy/none.zip" is read from the shared folder beside the checkout: set AIRSPARK_SHARED_DIR to the folder that holds it`,
      );
    } finally {
      if (saved === undefined) delete process.env.AIRSPARK_SHARED_DIR;
      else process.env.AIRSPARK_SHARED_DIR = saved;
    }
  });
});

describe('recipes in the repository', () => {
  it("finds the cluster's own recipes and rejects unknown names, listing the known ones", async () => {
    const root = new URL('../images/', import.meta.url).pathname;
    const all = await findRecipes(root);
    expect([...all.keys()].sort()).toEqual(['coredns', 'pause', 'testbox']);
    expect(() => selectRecipes(all, ['nope'])).toThrow(
      'no image recipe named nope; known: coredns, pause, testbox',
    );
  });
});

describe('wrapper builds', () => {
  it("copies an upstream module's replace directives, and refuses local folders", () => {
    const goMod = [
      'module github.com/argoproj/argo-cd/v3',
      'replace (',
      '\tgithub.com/golang/protobuf => github.com/golang/protobuf v1.5.4 // pinned',
      '\tk8s.io/api => k8s.io/api v0.34.0',
      ')',
      'replace github.com/a/b v1.0.0 => github.com/c/b v1.1.0',
    ].join('\n');
    expect(moduleReplaces(goMod)).toEqual([
      'github.com/golang/protobuf => github.com/golang/protobuf v1.5.4',
      'k8s.io/api => k8s.io/api v0.34.0',
      'github.com/a/b v1.0.0 => github.com/c/b v1.1.0',
    ]);
    expect(() => moduleReplaces('replace x => ./x')).toThrow(/replaces a module with a local folder/);
  });
});

describe('resolveImageUser', () => {
  const passwd = 'root:x:0:0::/root:/bin/sh\nspark:x:185:185::/opt/spark:/usr/sbin/nologin\n';
  const group = 'root:x:0:\nspark:x:185:\nusers:x:100:\n';

  it('reads numbers, names and groups as the container runtime does', () => {
    expect(resolveImageUser('185', passwd, group)).toEqual({ uid: 185, gid: 185 });
    expect(resolveImageUser('spark', passwd, group)).toEqual({ uid: 185, gid: 185 });
    expect(resolveImageUser('999:999', passwd, group)).toEqual({ uid: 999, gid: 999 });
    expect(resolveImageUser('spark:users', passwd, group)).toEqual({ uid: 185, gid: 100 });
    expect(resolveImageUser(undefined, passwd, group)).toEqual({ uid: 0, gid: 0 });
  });

  it('names a user or group the image does not have', () => {
    expect(() => resolveImageUser('nobody', passwd, group)).toThrow(
      'the image\'s user "nobody" is not in its /etc/passwd',
    );
    expect(() => resolveImageUser('185:staff', passwd, group)).toThrow(
      'the image\'s group "staff" is not in its /etc/group',
    );
  });
});
