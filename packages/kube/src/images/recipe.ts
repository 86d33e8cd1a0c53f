// Image recipes: declarative YAML files (`images/<name>/image.yaml`) that say how to assemble an
// OCI image from a base, Go programs, Python packages, files and commands. Parsing and checking
// are pure; every mistake is reported with the file, the line and what to write instead.
import { LineCounter, parseDocument } from 'yaml';

export type BaseSpec =
  | { readonly kind: 'scratch' }
  | {
      readonly kind: 'debian';
      readonly suite: string;
      readonly packages: readonly string[];
      readonly mirror: string;
    };

export type Step =
  | {
      /** A Go program from the module proxy (module + version) or from a folder next to the recipe (dir). */
      readonly go: {
        readonly module?: string;
        readonly version?: string;
        readonly dir?: string;
        /** The main package; default: the module (or `.` in dir). */
        readonly package?: string;
        /** Build in a generated wrapper module that copies the upstream module's replace directives. */
        readonly wrapper: boolean;
        readonly ldflags: readonly string[];
        readonly tags: readonly string[];
        readonly to: string;
      };
    }
  | {
      readonly copy: {
        readonly from: string;
        readonly to: string;
        readonly mode?: string;
        readonly owner?: string;
      };
    }
  | {
      readonly unpack: {
        readonly from: string;
        readonly to: string;
        readonly strip: number;
        /** Expected sha512 (hex) of the archive, checked before it is unpacked. */
        readonly sha512?: string;
      };
    }
  | {
      /**
       * A program the repository already prepares in the airspark cache (Argo CD, helm): a Node
       * script next to the repository (relative to the recipe) that exits 0 and prints the
       * prepared file or folder as the last line of its stdout; a file is copied to `to`, a
       * folder's contents into `to`.
       */
      readonly setup: { readonly script: string; readonly to: string };
    }
  | { readonly pip: { readonly packages: readonly string[]; readonly venv?: string } }
  | { readonly run: string };

export interface ImageConfig {
  readonly entrypoint?: readonly string[];
  readonly cmd?: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly user?: string;
  readonly workdir?: string;
  readonly labels: Readonly<Record<string, string>>;
}

export interface ImageRecipe {
  readonly name: string;
  readonly tag: string;
  readonly base: BaseSpec;
  readonly steps: readonly Step[];
  readonly config: ImageConfig;
  /** The recipe file (absolute); relative paths in steps are relative to its folder. */
  readonly file: string;
}

/** The image reference a recipe produces; pods use it with `imagePullPolicy: Never`. */
export function imageRef(recipe: Pick<ImageRecipe, 'name' | 'tag'>): string {
  return `${IMAGE_REGISTRY}/${recipe.name}:${recipe.tag}`;
}

/** A registry host that cannot exist (.local is reserved), so nothing ever tries to pull these. */
export const IMAGE_REGISTRY = 'airspark.local';

export const DEFAULT_DEBIAN_MIRROR = 'http://deb.debian.org/debian';

export class RecipeError extends Error {
  override readonly name = 'RecipeError';
}

const NAME = /^[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const STEP_KINDS = ['go', 'copy', 'unpack', 'pip', 'run'] as const;

/** Parses and checks one recipe. Throws RecipeError naming file:line and the fix. */
export function parseRecipe(text: string, file: string): ImageRecipe {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  if (doc.errors.length > 0) {
    const first = doc.errors[0];
    const line = first?.linePos?.[0]?.line ?? 1;
    throw new RecipeError(`${file}:${line}: not valid YAML: ${first?.message.split('\n')[0]}`);
  }
  const at = (keys: readonly (string | number)[]): number => {
    for (let n = keys.length; n >= 0; n--) {
      const node = doc.getIn(keys.slice(0, n), true) as { range?: [number, number, number] } | undefined;
      if (node?.range) return lineCounter.linePos(node.range[0]).line;
    }
    return 1;
  };
  const fail = (keys: readonly (string | number)[], message: string): never => {
    throw new RecipeError(`${file}:${at(keys)}: ${message}`);
  };
  const root = doc.toJS() as unknown;
  if (!isRecord(root)) return fail([], 'a recipe is a mapping with name, tag, base, steps and config');
  const known = ['name', 'tag', 'base', 'steps', 'config'];
  for (const key of Object.keys(root))
    if (!known.includes(key)) fail([key], `unknown key "${key}"; a recipe has ${known.join(', ')}`);

  const name = root.name;
  if (typeof name !== 'string' || !NAME.test(name))
    fail(['name'], 'name must be lowercase letters, digits and . _ - (it becomes the image name)');
  const tag = typeof root.tag === 'number' ? String(root.tag) : root.tag;
  if (typeof tag !== 'string' || !TAG.test(tag))
    fail(['tag'], 'tag is required: letters, digits, . _ - (quote versions like "1.15.0")');

  const base = parseBase(root.base, fail);
  const stepsValue = root.steps ?? [];
  if (!Array.isArray(stepsValue)) fail(['steps'], 'steps is a list');
  const steps = (stepsValue as unknown[]).map((step, index) => parseStep(step, ['steps', index], fail, base));
  const config = parseConfig(root.config ?? {}, fail);
  return { name: name as string, tag: tag as string, base, steps, config, file };
}

type Fail = (keys: readonly (string | number)[], message: string) => never;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringList(value: unknown, keys: readonly (string | number)[], fail: Fail): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string' && typeof item !== 'number'))
    return fail(keys, `${keys.at(-1)} is a list of strings`);
  return value.map(String);
}

