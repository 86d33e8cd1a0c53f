// A scenario of `pnpm e2e` and how a list of them runs: in order, each timed, each reporting the
// pods of its namespaces; a scenario whose prerequisite failed is reported failed without running.
import type { Kubectl } from './kubectl.js';
import { podsIn } from './pods.js';
import type { ScenarioResult } from './report.js';
import type { ServedRepository } from './served-repo.js';

export interface E2eContext {
  /** The repository checkout the e2e runs from. */
  readonly root: string;
  readonly environment: string;
  readonly kubeconfig: string;
  readonly kubectl: Kubectl;
  /** The repository Argo CD reads, and the working clone scenarios commit in. */
  readonly repo: ServedRepository;
  /** Runs the airspark CLI (as `pnpm <args>` would) and resolves with its exit code and output. */
  readonly airspark: (args: readonly string[], cwd?: string) => Promise<{ code: number; output: string }>;
  readonly log: (line: string) => void;
  /** How long a wait may take, scaled for slow machines (AIRSPARK_E2E_TIMEOUT_SCALE). */
  readonly timeoutMs: (baseSeconds: number) => number;
}

export interface Scenario {
  readonly name: string;
  /** Scenarios that must have passed first. */
  readonly needs?: readonly string[];
  /** Namespaces whose pods the report lists for this scenario. */
  readonly namespaces: readonly string[];
  readonly run: (ctx: E2eContext) => Promise<Readonly<Record<string, unknown>> | undefined>;
}

export async function runScenarios(
  scenarios: readonly Scenario[],
  ctx: E2eContext,
  onResult: (result: ScenarioResult, results: readonly ScenarioResult[]) => Promise<void> = async () => {},
  earlier: readonly ScenarioResult[] = [],
): Promise<ScenarioResult[]> {
  const results: ScenarioResult[] = [...earlier];
  for (const scenario of scenarios) {
    const failedNeed = (scenario.needs ?? []).find(
      (need) => results.find((r) => r.name === need)?.status !== 'passed',
    );
    const started = Date.now();
    let result: ScenarioResult;
    if (failedNeed) {
      result = {
        name: scenario.name,
        status: 'failed',
        seconds: 0,
        pods: [],
        error: `not run: ${failedNeed} did not pass`,
      };
    } else {
      ctx.log(`▶ ${scenario.name}`);
      let error: string | undefined;
      let details: Readonly<Record<string, unknown>> | undefined;
      try {
        details = await scenario.run(ctx);
      } catch (e) {
        error = (e as Error).message;
      }
      const pods = await podsIn(ctx.kubectl, scenario.namespaces).catch(() => []);
      result = {
        name: scenario.name,
        status: error === undefined ? 'passed' : 'failed',
        seconds: Math.round((Date.now() - started) / 100) / 10,
        pods,
        ...(error === undefined ? {} : { error }),
        ...(details ? { details } : {}),
      };
    }
    ctx.log(
      result.status === 'passed'
        ? `✔ ${result.name} (${result.seconds} s)`
        : `✖ ${result.name}: ${result.error ?? 'failed'}`,
    );
    results.push(result);
    await onResult(result, results);
  }
  return results;
}
