// `pnpm e2e [--keep] [--report FILE] [--chart-mirror DIR] [--only NAME,...]`
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { findRepositoryRoot } from '@airspark/config';
import { runE2e } from './run-e2e.js';
import { allScenarios, selectScenarios } from './scenarios/index.js';

const usage = `Usage: pnpm e2e [--keep] [--report FILE] [--chart-mirror DIR] [--only NAME[,NAME…]]

Brings the local cluster up (pnpm cluster up), builds and imports the images the local environment
names, serves the chart mirror and this checkout's HEAD (as branch main) to the cluster, then runs
the scenarios in order:
${allScenarios.map((s) => `  ${s.name}`).join('\n')}
Writes reports/e2e.json after each scenario. Needs root (the local cluster does).

  --keep            leave the platform up and serve its mirrors until Ctrl-C (without it the
                    cluster is taken down at the end when this run brought it up)
  --report FILE     where the report goes (default reports/e2e.json)
  --chart-mirror D  the chart mirror (default $AIRSPARK_CHART_MIRROR, else ../shared/charts)
  --only NAMES      run only these scenarios (and what they need)

Environment: AIRSPARK_E2E_TIMEOUT_SCALE=2 doubles every wait (slow machines).
Exit codes: 0 every scenario passed, 1 a scenario failed, 2 usage error.`;

/** The command's whole run; never throws (a failure is a message and exit code 1). */
export async function main(argv: readonly string[]): Promise<number> {
  try {
    return await e2e(argv);
  } catch (error) {
    process.stderr.write(`airspark e2e: ${(error as Error).message}\n`);
    return 1;
  }
}

async function e2e(argv: readonly string[]): Promise<number> {
  let values: ReturnType<typeof parse>['values'];
  const parse = (args: string[]) =>
    parseArgs({
      args,
      options: {
        keep: { type: 'boolean', default: false },
        report: { type: 'string' },
        'chart-mirror': { type: 'string' },
        only: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    });
  try {
    values = parse([...argv]).values;
  } catch (error) {
    process.stderr.write(`airspark e2e: ${(error as Error).message}\n\n${usage}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  const root = await findRepositoryRoot(process.cwd());
  const chartMirror = path.resolve(
    values['chart-mirror'] ?? process.env.AIRSPARK_CHART_MIRROR ?? path.join(root, '..', 'shared', 'charts'),
  );
  if (!existsSync(path.join(chartMirror, 'index.yaml'))) {
    process.stderr.write(
      `airspark e2e: no chart mirror at ${chartMirror} (no index.yaml); pass --chart-mirror DIR or set AIRSPARK_CHART_MIRROR\n`,
    );
    return 2;
  }
  let scenarios: ReturnType<typeof selectScenarios>;
  try {
    scenarios = selectScenarios(values.only?.split(',').filter(Boolean) ?? []);
  } catch (error) {
    process.stderr.write(`airspark e2e: ${(error as Error).message}\n`);
    return 2;
  }
  const scaleText = process.env.AIRSPARK_E2E_TIMEOUT_SCALE;
  const timeoutScale = scaleText ? Number(scaleText) : 1;
  if (!(timeoutScale > 0)) {
    process.stderr.write(
      `airspark e2e: AIRSPARK_E2E_TIMEOUT_SCALE must be a positive number, not "${scaleText}"\n`,
    );
    return 2;
  }
  const reportFile = path.resolve(values.report ?? path.join(root, 'reports', 'e2e.json'));
  const started = Date.now();
  const { passed, results } = await runE2e({
    root,
    chartMirror,
    scenarios,
    reportFile,
    keep: values.keep,
    timeoutScale,
    log: (line) =>
      process.stderr.write(`[${String(Math.round((Date.now() - started) / 1000)).padStart(5)}s] ${line}\n`),
  });
  const failed = results.filter((r) => r.status === 'failed');
  process.stdout.write(
    `${passed ? '✔' : '✖'} e2e: ${results.length - failed.length} of ${results.length} scenarios passed${
      failed.length ? ` (failed: ${failed.map((r) => r.name).join(', ')})` : ''
    }; report ${path.relative(process.cwd(), reportFile)}\n`,
  );
  return passed ? 0 : 1;
}
