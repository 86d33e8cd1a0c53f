import path from 'node:path';
import { parseArgs } from 'node:util';
import { type CliContext, wantsColor } from '@airspark/cli-kit';
import { findRepositoryRoot, loadEnvironments, UsageError } from '@airspark/config';
import { exitCodeFor, type Finding, formatJson, formatText, summarize } from '@airspark/findings';
import { readAllowlist } from '../checks/allowlist.js';
import { checkStacks } from '../checks/run-checks.js';
import { checkInfraRequirements } from '../environment/requirements.js';
import { synthesizeStacks } from '../synth/synthesize.js';

export const synthUsage = `Usage: pnpm infra:synth [--env NAME]... [--format text|json] [--out DIR] [--root DIR]

Synthesizes one Terraform stack per environment (all under clusters/, or those named with --env)
into infra/cdktf.out/stacks/airspark-<env>/cdk.tf.json, offline (no terraform, no network), then
runs the security checks on the synthesized JSON.
Exit codes: 0 clean (warnings allowed), 1 findings, 2 usage or unexpected error.`;

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

export async function synthCommand(args: string[], ctx: CliContext): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      env: { type: 'string', multiple: true, default: [] },
      format: { type: 'string', default: 'text' },
      out: { type: 'string' },
      root: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    ctx.stdout.write(`${synthUsage}\n`);
    return 0;
  }
  const format = values.format ?? 'text';
  if (format !== 'text' && format !== 'json') {
    throw new UsageError(`unknown --format "${format}"; choose text or json.`);
  }
  const started = performance.now();
  const root = await findRepositoryRoot(values.root ?? ctx.cwd);
  // Run by the cdktf CLI (cdktf.json's "app"), the output goes where the CLI says.
  const outdir = path.resolve(
    ctx.cwd,
    values.out ?? ctx.env.CDKTF_OUTDIR ?? path.join(root, 'infra', 'cdktf.out'),
  );
  const progress = (line: string) => ctx.stderr.write(`${line}\n`);

  const named = (values.env ?? []).length > 0;
  const all = await loadEnvironments(root, values.env ?? []);
  // Without --env: every AWS environment. A local cluster (cluster.provider: local) has no
  // infrastructure; asked for by name, it is reported (checkInfraRequirements).
  const local = new Set(
    all.environments.filter((e) => e.environment.cluster.provider === 'local').map((e) => e.name),
  );
  const loaded = named
    ? all
    : {
        ...all,
        environments: all.environments.filter((e) => !local.has(e.name)),
        requested: all.requested.filter((n) => !local.has(n)),
        findings: all.findings.filter((f) => f.env === undefined || !local.has(f.env)),
      };
  for (const name of local)
    if (values.env === undefined) progress(`- ${name}: a local cluster, nothing to synthesize`);
  const findings: Finding[] = [...loaded.findings];
  const ready = loaded.environments.filter((env) => {
    const problems = checkInfraRequirements(env);
    findings.push(...problems);
    return (
      !problems.some((f) => f.severity === 'error') &&
      !loaded.findings.some((f) => f.env === env.name && f.severity === 'error')
    );
  });
  for (const name of loaded.requested.filter((n) => !ready.some((e) => e.name === n))) {
    progress(`✗ ${name}: not synthesized, its environment has errors (below)`);
  }

  if (ready.length > 0) {
    const result = await synthesizeStacks(root, outdir, ready, (t) =>
      progress(`✓ ${t.env}: ${t.stack}, ${t.resources} resources (built in ${seconds(t.constructMs)})`),
    );
    const allowlist = await readAllowlist(root);
    findings.push(...allowlist.findings);
    // An entry needed by one environment only (e.g. RDS monitoring, not in dev) is unused in a
    // run limited by --env: stale entries are judged on full runs only.
    const reportUnused = values.env === undefined || values.env.length === 0;
    if (allowlist.allowlist)
      findings.push(...checkStacks(result.stacks, allowlist.allowlist, { reportUnused }));
    progress(
      `synthesized ${result.stacks.length} stack${result.stacks.length === 1 ? '' : 's'} into ${path.relative(root, outdir) || '.'} and checked them in ${seconds(performance.now() - started)}`,
    );
  }

  const report = { findings, summary: summarize(findings, loaded.requested) };
  ctx.stdout.write(
    format === 'json' ? formatJson(report) : formatText(report, { color: wantsColor(ctx, ctx.stdout) }),
  );
  return exitCodeFor(findings);
}
