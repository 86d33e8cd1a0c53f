// Builds Go programs from the Go module proxy alone (no git clone, no release downloads), by
// generating a throw-away main module that requires the program's module. This is the only
// way to build kube-apiserver and etcd from the proxy: both repositories declare `replace`
// directives, which `go install pkg@version` refuses (kubernetes#79384).
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { withHeartbeat } from './progress.mjs';
import { CommandError, run } from './run.mjs';

/** Oldest Go that builds every pinned program (k8s.io/kubernetes v1.35 declares `go 1.25.0`). */
export const MINIMUM_GO = '1.25';

/**
 * The installed Go version ("1.26.8"), or a clear error when Go is missing or too old.
 * @returns {Promise<string>}
 */
export async function requireGo() {
  let output;
  try {
    ({ stdout: output } = await run('go', ['env', 'GOVERSION']));
  } catch (error) {
    throw new Error(
      `Go ${MINIMUM_GO} or newer is needed to build these tools from the Go module proxy, but \`go\` could not be run (${
        /** @type {Error} */ (error).message
      }). Install Go, or point KUBEBUILDER_ASSETS at a folder that already holds kube-apiserver, etcd and kubectl.`,
    );
  }
  const version = output.trim().replace(/^go/, '');
  if (compareVersions(version, MINIMUM_GO) < 0) {
    throw new Error(`Go ${version} is too old: building these tools needs Go ${MINIMUM_GO} or newer.`);
  }
  return version;
}

/**
 * Numeric comparison of dotted versions ("1.9" < "1.25").
 * @param {string} a
 * @param {string} b
 */
