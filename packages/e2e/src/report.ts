// reports/e2e.json: one entry per scenario, written atomically (a temp file, then a rename).
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import writeFileAtomic from 'write-file-atomic';

export interface PodSeen {
  readonly namespace: string;
  readonly name: string;
  readonly phase: string;
}

export interface ScenarioResult {
  readonly name: string;
  readonly status: 'passed' | 'failed';
  readonly seconds: number;
  readonly pods: readonly PodSeen[];
  /** Why it failed (also set when it could not run because an earlier scenario failed). */
  readonly error?: string;
  /** What it established, in a sentence or a few facts (revision, objects, timings). */
  readonly details?: Readonly<Record<string, unknown>>;
}

export interface E2eReport {
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly environment: string;
  readonly passed: boolean;
  readonly scenarios: readonly ScenarioResult[];
}

export function reportOf(
  environment: string,
  startedAt: Date,
  scenarios: readonly ScenarioResult[],
  finishedAt = new Date(),
): E2eReport {
  return {
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    environment,
    passed: scenarios.length > 0 && scenarios.every((s) => s.status === 'passed'),
    scenarios,
  };
}

export async function writeReport(file: string, report: E2eReport): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFileAtomic(file, `${JSON.stringify(report, null, 2)}\n`);
}