function stringMap(value: unknown, keys: readonly (string | number)[], fail: Fail): Record<string, string> {
  if (value === undefined) return {};
  if (!isRecord(value)) return fail(keys, `${keys.at(-1)} is a mapping of names to strings`);
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, String(v)]));
}

function requireString(
  value: Record<string, unknown>,
  key: string,
  keys: readonly (string | number)[],
  fail: Fail,
): string {
  const found = value[key];
  if (typeof found !== 'string' || found === '') return fail([...keys, key], `${key} is required (a string)`);
  return found;
}

function imagePath(value: string, keys: readonly (string | number)[], fail: Fail): string {
  if (!value.startsWith('/')) fail(keys, `"${value}" must be an absolute path inside the image`);
  return value;
}

function parseBase(value: unknown, fail: Fail): BaseSpec {
  if (value === undefined || value === 'scratch') return { kind: 'scratch' };
  if (isRecord(value) && isRecord(value.debian)) {
    const debian = value.debian;
    for (const key of Object.keys(debian))
      if (!['suite', 'packages', 'mirror'].includes(key))
        fail(['base', 'debian', key], `unknown key "${key}"; debian has suite, packages, mirror`);
    return {
      kind: 'debian',
      suite: typeof debian.suite === 'string' ? debian.suite : 'bookworm',
      packages: stringList(debian.packages, ['base', 'debian', 'packages'], fail).sort(),
      mirror: typeof debian.mirror === 'string' ? debian.mirror : DEFAULT_DEBIAN_MIRROR,
    };
  }
  return fail(['base'], 'base is "scratch" or { debian: { suite: bookworm, packages: [...] } }');
}

