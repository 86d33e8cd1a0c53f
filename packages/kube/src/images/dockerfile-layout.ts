// What a Dockerfile for users declares about the image it builds, read with a real Dockerfile
// parser (dockerfile-ast): the final stage's user, working directory, environment and the paths
// its COPY/ADD instructions put into the image (with their --chmod/--chown). The image recipes
// built here must produce the same layout (see checkRecipeAgainstDockerfile, and the image tests
// that look into the built root filesystem). Pure: the build context is passed in as a file list.
import path from 'node:path';
import { DockerfileParser, type Instruction } from 'dockerfile-ast';
import type { ImageRecipe } from './recipe.js';

export interface DeclaredPath {
  /** Absolute path inside the image. */
  readonly path: string;
  /** `dir` for a folder or a folder's contents, `file` for one known file, `any` when unknowable. */
  readonly kind: 'file' | 'dir' | 'any';
  /** `--chmod`, octal. */
  readonly mode?: string;
  /** `--chown` as written (`root:root`, `185:185`, `185`). */
  readonly owner?: string;
  /** 1-based line of the instruction. */
  readonly line: number;
}

export interface DockerfileLayout {
  readonly file: string;
  /** The last USER of the final stage: user and optional group, as written. */
  readonly user?: { readonly user: string; readonly group?: string; readonly line: number };
  readonly workdir?: { readonly path: string; readonly line: number };
  readonly env: Readonly<Record<string, { readonly value: string; readonly line: number }>>;
  readonly paths: readonly DeclaredPath[];
}

export class DockerfileLayoutError extends Error {
  override name = 'DockerfileLayoutError';
}

