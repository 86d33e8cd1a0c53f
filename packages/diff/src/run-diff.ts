import {
  type LoadedEnvironment,
  listEnvironmentNames,
  loadEnvironment,
  orderByPromotion,
  UsageError,
} from '@airspark/config';
import type { Finding } from '@airspark/findings';
import { environmentPins, pinValue } from '@airspark/promote';
import { affectedEnvironments, type EnvironmentInputs, environmentsNamedIn } from './affected.js';
import { changedFilesSince, resolveCommit, snapshotAt } from './git-ref.js';
import { diffRenders, type ObjectDiff, type RenderedObject } from './object-diff.js';

/**
 * Renders one environment of the repository at `root`. Errors among the findings mean "not
 * rendered"; `incomplete` names Applications whose objects are missing for a reason that is not the
 * change's doing (an upstream chart not in the cache), so they are left out of the comparison.
 */
export type EnvironmentRenderer = (
  root: string,
  env: string,
) => Promise<{
  objects: readonly RenderedObject[];
  findings: readonly Finding[];
  incomplete?: readonly { app: string; reason: string }[];
}>;

/** The paths an environment's inputs live under (folders end with `/`), at the repository `root`. */
export type InputsOf = (root: string, env: string) => Promise<readonly string[]>;

/** Until components say which files they read, every component folder counts for every environment. */
export const allComponentInputs: InputsOf = async (_root, env) => [`clusters/${env}/`, 'apps/'];

export interface PinDiff {
  pin: string;
  before?: string;
  after?: string;
}

export interface EnvironmentDiff {
  env: string;
  /** `added`/`removed`: the environment exists only after/before the change. */
  status: 'changed' | 'unchanged' | 'added' | 'removed' | 'failed';
  pins: PinDiff[];
  objects: ObjectDiff[];
  /** Why a side could not be rendered (status `failed`). */
  problems: string[];
  /** Applications left out of the comparison because a side could not render them, why, and where. */
  skipped: { app: string; reason: string; sides: string[] }[];
}

export interface DiffReport {
  base: { ref: string; commit: string };
  changedFiles: string[];
  environments: EnvironmentDiff[];
}

export interface DiffOptions {
  root: string;
  base: string;
  /** Only these environments (rendered even when no input changed); default: the affected ones. */
  envs?: readonly string[];
  render: EnvironmentRenderer;
  inputsOf?: InputsOf;
  /** Runs once on the base snapshot folder before it is rendered (e.g. to fill the chart cache). */
  prepareBase?: (dir: string) => Promise<void>;
  progress?: (message: string) => void;
}

async function namesAt(root: string): Promise<string[]> {
  return listEnvironmentNames(root).catch(() => []);
}

/** Orders names dev → staging → prod, by the chain as it is now (as it was, for removed ones). */
async function inPromotionOrder(
  names: string[],
  root: string,
  baseDir: string,
  now: string[],
): Promise<string[]> {
  const loaded = await Promise.all(
    names.map(async (name) => (await loadEnvironment(now.includes(name) ? root : baseDir, name)).environment),
  );
  return orderByPromotion(
    loaded.filter((l): l is LoadedEnvironment => l !== undefined),
    names,
  );
}

/** The promotable pins of an environment; a broken file has none here (its render reports why). */
async function pinsOf(root: string, env: string, exists: boolean): Promise<Map<string, string>> {
  const values = new Map<string, string>();
  if (!exists) return values;
  const { environment } = await loadEnvironment(root, env);
  for (const pin of environment ? environmentPins() : []) {
    const value = pinValue(environment?.environment, pin);
    if (value !== undefined) values.set(pin.id, value);
  }
  return values;
}

function diffPins(before: Map<string, string>, after: Map<string, string>): PinDiff[] {
  return environmentPins().flatMap((pin) => {
    const a = before.get(pin.id);
    const b = after.get(pin.id);
    if (a === b) return [];
    return [
      { pin: pin.id, ...(a !== undefined ? { before: a } : {}), ...(b !== undefined ? { after: b } : {}) },
    ];
  });
}

/** One entry per Application, naming both sides when both could not render it (first reason kept). */
function mergeSkipped(entries: readonly EnvironmentDiff['skipped'][number][]): EnvironmentDiff['skipped'] {
  const byApp = new Map<string, EnvironmentDiff['skipped'][number]>();
  for (const entry of entries) {
    const seen = byApp.get(entry.app);
    if (seen) seen.sides.push(...entry.sides);
    else byApp.set(entry.app, { ...entry, sides: [...entry.sides] });
  }
  return [...byApp.values()].sort((a, b) => a.app.localeCompare(b.app));
}

