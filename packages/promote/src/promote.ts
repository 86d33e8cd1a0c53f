import { mkdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import {
  checkAgainstSchema,
  type Environment,
  environmentValidator,
  type LoadedEnvironment,
  loadEnvironments,
  parseYaml,
  UsageError,
} from '@airspark/config';
import type { Finding } from '@airspark/findings';
import writeFileAtomic from 'write-file-atomic';
import { branchExists, git, isInsideWorkTree, shortHead, uncommittedFiles } from './git.js';
import { checkPromotionInvariants, rules } from './invariants.js';
import { environmentPins, type PromotablePin } from './promotable-pins.js';
import { adjacencyProblem, applyPinChanges, type PinChange, planPromotion } from './promotion-plan.js';
import {
  appendReleases,
  loadReleaseLog,
  parseReleaseLog,
  RELEASE_LOG_FILE,
  type Release,
  recordedIndex,
} from './release-log.js';

/** A file re-hydration wants on disk (repository-relative); `content: null` removes it. */
export interface HydratedFile {
  file: string;
  content: string | null;
}

/**
 * Re-hydrates one environment's Argo CD Applications from its (new, not yet written) model: every
 * generated file with its content, and the findings of hydration. Supplied by the caller (the CLI
 * passes @airspark/render's), so this package does not depend on the renderer.
 */
export type Hydrator = (input: {
  root: string;
  environment: LoadedEnvironment;
}) => Promise<{ files: readonly HydratedFile[]; findings: readonly Finding[] }>;

export interface PromoteOptions {
  root: string;
  from: string;
  to: string;
  /** Show what would change; write nothing, touch no git state. */
  dryRun?: boolean;
  /** Create `promote/<from>-to-<to>-<short HEAD>` and commit the promotion on it. */
  branch?: boolean;
  hydrate?: Hydrator;
}

export interface PromotionResult {
  from: string;
  to: string;
  changes: PinChange[];
  /** Values appended to the release log. */
  recorded: Release[];
  /** Repository-relative files written (or, in a dry run, that would be). */
  files: string[];
  /** Hydrated files among `files`. */
  hydrated: string[];
  dryRun: boolean;
  branch?: { name: string; commit: string };
  /** Problems this promotion creates elsewhere in the chain (e.g. the next environment now ahead). */
  consequences: Finding[];
}

/** Promotion refused before anything was written; exit code 2 like any usage or environment error. */
export class PromotionRefused extends UsageError {
  constructor(
    message: string,
    readonly findings: readonly Finding[] = [],
  ) {
    super(message);
  }
}

/** The promotion is written and staged on its branch, but git would not commit it. */
export class PromotionCommitFailed extends Error {
  override name = 'PromotionCommitFailed';
  constructor(
    readonly branch: string,
    detail: string,
  ) {
    super(
      `the promotion is written and staged on the new branch ${branch}, but the commit failed: ${detail}\nFix what it reports and run \`git commit\`, or abandon it (the tree was clean before): \`git reset --hard && git switch - && git branch -D ${branch}\`.`,
    );
  }
}

function commitMessage(
  from: string,
  to: string,
  changes: readonly PinChange[],
  result: PromotionResult,
  head: string,
): string {
  const subject =
    changes.length === 1
      ? `Promote ${from} → ${to}: ${changes[0]?.pin.id} ${changes[0]?.after}`
      : `Promote ${from} → ${to}: ${changes.length} pins`;
  const lines = [
    subject,
    '',
    `Copies the promotable pins of clusters/${from}/environment.yaml that differ to clusters/${to}/environment.yaml:`,
    ...changes.map((c) => `- ${c.pin.id}: ${c.before ?? '(unset)'} → ${c.after}`),
  ];
  if (result.recorded.length > 0) {
    lines.push(
      '',
      `Recorded in ${RELEASE_LOG_FILE}:`,
      ...result.recorded.map((r) => `- ${r.pin}: ${r.value}`),
    );
  }
  if (result.hydrated.length > 0) {
    lines.push('', 'Re-hydrated Argo CD Applications:', ...result.hydrated.map((f) => `- ${f}`));
  }
  lines.push('', `Made by \`pnpm promote ${from} ${to} --branch\` at ${head}.`);
  return `${lines.join('\n')}\n`;
}

/**
 * The source's own hydrated Applications should match its environment.yaml (a chart bump in dev
 * without `pnpm render`): promote leaves FROM alone, but says so, since validate will refuse it.
 */
async function staleSource(root: string, from: LoadedEnvironment, hydrate: Hydrator): Promise<Finding[]> {
  const { files } = await hydrate({ root, environment: from });
  const stale: string[] = [];
  for (const { file, content } of files) {
    const current = await readFile(path.join(root, file), 'utf8').catch(() => null);
    if (current !== content) stale.push(file);
  }
  if (stale.length === 0) return [];
  return [
    {
      severity: 'warning',
      rule: 'render/stale-application',
      message: `${from.name}'s hydrated Applications do not match its environment.yaml (${stale.join(', ')}); run \`pnpm render --env ${from.name} --hydrate-only\` and commit them with the change to ${from.name}.`,
      file: stale[0] as string,
      line: 0,
      column: 0,
      env: from.name,
    },
  ];
}

function findingKey(f: Finding): string {
  return `${f.rule}|${f.env}|${f.message}`;
}

async function loadPair(root: string, fromName: string, toName: string) {
  const loaded = await loadEnvironments(root, [fromName, toName]);
  const errors = loaded.findings.filter((f) => f.severity === 'error');
  if (errors.length > 0) {
    throw new PromotionRefused(
      `cannot promote ${fromName} → ${toName} while ${[...new Set(errors.map((f) => f.env ?? f.file))].join(' and ')} ${errors.length === 1 ? 'has an error' : 'have errors'}; fix ${errors.length === 1 ? 'it' : 'them'} first (\`pnpm validate\`).`,
      errors,
    );
  }
  const all = (await loadEnvironments(root)).environments;
  const from = all.find((e) => e.name === fromName) as LoadedEnvironment;
  const to = all.find((e) => e.name === toName) as LoadedEnvironment;
  return { all, from, to };
}

async function ensureBranchable(root: string): Promise<void> {
  if (!(await isInsideWorkTree(root))) {
    throw new PromotionRefused(`--branch needs a git repository, and ${root} is not inside one.`);
  }
  const dirty = await uncommittedFiles(root);
  if (dirty.length > 0) {
    const shown = dirty.slice(0, 5).join(', ') + (dirty.length > 5 ? ` and ${dirty.length - 5} more` : '');
    throw new PromotionRefused(
      `--branch commits the promotion on a new branch, but the working tree has uncommitted changes (${shown}). Commit or stash them first, or run without --branch.`,
    );
  }
}

/** The re-parsed target after the edit; a failure here is a bug in promote, never the user's doing. */
function reload(to: LoadedEnvironment, text: string): LoadedEnvironment {
  const parsed = parseYaml(to.file, text);
  const problems = parsed.ok
    ? checkAgainstSchema(parsed.source, environmentValidator(), 'config/schema')
    : parsed.findings;
  if (!parsed.ok || problems.length > 0) {
    throw new Error(`promote produced an invalid ${to.file}: ${problems.map((p) => p.message).join('; ')}`);
  }
  return { ...to, environment: parsed.source.value as Environment, source: parsed.source };
}

/**
 * `pnpm promote FROM TO`: copies every promotable pin that differs from FROM into TO's
 * environment.yaml (comments and formatting kept), records new releases, re-hydrates TO's
 * Applications and, with `branch`, commits it all on a new branch. Everything is computed before
 * the first write; each file is written to a temporary file and renamed over the old one.
 */
export async function promote(options: PromoteOptions): Promise<PromotionResult> {
  const { root, dryRun = false } = options;
  const pins: PromotablePin[] = environmentPins();
  const { all, from, to } = await loadPair(root, options.from, options.to);
  const problem = adjacencyProblem(from, to, all);
  if (problem) throw new PromotionRefused(problem);
  if (options.branch && !dryRun) await ensureBranchable(root);

  const changes = planPromotion(from, to, pins);
  const result: PromotionResult = {
    from: from.name,
    to: to.name,
    changes,
    recorded: [],
    files: [],
    hydrated: [],
    dryRun,
    consequences: [],
  };
  if (changes.length === 0) return result;

  const writes = new Map<string, string | null>();
  const toText = await readFile(path.join(root, to.file), 'utf8');
  writes.set(to.file, applyPinChanges(toText, to.file, changes));
  const newTo = reload(to, writes.get(to.file) as string);

  const { log, findings: logFindings, text: logText } = await loadReleaseLog(root, pins);
  const logErrors = logFindings.filter((f) => f.severity === 'error');
  if (logErrors.length > 0) {
    throw new PromotionRefused(
      `${RELEASE_LOG_FILE} has errors; fix them first (\`pnpm validate\`).`,
      logErrors,
    );
  }
  result.recorded = changes
    .filter((c) => c.pin.order === 'recorded' && recordedIndex(log, c.pin.id, c.after) === undefined)
    .map((c) => ({ pin: c.pin.id, value: c.after }));
  let newLog = log;
  if (result.recorded.length > 0) {
    const text = appendReleases(logText, result.recorded);
    writes.set(RELEASE_LOG_FILE, text);
    newLog = parseReleaseLog(text, pins).log;
  }

  const after = all.map((e) => (e.name === to.name ? newTo : e));
  const before = new Set(checkPromotionInvariants(all, log, pins).map(findingKey));
  result.consequences = checkPromotionInvariants(after, newLog, pins).filter(
    (f) => f.rule !== rules.drift && !before.has(findingKey(f)),
  );

  if (options.hydrate) {
    const hydration = await options.hydrate({ root, environment: newTo });
    // Hydration warnings (e.g. an infrastructure hand-off not there yet) predate the promotion.
    result.consequences.push(...hydration.findings.filter((f) => f.severity === 'error'));
    for (const hydrated of hydration.files) {
      const current = await readFile(path.join(root, hydrated.file), 'utf8').catch(() => null);
      if (current === hydrated.content) continue;
      writes.set(hydrated.file, hydrated.content);
      result.hydrated.push(hydrated.file);
    }
  }
  if (options.hydrate) result.consequences.push(...(await staleSource(root, from, options.hydrate)));
  result.files = [...writes.keys()];
  if (dryRun) return result;

  let head: string | undefined;
  if (options.branch) {
    head = await shortHead(root);
    const name = `promote/${from.name}-to-${to.name}-${head}`;
    if (await branchExists(root, name)) {
      throw new PromotionRefused(
        `branch ${name} already exists (the same promotion from ${head}?); delete it (\`git branch -D ${name}\`) or promote from a newer commit.`,
      );
    }
    await git(root, ['switch', '--quiet', '--create', name]);
    result.branch = { name, commit: '' };
  }
  for (const [file, content] of writes) {
    const absolute = path.join(root, file);
    if (content === null) await rm(absolute, { force: true });
    else {
      await mkdir(path.dirname(absolute), { recursive: true });
      await writeFileAtomic(absolute, content);
    }
  }
  if (result.branch && head !== undefined) {
    await git(root, ['add', '--all', '--', ...result.files]);
    try {
      await git(root, ['commit', '--quiet', '-m', commitMessage(from.name, to.name, changes, result, head)]);
    } catch (error) {
      // Typically the pre-commit hook refusing the result: the files are written and staged.
      throw new PromotionCommitFailed(result.branch.name, (error as Error).message);
    }
    result.branch.commit = (await shortHead(root)).trim();
  }
  return result;
}