function parseStep(value: unknown, keys: readonly (string | number)[], fail: Fail, base: BaseSpec): Step {
  if (!isRecord(value) || Object.keys(value).length !== 1)
    return fail(keys, `each step is a mapping with exactly one of: ${STEP_KINDS.join(', ')}`);
  const [kind, body] = Object.entries(value)[0] as [string, unknown];
  const here = [...keys, kind];
  const needsShell = (what: string) => {
    if (base.kind !== 'debian')
      fail(here, `${what} steps run inside the image and need base: { debian: ... }`);
  };
  switch (kind) {
    case 'go': {
      if (!isRecord(body)) return fail(here, 'go is a mapping: { module, version, to } or { dir, to }');
      const module = typeof body.module === 'string' ? body.module : undefined;
      const dir = typeof body.dir === 'string' ? body.dir : undefined;
      if (!module === !dir) fail(here, 'go needs either module (with version) or dir, not both');
      if (module && typeof body.version !== 'string')
        fail([...here, 'module'], 'go.module needs a version (e.g. v1.15.0)');
      return {
        go: {
          ...(module ? { module, version: body.version as string } : { dir: dir as string }),
          ...(typeof body.package === 'string' ? { package: body.package } : {}),
          wrapper: body.wrapper === true,
          ldflags: stringList(body.ldflags, [...here, 'ldflags'], fail),
          tags: stringList(body.tags, [...here, 'tags'], fail),
          to: imagePath(requireString(body, 'to', here, fail), [...here, 'to'], fail),
        },
      };
    }
    case 'copy': {
      if (!isRecord(body)) return fail(here, 'copy is a mapping: { from, to, mode?, owner? }');
      const mode = body.mode === undefined ? undefined : String(body.mode);
      if (mode !== undefined && !/^0?[0-7]{3,4}$/.test(mode))
        fail([...here, 'mode'], 'mode is octal, e.g. "0755"');
      const owner = body.owner === undefined ? undefined : String(body.owner);
      if (owner !== undefined && !/^\d+:\d+$/.test(owner))
        fail([...here, 'owner'], 'owner is numeric "uid:gid", e.g. "185:185"');
      return {
        copy: {
          from: requireString(body, 'from', here, fail),
          to: imagePath(requireString(body, 'to', here, fail), [...here, 'to'], fail),
          ...(mode ? { mode } : {}),
          ...(owner ? { owner } : {}),
        },
      };
    }
    case 'unpack': {
      if (!isRecord(body)) return fail(here, 'unpack is a mapping: { from, to, strip? }');
      const from = requireString(body, 'from', here, fail);
      if (!/\.(zip|tar|tar\.gz|tgz|tar\.xz)$/.test(from))
        fail([...here, 'from'], 'unpack reads .zip, .tar, .tar.gz, .tgz or .tar.xz');
      const strip = body.strip === undefined ? 0 : Number(body.strip);
      if (!Number.isInteger(strip) || strip < 0 || strip > 1) fail([...here, 'strip'], 'strip is 0 or 1');
      const sha512 = body.sha512 === undefined ? undefined : String(body.sha512).toLowerCase();
      if (sha512 !== undefined && !/^[0-9a-f]{128}$/.test(sha512))
        fail(
          [...here, 'sha512'],
          "sha512 is the archive's 128-digit hex SHA-512 (the first word of a .sha512 file)",
        );
      return {
        unpack: {
          from,
          to: imagePath(requireString(body, 'to', here, fail), [...here, 'to'], fail),
          strip,
          ...(sha512 ? { sha512 } : {}),
        },
      };
    }
    case 'setup': {
      if (!isRecord(body)) return fail(here, 'setup is a mapping: { script: ../scripts/setup-x.mjs, to }');
      for (const key of Object.keys(body))
        if (!['script', 'to'].includes(key))
          fail([...here, key], `unknown key "${key}"; setup has script, to`);
      const script = requireString(body, 'script', here, fail);
      if (!/\.m?js$/.test(script))
        fail([...here, 'script'], 'setup.script is a Node script (.mjs or .js) relative to the recipe');
      return {
        setup: { script, to: imagePath(requireString(body, 'to', here, fail), [...here, 'to'], fail) },
      };
    }
    case 'pip': {
      needsShell('pip');
      if (!isRecord(body)) return fail(here, 'pip is a mapping: { packages: [name==version, ...], venv? }');
      const packages = stringList(body.packages, [...here, 'packages'], fail);
      if (packages.length === 0) fail([...here, 'packages'], 'pip.packages lists at least one requirement');
      for (const [index, requirement] of packages.entries())
        if (!/==/.test(requirement))
          fail([...here, 'packages', index], `pin "${requirement}" to a version (name==version)`);
      return {
        pip: {
          packages,
          ...(typeof body.venv === 'string' ? { venv: imagePath(body.venv, [...here, 'venv'], fail) } : {}),
        },
      };
    }
    case 'run': {
      needsShell('run');
      if (typeof body !== 'string' || body.trim() === '')
        return fail(here, 'run is a shell command (a string)');
      return { run: body };
    }
    default:
      return fail(keys, `unknown step "${kind}"; steps are ${STEP_KINDS.join(', ')}`);
  }
}

function parseConfig(value: unknown, fail: Fail): ImageConfig {
  if (!isRecord(value))
    return fail(['config'], 'config is a mapping: entrypoint, cmd, env, user, workdir, labels');
  const known = ['entrypoint', 'cmd', 'env', 'user', 'workdir', 'labels'];
  for (const key of Object.keys(value))
    if (!known.includes(key)) fail(['config', key], `unknown key "${key}"; config has ${known.join(', ')}`);
  return {
    ...(value.entrypoint !== undefined
      ? { entrypoint: stringList(value.entrypoint, ['config', 'entrypoint'], fail) }
      : {}),
    ...(value.cmd !== undefined ? { cmd: stringList(value.cmd, ['config', 'cmd'], fail) } : {}),
    env: stringMap(value.env, ['config', 'env'], fail),
    ...(value.user !== undefined ? { user: String(value.user) } : {}),
    ...(typeof value.workdir === 'string'
      ? { workdir: imagePath(value.workdir, ['config', 'workdir'], fail) }
      : {}),
    labels: stringMap(value.labels, ['config', 'labels'], fail),
  };
}
