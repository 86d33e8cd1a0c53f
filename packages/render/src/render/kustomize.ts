import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Finding } from '@airspark/findings';
import { run } from '@airspark/tools';
import { LineCounter, parseAllDocuments } from 'yaml';
import { RENDER_TIMEOUT_MS } from './helm.js';
import { type KubeObject, locateIn, type SplitObject, splitManifests, splitToolOutput } from './manifests.js';
import type { SourceRender } from './types.js';

const ORIGIN = 'config.kubernetes.io/origin';

/** Removes the origin annotation we asked kustomize for, leaving the object as Argo CD builds it. */
function stripOrigin(object: KubeObject): string | undefined {
  const annotations = object.metadata?.annotations as Record<string, string> | undefined;
  const origin = annotations?.[ORIGIN];
  if (annotations && origin !== undefined) {
    delete annotations[ORIGIN];
    if (Object.keys(annotations).length === 0 && object.metadata) delete object.metadata.annotations;
  }
  const m = origin ? /^path:\s*(.+)$/m.exec(origin) : null;
  return m?.[1]?.trim();
}

/**
 * `kustomize build <dir>` as Argo CD runs it, through kubectl's embedded kustomize. To know which
 * file produced each object, the folder is built through a throw-away overlay that only adds
 * `buildMetadata: [originAnnotations]` (kustomize refuses absolute paths, hence a relative
 * reference); the annotation is removed again from the output.
 */
export async function kustomizeBuild(kubectl: string, root: string, dir: string): Promise<SourceRender> {
  const overlay = await mkdtemp(path.join(os.tmpdir(), 'airspark-kustomize-'));
  try {
    const target = path.join(root, dir);
    await writeFile(
      path.join(overlay, 'kustomization.yaml'),
      `resources:\n  - ${JSON.stringify(path.relative(overlay, target))}\nbuildMetadata: [originAnnotations]\n`,
    );
    const result = await run(kubectl, ['kustomize', overlay], { cwd: root, timeoutMs: RENDER_TIMEOUT_MS });
    if (result.code !== 0) {
      const message = result.stderr
        .replaceAll(`${path.relative(overlay, root)}/`, '')
        .replaceAll(overlay, '<overlay>')
        .trim();
      // kustomize names the line of a duplicate key but not the file: find it, and report there.
      const duplicates = /already defined|duplicate/i.test(message)
        ? await duplicateKeysUnder(root, dir)
        : [];
      if (duplicates.length > 0) return { objects: [], findings: duplicates };
      const finding: Finding = {
        severity: 'error',
        rule: 'render/kustomize',
        message: `kustomize build ${dir} failed: ${message.replace(/^error: /, '')}`,
        file: `${dir}/kustomization.yaml`,
        line: 0,
        column: 0,
      };
      return { objects: [], findings: [finding] };
    }
    const split = splitToolOutput(result.stdout);
    const originals = new Map<string, SplitObject[]>();
    const objects = [];
    for (const o of split.objects) {
      const origin = stripOrigin(o.object);
      const file = origin
        ? path.relative(root, path.resolve(overlay, origin)).split(path.sep).join('/')
        : `${dir}/kustomization.yaml`;
      const inRepository = !file.startsWith('..');
      // The resource as written in its file (before kustomize's transformations), to locate fields.
      if (inRepository && origin && !originals.has(file)) {
        const text = await readFile(path.join(root, file), 'utf8').catch(() => '');
        originals.set(file, splitManifests(text).objects);
      }
      const candidates = (originals.get(file) ?? []).filter((c) => c.object.kind === o.object.kind);
      const original =
        candidates.find((c) => c.object.metadata?.name === o.object.metadata?.name) ??
        (candidates.length === 1 ? candidates[0] : undefined);
      objects.push({
        object: o.object,
        source: { file, line: original?.line ?? 1, column: 1, inRepository },
        ...(original ? { locate: (p: readonly (string | number)[]) => locateIn(original, file, p) } : {}),
      });
    }
    return { objects, findings: [] };
  } finally {
    await rm(overlay, { recursive: true, force: true });
  }
}

/** Every key written twice in one mapping, in the YAML files of a kustomization folder, at its line. */
export async function duplicateKeysUnder(root: string, dir: string): Promise<Finding[]> {
  const findings: Finding[] = [];
  const entries = await readdir(path.join(root, dir), { recursive: true, withFileTypes: true }).catch(
    () => [],
  );
  const files = entries
    .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name))
    .map((e) => path.relative(root, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
    .sort();
  for (const file of files) {
    const text = await readFile(path.join(root, file), 'utf8').catch(() => '');
    const lineCounter = new LineCounter();
    for (const doc of parseAllDocuments(text, { lineCounter, uniqueKeys: true })) {
      for (const error of doc.errors) {
        if (error.code !== 'DUPLICATE_KEY') continue;
        const at = lineCounter.linePos(error.pos[0]);
        const key = /^\s*["']?([^"':\n]+?)["']?\s*:/.exec(text.slice(error.pos[0], error.pos[0] + 200))?.[1];
        findings.push({
          severity: 'error',
          rule: 'render/kustomize',
          message: `duplicate key${key ? ` "${key}"` : ''}: a key may appear only once in a mapping (kustomize refuses the file); remove or merge the duplicates.`,
          file,
          line: at.line,
          column: at.col,
        });
      }
    }
  }
  return findings;
}
