// Argo CD built from the Go module proxy: the one binary upstream ships in its image, which acts
// as server, repo-server, application controller (and the CLI) by the name it is started under.
// Only releases whose gitops-engine the proxy serves can be built here (ADR 0032): v3.4.x and
// v3.5.x need a gitops-engine pseudo-version the proxy refuses (403); v3.6.2 builds.
import path from 'node:path';
import {
  buildInWrapperModule,
  downloadModule,
  goDirective,
  readGoMod,
  replaceDirectives,
  wrapperGoMod,
} from './go-module-build.mjs';

/** The Argo CD release the `local` environment runs (its image override in clusters/local). */
export const ARGOCD_VERSION = '3.6.2';

/** The Go toolchain v3.6.2's go.mod asks for (`go 1.27.0`); the go command fetches it from the proxy. */
export const ARGOCD_GOTOOLCHAIN = 'go1.27.3';

/** The names the binary answers to (argv[0]), as upstream's image links them. */
export const ARGOCD_COMMANDS = /** @type {const} */ ([
  'argocd-server',
  'argocd-repo-server',
  'argocd-application-controller',
  'argocd-applicationset-controller',
  'argocd-notifications',
  'argocd-cmp-server',
  'argocd-commit-server',
  'argocd-dex',
  'argocd-k8s-auth',
  'argocd-git-ask-pass',
]);

const MODULE = 'github.com/argoproj/argo-cd/v3';

/**
 * `<cache>/argocd/<version>`: the binary `argocd` and a link per command name.
 * @param {string} cacheDir
 * @param {string} version
 */
export function argocdDir(cacheDir, version) {
  return path.join(cacheDir, 'argocd', version);
}

/**
 * The wrapper module's replaces for an upstream go.mod: every published-module replace copied
 * as it is (a wrapper ignores its dependencies' replaces, and Argo CD pins k8s.io/* this way),
 * and every folder replace (`=> ./gitops-engine`) pinned to the same version as the release,
 * which is how upstream tags its nested modules.
 * @param {string} upstreamGoMod
 * @param {string} tag
 */
export function argocdReplaces(upstreamGoMod, tag) {
  return replaceDirectives(upstreamGoMod).map((r) =>
    r.local
      ? { path: r.path, version: tag }
      : { path: r.path, to: r.to, version: /** @type {string} */ (r.version) },
  );
}

/**
 * Builds `argocd` into `outFile`. `-X common.*` stamps what `argocd version` reports, as
 * upstream's Makefile does; the release's publication time stands in for the build date.
 * @param {{ version: string, outFile: string, workDir: string }} spec
 */
export async function buildArgocd({ version, outFile, workDir }) {
  const tag = `v${version}`;
  const extraEnv = { GOTOOLCHAIN: ARGOCD_GOTOOLCHAIN };
  const release = await downloadModule(MODULE, tag, path.dirname(workDir), extraEnv);
  const upstreamGoMod = await readGoMod(release.goMod);
  const pkg = `${MODULE}/common`;
  await buildInWrapperModule({
    label: 'argocd',
    workDir,
    goMod: wrapperGoMod({
      name: 'argocd',
      goVersion: goDirective(upstreamGoMod),
      requires: [{ path: MODULE, version: tag }],
      replaces: argocdReplaces(upstreamGoMod, tag),
    }),
    pkg: `${MODULE}/cmd`,
    outFile,
    ldflags: [
      `-X ${pkg}.version=${version}`,
      `-X ${pkg}.buildDate=${release.time ?? '1970-01-01T00:00:00Z'}`,
      `-X ${pkg}.gitCommit=module-proxy`,
      `-X ${pkg}.gitTreeState=clean`,
      `-X ${pkg}.gitTag=${tag}`,
    ],
    extraEnv,
  });
}
