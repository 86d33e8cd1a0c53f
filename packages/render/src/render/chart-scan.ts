import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';

const NEEDLE = 'Capabilities.APIVersions';

/**
 * What a chart's templates ask of `.Capabilities.APIVersions`. `asks` is false when they never
 * mention it. `only` lists the API versions asked when every mention is `.Has "<literal>"`; it is
 * undefined when one is computed (`.Has $apiVersion`, a `range` over the versions …), so that any
 * API version may change the output.
 */
export interface ApiVersionQuestions {
  asks: boolean;
  only?: readonly string[];
}

export const NO_QUESTIONS: ApiVersionQuestions = { asks: false, only: [] };

/** The questions of one template file's text. */
export function apiVersionQuestionsIn(text: string): ApiVersionQuestions {
  const literals: string[] = [];
  let computed = false;
  for (let at = text.indexOf(NEEDLE); at !== -1; at = text.indexOf(NEEDLE, at + NEEDLE.length)) {
    const literal = /^\.Has\s+"([^"\\]*)"/.exec(text.slice(at + NEEDLE.length, at + NEEDLE.length + 300));
    if (literal) literals.push(literal[1] as string);
    else computed = true;
  }
  if (computed) return { asks: true };
  return { asks: literals.length > 0, only: literals };
}

/** Both sets of questions: what a chart with both kinds of templates asks. */
export function mergeQuestions(a: ApiVersionQuestions, b: ApiVersionQuestions): ApiVersionQuestions {
  if (!a.asks) return b;
  if (!b.asks) return a;
  if (a.only === undefined || b.only === undefined) return { asks: true };
  return { asks: true, only: [...new Set([...a.only, ...b.only])].sort() };
}

/**
 * Whether a render with no extra API versions may differ from one with `apiVersions`: helm answers
 * `.Has "x"` the same for both unless x is one of them, so only a chart asking about one of them, or
 * asking in a way that cannot be read off its templates, must be rendered again.
 */
export function answersMayChange(questions: ApiVersionQuestions, apiVersions: readonly string[]): boolean {
  if (!questions.asks || apiVersions.length === 0) return false;
  if (questions.only === undefined) return true;
  const known = new Set(apiVersions);
  return questions.only.some((v) => known.has(v));
}

async function scanDir(dir: string): Promise<ApiVersionQuestions> {
  let questions = NO_QUESTIONS;
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) questions = mergeQuestions(questions, await scanDir(full));
    else if (/\.(ya?ml|tpl|txt|json)$/.test(e.name))
      questions = mergeQuestions(questions, apiVersionQuestionsIn(await readFile(full, 'utf8')));
  }
  return questions;
}

async function scanArchive(file: string): Promise<ApiVersionQuestions> {
  const { list } = await import('tar');
  let questions = NO_QUESTIONS;
  await list({
    file,
    onReadEntry: (entry) => {
      if (!/\.(ya?ml|tpl)$/.test(entry.path)) {
        entry.resume();
        return;
      }
      const chunks: Buffer[] = [];
      entry.on('data', (c: Buffer) => chunks.push(c));
      entry.on('end', () => {
        questions = mergeQuestions(questions, apiVersionQuestionsIn(Buffer.concat(chunks).toString('utf8')));
      });
    },
  });
  return questions;
}

/**
 * What a chart's templates (subcharts included) ask of `.Capabilities.APIVersions`: only charts
 * whose answers may change need a second render once the environment's CRDs (and so its API
 * versions) are known.
 */
export async function chartApiVersionQuestions(chart: string): Promise<ApiVersionQuestions> {
  const info = await stat(chart);
  if (info.isDirectory()) return scanDir(chart);
  // A packaged chart in the cache is stored under its digest and never changes: scan it once per
  // process (Argo CD's archive is read in about 0.1 s, and an asking chart is rendered twice).
  const key = `${chart}\0${info.size}\0${info.mtimeMs}`;
  let scan = archiveScans.get(key);
  if (!scan) {
    scan = scanArchive(chart);
    archiveScans.set(key, scan);
  }
  return scan;
}

const archiveScans = new Map<string, Promise<ApiVersionQuestions>>();
