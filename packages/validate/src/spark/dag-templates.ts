import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { parseYaml, positionOf, readSourceText } from '@airspark/config';
import type { Finding } from '@airspark/findings';
import { isRecord, type RenderedObject } from '../model.js';
import { maskJinja } from './jinja.js';

/** Where the DAG bundle keeps the SparkApplication templates its tasks submit. */
export const SPARK_TEMPLATES_DIR = 'dags/spark_apps';

/** The Application name that DAG templates are reported under (they are not Argo CD objects). */
export const DAG_TEMPLATES_APP = 'dags';

export interface SparkTemplates {
  templates: RenderedObject[];
  findings: Finding[];
}

/**
 * Reads every `*.yaml`/`*.yml` under dags/spark_apps as a SparkApplication with positions. A
 * missing folder is no error (the DAG bundle may have no Spark templates yet).
 */
export async function loadSparkTemplates(
  root: string,
  dir: string = SPARK_TEMPLATES_DIR,
): Promise<SparkTemplates> {
  let names: string[];
  try {
    names = (await readdir(path.join(root, dir))).filter((n) => /\.ya?ml$/.test(n)).sort();
  } catch {
    return { templates: [], findings: [] };
  }
  const templates: RenderedObject[] = [];
  const findings: Finding[] = [];
  for (const name of names) {
    const file = `${dir}/${name}`;
    const text = await readSourceText(path.join(root, file), file);
    if (!text.ok) {
      findings.push(text.finding);
      continue;
    }
    const parsed = parseYaml(file, maskJinja(text.text));
    if (!parsed.ok) {
      findings.push(...parsed.findings);
      continue;
    }
    const { source } = parsed;
    if (!isRecord(source.value)) continue;
    templates.push({
      env: '',
      app: DAG_TEMPLATES_APP,
      object: source.value,
      renderedPath: file,
      source: { file, line: 1, column: 1 },
      locate: (p) => ({ file, ...positionOf(source, p.map(String)) }),
    });
  }
  return { templates, findings };
}