export function compareVersions(a, b) {
  const pa = a.split(/[.+-]/).map((part) => Number.parseInt(part, 10) || 0);
  const pb = b.split(/[.+-]/).map((part) => Number.parseInt(part, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const diff = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}

/**
 * Downloads one module version into the module cache and returns where its go.mod is and when
 * the version was published (from the proxy's .info).
 * @param {string} modulePath
 * @param {string} version
 * @param {string} cwd a folder outside any Go module
 * @param {NodeJS.ProcessEnv} [extraEnv]
 * @returns {Promise<{ goMod: string, time: string | undefined }>}
 */
export async function downloadModule(modulePath, version, cwd, extraEnv = {}) {
  await mkdir(cwd, { recursive: true });
  const { stdout } = await run('go', ['mod', 'download', '-json', `${modulePath}@${version}`], {
    cwd,
    env: { ...goEnv(), ...extraEnv },
  });
  const download = JSON.parse(stdout);
  if (download.Error) throw new Error(`go mod download ${modulePath}@${version}: ${download.Error}`);
  const info = download.Info ? JSON.parse(await readFile(download.Info, 'utf8')) : {};
  return { goMod: download.GoMod, time: info.Time };
}

/**
 * Module paths that a go.mod replaces with folders of its own repository (`=> ./staging/...`).
 * These are the modules the proxy publishes separately (k8s.io/api v0.35.4 for kubernetes v1.35.4).
 * @param {string} goModText
 * @returns {string[]}
 */
export function localReplaces(goModText) {
  return replaceDirectives(goModText)
    .filter((r) => r.local)
    .map((r) => r.path);
}

/**
 * Every `replace` of a go.mod, as { path, to, version, local }: `local` when it points at a folder
 * (`=> ./x`), otherwise `to`@`version` is a published module. A wrapper module ignores the
 * replaces of the modules it requires, so a build that must match upstream copies them.
 * @param {string} goModText
 * @returns {Array<{ path: string, to: string, version: string | undefined, local: boolean }>}
 */
export function replaceDirectives(goModText) {
  /** @type {Array<{ path: string, to: string, version: string | undefined, local: boolean }>} */
  const found = [];
  let inBlock = false;
  for (const rawLine of goModText.split('\n')) {
    let line = rawLine.replace(/\/\/.*$/, '').trim();
    if (/^replace\s*\($/.test(line)) {
      inBlock = true;
      continue;
    }
    if (inBlock && line === ')') {
      inBlock = false;
      continue;
    }
    if (!inBlock) {
      if (!line.startsWith('replace ')) continue;
      line = line.replace(/^replace\s+/, '');
    }
    const match = /^(\S+)(?:\s+\S+)?\s+=>\s+(\S+)(?:\s+(\S+))?$/.exec(line);
    if (!match?.[1] || !match[2]) continue;
    const local = /^\.{1,2}\//.test(match[2]);
    if (!found.some((r) => r.path === match[1]))
      found.push({ path: match[1], to: match[2], version: match[3], local });
  }
  return found;
}

/**
 * Modules that a go.mod replaces with another published module version (`k8s.io/api => k8s.io/api
 * v0.32.5`, or a fork: `to` is then the other path). `replace` only applies in the main module, so a
 * wrapper module must repeat these to build the dependency versions the program's own build uses.
 * Replacements by local folders are left out (see localReplaces).
 * @param {string} goModText
 * @returns {Array<{ path: string, version: string, to?: string }>}
 */
export function versionReplaces(goModText) {
  return replaceDirectives(goModText)
    .filter((r) => !r.local && r.version?.startsWith('v'))
    .map((r) => ({
      path: r.path,
      version: /** @type {string} */ (r.version),
      ...(r.to === r.path ? {} : { to: r.to }),
    }));
}

/**
 * The text of a generated main module that requires `requires` and pins each of `replaces` to a
 * published version (of the same module path, or of `to` when given).
 * @param {{ name: string, goVersion: string, requires: Array<{ path: string, version: string }>, replaces?: Array<{ path: string, to?: string, version: string }> }} spec
 */
export function wrapperGoMod({ name, goVersion, requires, replaces = [] }) {
  const lines = [
    '// Generated by airspark scripts/lib/go-module-build.mjs; not part of the repository.',
    `module airspark.invalid/${name}`,
    '',
    `go ${goVersion}`,
    '',
  ];
  lines.push('require (', ...requires.map((r) => `\t${r.path} ${r.version}`), ')', '');
  if (replaces.length > 0)
    lines.push('replace (', ...replaces.map((r) => `\t${r.path} => ${r.to ?? r.path} ${r.version}`), ')', '');
  return lines.join('\n');
}

/**
 * Builds `pkg` inside a generated module in `workDir` into `outFile`: a static (CGO off),
 * trimmed binary. Shows a heartbeat with the number of packages compiled so far. With `pkgs`
 * instead of `pkg` and `outDir` instead of `outFile`, several commands are built by ONE
 * `go build`, so the packages they share are compiled once (the Kubernetes node binaries share
 * most of theirs).
 * @param {{
 *   label: string,
 *   workDir: string,
 *   goMod: string,
 *   ldflags?: string[],
 *   extraEnv?: NodeJS.ProcessEnv,
 * } & ({ pkg: string, outFile: string } | { pkgs: string[], outDir: string })} spec
 *   extraEnv: added to the go commands' environment (GOTOOLCHAIN for a newer Go than the installed one)
 */
export async function buildInWrapperModule(spec) {
  const { label, workDir, goMod, ldflags = [], extraEnv = {} } = spec;
  const pkgs = 'pkgs' in spec ? spec.pkgs : [spec.pkg];
  const output = 'outDir' in spec ? `${spec.outDir}${path.sep}` : spec.outFile;
  const pkg = pkgs.join(' ');
  await mkdir(workDir, { recursive: true });
  await writeFile(path.join(workDir, 'go.mod'), goMod);
  // A blank import under a build tag keeps the dependencies in go.mod for `go mod tidy`.
  await writeFile(
    path.join(workDir, 'tools.go'),
    `//go:build tools\n\npackage tools\n\nimport (\n${pkgs.map((p) => `\t_ "${p}"\n`).join('')})\n`,
  );
  const env = { ...goEnv(), ...extraEnv };
  await withHeartbeat(`${label}: resolving modules`, () => run('go', ['mod', 'tidy'], { cwd: workDir, env }));
  // The number of packages involved gives the heartbeat a total: `go build -v` names each package
  // it compiles, and packages already in Go's build cache are skipped (so the count may end lower).
  const { stdout: deps } = await run('go', ['list', '-deps', ...pkgs], { cwd: workDir, env });
  const total = deps.split('\n').filter(Boolean).length;
  let compiled = 0;
  await withHeartbeat(
    `${label}: compiling ${pkg}`,
    () =>
      run(
        'go',
        ['build', '-v', '-trimpath', '-ldflags', ['-s', '-w', ...ldflags].join(' '), '-o', output, ...pkgs],
        {
          cwd: workDir,
          env,
          onLine: (line) => {
            if (/^[\w.-]+(\/[\w.~-]+)*$/.test(line)) compiled++;
          },
        },
      ),
    { detail: () => `${compiled} of at most ${total} packages compiled` },
  );
}

/** The environment for go commands: static binaries, modules on, no VCS stamping (there is no checkout). */
export function goEnv() {
  return {
    ...process.env,
    CGO_ENABLED: '0',
    GO111MODULE: 'on',
    GOFLAGS: [process.env.GOFLAGS ?? '', '-buildvcs=false'].join(' ').trim(),
  };
}

/** @param {string} goModPath */
export async function readGoMod(goModPath) {
  return readFile(goModPath, 'utf8');
}

export { CommandError };

/**
 * The `go` directive of a go.mod ("1.25.0"), so the wrapper module asks for no less.
 * @param {string} goModText
 */
export function goDirective(goModText) {
  const match = /^go\s+(\S+)\s*$/m.exec(goModText);
  if (!match?.[1]) throw new Error('go.mod has no go directive');
  return match[1];
}

/**
 * `go install pkg@version` into `binDir`, for modules without `replace` directives.
 * @param {{ label: string, pkg: string, version: string, binDir: string, ldflags?: string[] }} spec
 */
export async function goInstall({ label, pkg, version, binDir, ldflags = [] }) {
  await mkdir(binDir, { recursive: true });
  await withHeartbeat(`${label}: go install ${pkg}@${version}`, () =>
    run('go', ['install', '-trimpath', '-ldflags', ['-s', '-w', ...ldflags].join(' '), `${pkg}@${version}`], {
      cwd: binDir,
      env: { ...goEnv(), GOBIN: binDir },
    }),
  );
}