async function renderSide(
  render: EnvironmentRenderer,
  root: string,
  env: string,
  exists: boolean,
  label: string,
): Promise<{ objects: readonly RenderedObject[]; problems: string[]; skipped: EnvironmentDiff['skipped'] }> {
  if (!exists) return { objects: [], problems: [], skipped: [] };
  try {
    const { objects, findings, incomplete = [] } = await render(root, env);
    const errors = findings.filter((f) => f.severity === 'error');
    return {
      objects,
      problems: errors.map((f) => `${label}: ${f.file}${f.line > 0 ? `:${f.line}` : ''}: ${f.message}`),
      skipped: incomplete.map(({ app, reason }) => ({ app, reason, sides: [label] })),
    };
  } catch (error) {
    return { objects: [], problems: [`${label}: ${(error as Error).message}`], skipped: [] };
  }
}

/**
 * `pnpm diff --base REF`: renders each affected environment at REF (from a `git archive` snapshot
 * in a temporary folder) and in the working tree, with the same toolchain, and compares them object
 * by object. The user's working tree, index and branches are left as they are.
 */
export async function runDiff(options: DiffOptions): Promise<DiffReport> {
  const { root, render, progress } = options;
  const inputsOf = options.inputsOf ?? allComponentInputs;
  const commit = await resolveCommit(root, options.base);
  const changedFiles = await changedFilesSince(root, commit);
  progress?.(`reading ${options.base} (${commit.slice(0, 12)})…`);
  const snapshot = await snapshotAt(root, commit);
  try {
    const [now, then] = await Promise.all([namesAt(root), namesAt(snapshot.dir)]);
    const known = await inPromotionOrder(
      [...new Set([...now, ...then, ...environmentsNamedIn(changedFiles)])].filter(
        (n) => now.includes(n) || then.includes(n),
      ),
      root,
      snapshot.dir,
      now,
    );
    let selected: string[];
    if (options.envs && options.envs.length > 0) {
      const unknown = options.envs.filter((e) => !known.includes(e));
      if (unknown.length > 0) {
        throw new UsageError(
          `no environment ${unknown.map((e) => `"${e}"`).join(', ')} in the working tree or at ${options.base}. Known: ${known.join(', ') || 'none'}.`,
        );
      }
      selected = [...new Set(options.envs)];
    } else {
      const inputs: EnvironmentInputs[] = await Promise.all(
        known.map(async (env) => ({
          env,
          inputs: [
            ...(now.includes(env) ? await inputsOf(root, env) : []),
            ...(then.includes(env) ? await inputsOf(snapshot.dir, env) : []),
          ],
        })),
      );
      selected = affectedEnvironments(changedFiles, inputs);
    }

    const environments: EnvironmentDiff[] = [];
    if (selected.length > 0) await options.prepareBase?.(snapshot.dir);
    for (const [i, env] of selected.entries()) {
      const existsBefore = then.includes(env);
      const existsAfter = now.includes(env);
      const [pinsBefore, pinsAfter] = await Promise.all([
        pinsOf(snapshot.dir, env, existsBefore),
        pinsOf(root, env, existsAfter),
      ]);
      progress?.(`[${i + 1}/${selected.length}] rendering ${env} at ${options.base}…`);
      const before = await renderSide(render, snapshot.dir, env, existsBefore, `at ${options.base}`);
      progress?.(`[${i + 1}/${selected.length}] rendering ${env} in the working tree…`);
      const after = await renderSide(render, root, env, existsAfter, 'in the working tree');
      const problems = [...before.problems, ...after.problems];
      // An Application one side could not render would read as all its objects added or removed.
      const skipped = mergeSkipped([...before.skipped, ...after.skipped]);
      const compared = (list: readonly RenderedObject[]) =>
        list.filter((o) => !skipped.some((s) => s.app === o.app));
      const objects =
        problems.length > 0 ? [] : diffRenders(compared(before.objects), compared(after.objects));
      const status: EnvironmentDiff['status'] =
        problems.length > 0
          ? 'failed'
          : !existsBefore
            ? 'added'
            : !existsAfter
              ? 'removed'
              : objects.length > 0
                ? 'changed'
                : 'unchanged';
      environments.push({
        env,
        status,
        pins: diffPins(pinsBefore, pinsAfter),
        objects,
        problems,
        skipped,
      });
    }
    return { base: { ref: options.base, commit }, changedFiles, environments };
  } finally {
    await snapshot.cleanup();
  }
}
