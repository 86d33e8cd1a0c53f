// What a Dockerfile for users declares (parsed with dockerfile-ast), and the recipes of the local
// images agreeing with it: the platform's own Dockerfiles against their recipes, and each rule
// made to fire on a small Dockerfile. The paths are checked on the built images (test/images).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  checkRecipeAgainstDockerfile,
  DockerfileLayoutError,
  dockerfileLayout,
  dockerGlobToRegExp,
} from '../src/images/dockerfile-layout.js';
import { parseRecipe } from '../src/images/recipe.js';
import { findRecipes } from '../src/images/recipes.js';
import { REPO_ROOT } from '../src/node-cluster/binaries.js';
import { DOCKERFILE_TWINS, dockerfileOf } from './images/dockerfile-twins.js';

describe('dockerfileLayout', () => {
  const text = `# syntax=docker/dockerfile:1.7
ARG BASE=example/base:1
FROM \${BASE} AS fetch
USER root
ENV IGNORED=yes
COPY ignored.txt /ignored
FROM \${BASE}
ARG JOBS=/opt/jobs
ADD --checksum=sha256:00 --chmod=0644 https://repo.example/a/b/lib-1.0.jar /opt/spark/jars/
COPY --from=fetch --chown=root:root /build/tool /opt/tool
COPY --from=fetch /build/jars/ /opt/spark/jars/
COPY --chmod=0644 jobs/*.py \${JOBS}/
COPY entrypoint.sh /opt/
ENV A=1 \\
    B=/opt/b
WORKDIR /opt
WORKDIR work
USER 185:185
`;
  const context = ['jobs/pi.py', 'jobs/etl.py', 'jobs/README.md', 'entrypoint.sh', 'ignored.txt'];

  it('reads the final stage only: user, working directory (relative to the last), environment', () => {
    const layout = dockerfileLayout(text, 'Dockerfile', context);
    expect(layout.user).toEqual({ user: '185', group: '185', line: 18 });
    expect(layout.workdir).toEqual({ path: '/opt/work', line: 17 });
    expect(layout.env).toEqual({ A: { value: '1', line: 14 }, B: { value: '/opt/b', line: 14 } });
    expect(layout.paths.map((p) => p.path)).not.toContain('/ignored');
  });

  it('turns COPY/ADD into the paths they create, with ARGs expanded, globs matched and flags kept', () => {
    const { paths } = dockerfileLayout(text, 'Dockerfile', context);
    expect(paths).toEqual([
      { path: '/opt/spark/jars/lib-1.0.jar', kind: 'file', mode: '0644', line: 9 },
      { path: '/opt/tool', kind: 'any', owner: 'root:root', line: 10 },
      { path: '/opt/spark/jars', kind: 'dir', line: 11 },
      { path: '/opt/jobs', kind: 'dir', line: 12 },
      { path: '/opt/jobs/pi.py', kind: 'file', mode: '0644', line: 12 },
      { path: '/opt/jobs/etl.py', kind: 'file', mode: '0644', line: 12 },
      { path: '/opt/entrypoint.sh', kind: 'file', line: 13 },
    ]);
  });

  it('fails with the line when a COPY source is not in the build context', () => {
    expect(() => dockerfileLayout('FROM x\nCOPY missing.sh /opt/\n', 'Dockerfile', [])).toThrow(
      new DockerfileLayoutError(
        'Dockerfile:2: missing.sh is not in the build context; the Dockerfile and its context disagree',
      ),
    );
    expect(() => dockerfileLayout('FROM x\nCOPY jobs/*.py /opt/\n', 'Dockerfile', ['jobs/a.txt'])).toThrow(
      /Dockerfile:2: jobs\/\*\.py matches no file of the build context/,
    );
  });

  it('refuses a file without FROM', () => {
    expect(() => dockerfileLayout('RUN true\n', 'x/Dockerfile')).toThrow(
      /x\/Dockerfile:1: no FROM instruction/,
    );
  });

  it("matches COPY sources as Go's filepath.Match does, within one path segment", () => {
    expect(dockerGlobToRegExp('jobs/*.py').test('jobs/a.py')).toBe(true);
    expect(dockerGlobToRegExp('jobs/*.py').test('jobs/sub/a.py')).toBe(false);
    expect(dockerGlobToRegExp('a?[bc].txt').test('a1c.txt')).toBe(true);
    expect(dockerGlobToRegExp('a?[bc].txt').test('a1d.txt')).toBe(false);
  });
});

describe('checkRecipeAgainstDockerfile', () => {
  const recipe = (config: string) =>
    parseRecipe(`name: x\ntag: "1"\nbase: scratch\nconfig:\n${config}`, '/repo/x/image.yaml');
  const layout = dockerfileLayout(
    'FROM b\nENV SPARK_HOME=/opt/spark\nWORKDIR /opt/livy\nUSER 185:185\n',
    'Dockerfile',
  );

  it('accepts the same user (the group when both name one), working directory and environment', () => {
    expect(
      checkRecipeAgainstDockerfile(
        recipe('  user: "185"\n  workdir: /opt/livy\n  env: { SPARK_HOME: /opt/spark }\n'),
        layout,
      ),
    ).toEqual([]);
  });

  it('names each disagreement with both files and the Dockerfile line', () => {
    expect(
      checkRecipeAgainstDockerfile(recipe('  user: "0:185"\n  env: { SPARK_HOME: /spark }\n'), layout),
    ).toEqual([
      '/repo/x/image.yaml: config.user is 0:185, but Dockerfile:4 runs as USER 185:185; set config.user to 185',
      '/repo/x/image.yaml: config.workdir is (unset), but Dockerfile:3 sets WORKDIR /opt/livy',
      '/repo/x/image.yaml: config.env.SPARK_HOME is /spark, but Dockerfile:2 sets ENV SPARK_HOME=/opt/spark',
    ]);
    expect(checkRecipeAgainstDockerfile(recipe('  user: "185:0"\n'), layout)[0]).toMatch(
      /config.user is 185:0/,
    );
    expect(checkRecipeAgainstDockerfile(recipe('  env: {}\n'), layout)[0]).toMatch(
      /config.user is \(unset: root\)/,
    );
  });
});

describe("the platform's Dockerfiles for users and the recipes of the local images", () => {
  it.each(DOCKERFILE_TWINS)('$image: $dockerfile declares what its recipe configures', async (twin) => {
    const recipes = await findRecipes(REPO_ROOT);
    const recipe = recipes.get(twin.image);
    expect(recipe, `no recipe named ${twin.image}`).toBeDefined();
    const layout = await dockerfileOf(twin);
    expect(layout.user, `${twin.dockerfile} declares no USER`).toBeDefined();
    expect(checkRecipeAgainstDockerfile(recipe as NonNullable<typeof recipe>, layout)).toEqual([]);
    expect(path.relative(REPO_ROOT, (recipe as NonNullable<typeof recipe>).file)).toBe(
      path.join(path.dirname(twin.dockerfile), 'image.yaml'),
    );
    expect(await readFile(path.join(REPO_ROOT, twin.dockerfile), 'utf8')).toMatch(/^FROM /m);
  });
});
