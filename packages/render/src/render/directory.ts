import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Finding } from '@airspark/findings';
import { argoGlob } from './glob.js';
import { locateIn, splitManifests } from './manifests.js';
import type { SourceRender } from './types.js';

const MANIFEST_FILE = /^.*\.(yaml|yml|json|jsonnet)$/;
const SKIP_MARKER = '+argocd:skip-file-rendering';

export interface DirectoryOptions {
  recurse?: boolean;
  include?: string;
  exclude?: string;
}

/** Files in Go's filepath.Walk order (lexical per folder), as Argo CD walks them. */
async function walk(dir: string, recurse: boolean, top = dir): Promise<string[]> {
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
  );
  const files: string[] = [];
  for (const e of entries) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (recurse) files.push(...(await walk(full, recurse, top)));
    } else files.push(full);
  }
  return files;
}

/**
 * A plain directory source with Argo CD's semantics: *.yaml, *.yml, *.json (one object each) in
 * walk order, include/exclude globs on the path relative to the source folder, the
 * `+argocd:skip-file-rendering` marker, YAML that is not a manifest ignored unless it looks like
 * one, symlinks only within the repository. Jsonnet is reported, not evaluated.
 */
export async function directoryManifests(
  root: string,
  dir: string,
  options: DirectoryOptions,
): Promise<SourceRender> {
  const base = path.join(root, dir);
  const findings: Finding[] = [];
  const objects: SourceRender['objects'] = [];
  const include = options.include ? argoGlob(options.include) : undefined;
  const exclude = options.exclude ? argoGlob(options.exclude) : undefined;
  const realRoot = await realpath(root);
  for (const full of await walk(base, options.recurse ?? false)) {
    const name = path.basename(full);
    if (!MANIFEST_FILE.test(name)) continue;
    const rel = path.relative(base, full).split(path.sep).join('/');
    const file = `${dir}/${rel}`;
    const real = await realpath(full).catch(() => undefined);
    if (real === undefined) continue; // dangling symlink: Argo CD skips it with a warning
    if (!real.startsWith(realRoot + path.sep)) {
      findings.push({
        severity: 'error',
        rule: 'render/directory',
        message: `${file} is a symlink out of the repository; Argo CD refuses it.`,
        file,
        line: 1,
        column: 1,
      });
      continue;
    }
    if (!(await stat(real)).isFile()) continue;
    if (exclude?.test(rel)) continue;
    if (include && !include.test(rel)) continue;
    const text = await readFile(full, 'utf8');
    if (text.includes(SKIP_MARKER)) continue;
    if (name.endsWith('.jsonnet')) {
      findings.push({
        severity: 'error',
        rule: 'render/directory',
        message: `${file}: jsonnet is not supported by the airspark renderer; write YAML.`,
        file,
        line: 1,
        column: 1,
      });
      continue;
    }
    if (name.endsWith('.json')) {
      try {
        const value: unknown = JSON.parse(text);
        if (value && typeof value === 'object' && !Array.isArray(value)) {
          objects.push({
            object: value as Record<string, unknown>,
            source: { file, line: 1, column: 1, inRepository: true },
          });
          continue;
        }
        throw new Error('not an object');
      } catch (error) {
        findings.push({
          severity: 'error',
          rule: 'render/directory',
          message: `${file}: cannot unmarshal: ${(error as Error).message}.`,
          file,
          line: 1,
          column: 1,
        });
        continue;
      }
    }
    const split = splitManifests(text);
    const notManifests = split.objects.filter(
      (o) => typeof o.object.kind !== 'string' || typeof o.object.apiVersion !== 'string',
    );
    const looksLikeManifest =
      text.includes('apiVersion:') && text.includes('kind:') && text.includes('metadata:');
    if (split.errors.length > 0 || notManifests.length > 0) {
      // Argo CD ignores YAML that is not Kubernetes unless the file looks like a manifest.
      if (!looksLikeManifest) continue;
      const first = split.errors[0] ?? {
        message: 'a document has no apiVersion or kind',
        line: notManifests[0]?.line ?? 1,
        column: 1,
      };
      findings.push({
        severity: 'error',
        rule: 'render/directory',
        message: `${file}: cannot unmarshal: ${first.message}.`,
        file,
        line: first.line,
        column: first.column,
      });
      continue;
    }
    for (const o of split.objects)
      objects.push({
        object: o.object,
        source: { file, line: o.line, column: 1, inRepository: true },
        locate: (p) => locateIn(o, file, p),
      });
  }
  return { objects, findings };
}
