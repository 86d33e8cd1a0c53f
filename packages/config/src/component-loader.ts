import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Finding } from '@airspark/findings';
import { APPS_DIR, COMPONENT_FILE, type Component, componentFile, componentValidator } from './component.js';
import { checkAgainstSchema } from './schema-check.js';
import { readSourceText } from './source-file.js';
import { type ParsedYamlMemo, parseYaml, positionOf, type YamlSource } from './yaml-document.js';

export interface LoadedComponent {
  name: string;
  /** Repository-relative path of component.yaml. */
  file: string;
  component: Component;
  source: YamlSource;
}

export interface ComponentLoadResult {
  components: LoadedComponent[];
  findings: Finding[];
}

/** The folders under apps/ that hold a component.yaml, sorted. */
export async function listComponentNames(root: string): Promise<string[]> {
  let entries: import('node:fs').Dirent[];
  try {
    entries = await readdir(path.join(root, APPS_DIR), { withFileTypes: true });
  } catch {
    return [];
  }
  const names: string[] = [];
  for (const e of entries) {
    if (!e.isDirectory() || e.name.startsWith('.')) continue;
    if (await isFile(path.join(root, APPS_DIR, e.name, COMPONENT_FILE))) names.push(e.name);
  }
  return names.sort();
}

async function isFile(p: string): Promise<boolean> {
  return stat(p).then(
    (s) => s.isFile(),
    () => false,
  );
}

async function isDirectory(p: string): Promise<boolean> {
  return stat(p).then(
    (s) => s.isDirectory(),
    () => false,
  );
}

type Problem = { path: string[]; key?: boolean; message: string; rule?: string };

/** Rules the schema cannot say clearly: which source fields go with which source type. */
export function checkComponentShape(name: string, c: Component): Problem[] {
  const problems: Problem[] = [];
  const s = c.source;
  if (c.name !== name) {
    problems.push({
      path: ['name'],
      message: `name is "${c.name}" but the folder is apps/${name}; they must be equal (the name is the Application's).`,
    });
  }
  const forbid = (field: keyof typeof s, why: string) => {
    if (s[field] !== undefined) problems.push({ path: ['source', field], key: true, message: why });
  };
  if (s.type === 'helm-upstream') {
    for (const field of ['repoURL', 'chart', 'versionFrom'] as const) {
      if (s[field] === undefined) {
        problems.push({
          path: ['source'],
          message: `source of type helm-upstream needs "${field}" (repoURL, chart and versionFrom name the pinned upstream chart).`,
        });
      }
    }
    forbid(
      'path',
      'source.path is for charts in this repository; an upstream chart is named by repoURL and chart.',
    );
  } else {
    if (s.path === undefined) {
      problems.push({
        path: ['source'],
        message: `source of type ${s.type} needs "path" (a folder in this repository).`,
      });
    }
    for (const field of ['repoURL', 'chart', 'versionFrom'] as const) {
      forbid(
        field,
        `source.${field} is only for type helm-upstream; ${s.type} sources come from this repository.`,
      );
    }
  }
  if (s.type === 'kustomize' || s.type === 'directory') {
    forbid('releaseName', `source.releaseName is only for helm sources, not ${s.type}.`);
    if (c.values !== undefined) {
      problems.push({
        path: ['values'],
        key: true,
        message: `values are only for helm sources; a ${s.type} source takes its configuration from its files.`,
      });
    }
  }
  if (s.type !== 'directory')
    forbid('directory', `source.directory is only for type directory, not ${s.type}.`);
  if (c.namespaceMetadata !== undefined && !c.syncOptions?.includes('CreateNamespace=true')) {
    problems.push({
      path: ['namespaceMetadata'],
      key: true,
      message:
        'namespaceMetadata only takes effect with CreateNamespace=true in syncOptions (Argo CD ignores it otherwise).',
    });
  }
  return problems;
}

/** Checks that every path a declaration names exists, and is what its role needs. */
async function checkPaths(root: string, c: Component): Promise<Problem[]> {
  const problems: Problem[] = [];
  const s = c.source;
  if (s.path !== undefined) {
    const dir = path.join(root, s.path);
    if (!(await isDirectory(dir))) {
      problems.push({ path: ['source', 'path'], message: `${s.path} is not a folder of this repository.` });
    } else if (s.type === 'helm-local' && !(await isFile(path.join(dir, 'Chart.yaml')))) {
      problems.push({
        path: ['source', 'path'],
        message: `${s.path} has no Chart.yaml; a helm-local source is a chart folder.`,
      });
    } else if (s.type === 'kustomize') {
      const names = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];
      const found = await Promise.all(names.map((n) => isFile(path.join(dir, n))));
      if (!found.some(Boolean))
        problems.push({
          path: ['source', 'path'],
          message: `${s.path} has no kustomization.yaml; use type directory for plain manifests.`,
        });
    }
  }
  for (const [i, file] of (c.values?.files ?? []).entries()) {
    if (!(await isFile(path.join(root, file))))
      problems.push({ path: ['values', 'files', String(i)], message: `values file ${file} does not exist.` });
  }
  if (c.values?.schema !== undefined && !(await isFile(path.join(root, c.values.schema))))
    problems.push({
      path: ['values', 'schema'],
      message: `values schema ${c.values.schema} does not exist.`,
    });
  for (const [i, extra] of (c.extraSources ?? []).entries()) {
    if (!(await isDirectory(path.join(root, extra.path))))
      problems.push({
        path: ['extraSources', String(i), 'path'],
        message: `${extra.path} is not a folder of this repository.`,
      });
  }
  return problems;
}

/** Loads one component declaration; never throws for problems in the file itself. */
export async function loadComponent(
  root: string,
  name: string,
  options: LoadOptions = {},
): Promise<{ component?: LoadedComponent; findings: Finding[] }> {
  const file = componentFile(name);
  const text = await readSourceText(path.join(root, file), file, { root });
  if (!text.ok) return { findings: [{ ...text.finding, app: name }] };
  const parsed = parseYaml(file, text.text, options.parsedYamlMemo);
  if (!parsed.ok) return { findings: parsed.findings.map((f) => ({ ...f, app: name })) };
  const schemaFindings = checkAgainstSchema(parsed.source, componentValidator(), 'config/component-schema');
  if (schemaFindings.length > 0) return { findings: schemaFindings.map((f) => ({ ...f, app: name })) };
  const component = parsed.source.value as Component;
  const problems = [...checkComponentShape(name, component), ...(await checkPaths(root, component))];
  const findings: Finding[] = problems.map((p) => ({
    severity: 'error',
    rule: p.rule ?? 'config/component',
    message: p.message,
    file,
    ...positionOf(parsed.source, p.path, { key: p.key === true }),
    app: name,
  }));
  return { component: { name, file, component, source: parsed.source }, findings };
}

export interface LoadOptions {
  /** Values of files that parsed cleanly in earlier runs (ADR 0064); without it every file is parsed. */
  parsedYamlMemo?: ParsedYamlMemo;
}

/** Loads every component under apps/. Components with findings are still returned when they parsed. */
export async function loadComponents(root: string, options: LoadOptions = {}): Promise<ComponentLoadResult> {
  const names = await listComponentNames(root);
  const results = await Promise.all(names.map((n) => loadComponent(root, n, options)));
  return {
    components: results.flatMap((r) => (r.component && r.findings.length === 0 ? [r.component] : [])),
    findings: results.flatMap((r) => r.findings),
  };
}