/** Go's filepath.Match (what Docker uses for COPY sources) for `*`, `?` and `[...]` within one segment. */
export function dockerGlobToRegExp(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i] as string;
    if (char === '*') source += '[^/]*';
    else if (char === '?') source += '[^/]';
    else if (char === '[') {
      const end = pattern.indexOf(']', i);
      if (end < 0) source += '\\[';
      else {
        source += `[${pattern
          .slice(i + 1, end)
          .replace(/^\^/, '^')
          .replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else source += char.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

const isUrl = (source: string) => /^https?:\/\//.test(source);

/**
 * The layout the final stage of `text` declares. `contextFiles` lists the build context's files
 * (relative, `/`-separated), to expand COPY sources such as `jobs/*.py` into the files they copy.
 */
export function dockerfileLayout(
  text: string,
  file: string,
  contextFiles: readonly string[] = [],
): DockerfileLayout {
  const dockerfile = DockerfileParser.parse(text);
  const froms = dockerfile.getFROMs();
  const last = froms.at(-1);
  if (!last) throw new DockerfileLayoutError(`${file}:1: no FROM instruction; is this a Dockerfile?`);
  const finalStart = last.getRange().start.line;
  const instructions = dockerfile.getInstructions().filter((i) => i.getRange().start.line > finalStart);

  let user: DockerfileLayout['user'];
  let workdir: DockerfileLayout['workdir'];
  const env: Record<string, { value: string; line: number }> = {};
  const paths: DeclaredPath[] = [];
  for (const instruction of instructions) {
    const line = instruction.getRange().start.line + 1;
    const args = instruction.getExpandedArguments().map((a) => a.getValue());
    const keyword = instruction.getKeyword();
    if (keyword === 'USER') {
      const [name, group] = (args[0] ?? '').split(':');
      user = { user: name ?? '', ...(group ? { group } : {}), line };
    } else if (keyword === 'WORKDIR') {
      const target = args[0] ?? '';
      workdir = { path: path.posix.resolve(workdir?.path ?? '/', target), line };
    } else if (keyword === 'ENV') {
      for (const property of (
        instruction as Instruction & { getProperties(): PropertyLike[] }
      ).getProperties())
        env[property.getName()] = { value: property.getValue() ?? '', line };
    } else if (keyword === 'COPY' || keyword === 'ADD') {
      paths.push(...copiedPaths(instruction, args, line, workdir?.path ?? '/', contextFiles, file));
    }
  }
  return { file, ...(user ? { user } : {}), ...(workdir ? { workdir } : {}), env, paths };
}

interface PropertyLike {
  getName(): string;
  getValue(): string | null;
}

interface FlagLike {
  getName(): string;
  getValue(): string | null;
}

function copiedPaths(
  instruction: Instruction,
  args: readonly string[],
  line: number,
  workdir: string,
  contextFiles: readonly string[],
  file: string,
): DeclaredPath[] {
  const flags = new Map(
    (instruction as Instruction & { getFlags(): FlagLike[] })
      .getFlags()
      .map((flag) => [flag.getName(), flag.getValue() ?? ''] as const),
  );
  const rest = args.filter((a) => !a.startsWith('--'));
  const destination = rest.at(-1);
  const sources = rest.slice(0, -1);
  if (!destination || sources.length === 0)
    throw new DockerfileLayoutError(
      `${file}:${line}: ${instruction.getKeyword()} needs a source and a destination`,
    );
  const target = path.posix.resolve(workdir, destination);
  const intoFolder = destination.endsWith('/') || sources.length > 1;
  const attributes = {
    ...(flags.get('chmod') ? { mode: flags.get('chmod') as string } : {}),
    ...(flags.get('chown') ? { owner: flags.get('chown') as string } : {}),
    line,
  };
  const result: DeclaredPath[] = [];
  for (const source of sources) {
    if (isUrl(source)) {
      const name = path.posix.basename(new URL(source).pathname);
      result.push({ path: intoFolder ? path.posix.join(target, name) : target, kind: 'file', ...attributes });
    } else if (flags.has('from')) {
      // Another stage's files: where they land is known, what they are is not (a folder copies its
      // contents); a trailing slash or a folder destination says it is a folder.
      const kind = source.endsWith('/') || intoFolder ? 'dir' : 'any';
      result.push({ path: target, kind, ...attributes });
    } else if (!/[*?[]/.test(source)) {
      const relative = path.posix.normalize(source).replace(/^\.\/|\/$/g, '');
      if (contextFiles.includes(relative))
        result.push({
          path: intoFolder ? path.posix.join(target, path.posix.basename(relative)) : target,
          kind: 'file',
          ...attributes,
        });
      else if (contextFiles.some((candidate) => candidate.startsWith(`${relative}/`)))
        result.push({ path: target, kind: 'dir', ...attributes });
      else
        throw new DockerfileLayoutError(
          `${file}:${line}: ${source} is not in the build context; the Dockerfile and its context disagree`,
        );
    } else {
      const pattern = dockerGlobToRegExp(source.replace(/^\.\//, ''));
      const matched = contextFiles.filter((candidate) => pattern.test(candidate));
      if (matched.length === 0)
        throw new DockerfileLayoutError(
          `${file}:${line}: ${source} matches no file of the build context; the Dockerfile and its context disagree`,
        );
      result.push({ path: target, kind: 'dir', line });
      for (const match of matched)
        result.push({
          path: path.posix.join(target, path.posix.basename(match)),
          kind: 'file',
          ...attributes,
        });
    }
  }
  return result;
}

/** A uid/gid pair as written (`185`, `185:185`). */
function splitUser(user: string): { user: string; group?: string } {
  const [name, group] = user.split(':');
  return { user: name ?? '', ...(group ? { group } : {}) };
}

/**
 * Where the recipe's image config contradicts what the Dockerfile declares: the user (and group
 * when both name one), the working directory and every ENV. Paths are checked on the built image.
 */
export function checkRecipeAgainstDockerfile(recipe: ImageRecipe, layout: DockerfileLayout): string[] {
  const problems: string[] = [];
  const { config } = recipe;
  if (layout.user) {
    const theirs = layout.user;
    const ours = config.user ? splitUser(config.user) : undefined;
    if (!ours || ours.user !== theirs.user || (ours.group && theirs.group && ours.group !== theirs.group))
      problems.push(
        `${recipe.file}: config.user is ${config.user ?? '(unset: root)'}, but ${layout.file}:${theirs.line} runs as USER ${theirs.user}${theirs.group ? `:${theirs.group}` : ''}; set config.user to ${theirs.user}`,
      );
  }
  if (layout.workdir && config.workdir !== layout.workdir.path)
    problems.push(
      `${recipe.file}: config.workdir is ${config.workdir ?? '(unset)'}, but ${layout.file}:${layout.workdir.line} sets WORKDIR ${layout.workdir.path}`,
    );
  for (const [name, { value, line }] of Object.entries(layout.env))
    if (config.env[name] !== value)
      problems.push(
        `${recipe.file}: config.env.${name} is ${config.env[name] ?? '(unset)'}, but ${layout.file}:${line} sets ENV ${name}=${value}`,
      );
  return problems;
}
