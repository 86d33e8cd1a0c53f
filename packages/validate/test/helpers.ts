import os from 'node:os';
import path from 'node:path';
import type { Finding } from '@airspark/findings';
import { LineCounter, parseAllDocuments } from 'yaml';
import { locateIn } from '../src/manifests.js';
import type { ObjectPath, RenderedObject } from '../src/model.js';
import { type EnvironmentInput, EnvironmentValidator } from '../src/validate.js';

/**
 * Rendered objects from YAML text, the way the renderer hands them over: each with its source file
 * and a `locate` that answers with the line of any value (here: of the fixture file itself).
 */
export function objectsFromYaml(
  file: string,
  text: string,
  options: { env?: string; app?: string } = {},
): RenderedObject[] {
  const lineCounter = new LineCounter();
  const out: RenderedObject[] = [];
  for (const doc of parseAllDocuments(text, { lineCounter, uniqueKeys: true })) {
    if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0]?.message}`);
    const object = doc.toJS() as Record<string, unknown> | null;
    if (!object) continue;
    const start = lineCounter.linePos(doc.range[0]);
    const locate = (p: ObjectPath) => locateIn(doc, lineCounter, file, p);
    out.push({
      env: options.env ?? 'dev',
      app: options.app ?? 'platform',
      object,
      renderedPath: `out/${options.env ?? 'dev'}/${file}`,
      source: { file, line: start.line, column: start.col },
      locate,
    });
  }
  return out;
}

/** Compiled schemas are cached across test files (and runs) like the CLI caches them. */
export const testCacheDir = path.join(os.tmpdir(), 'airspark-validate-test-cache');
export const validator = new EnvironmentValidator({ cacheDir: testCacheDir });

export function validate(
  objects: readonly RenderedObject[],
  extra: Partial<EnvironmentInput> = {},
): Finding[] {
  return validator.validateEnvironment({ env: 'dev', kubernetesVersion: '1.35', objects, ...extra });
}

export function ruleIds(findings: readonly Finding[]): string[] {
  return [...new Set(findings.map((f) => f.rule))].sort();
}

export function only(findings: readonly Finding[], rule: string): Finding[] {
  return findings.filter((f) => f.rule === rule);
}

/** 1-based line of the first line of `text` that contains `needle` (after the `from`-th match). */
export function lineOf(text: string, needle: string, occurrence = 1): number {
  let index = -1;
  for (let i = 0; i < occurrence; i++) {
    index = text.indexOf(needle, index + 1);
    if (index === -1) throw new Error(`"${needle}" not in text`);
  }
  return text.slice(0, index).split('\n').length;
}
