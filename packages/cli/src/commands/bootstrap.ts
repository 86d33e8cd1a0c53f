import { parseArgs } from 'node:util';
import { type CliContext, wantsColor } from '@airspark/cli-kit';
import { findRepositoryRoot, loadComponents, loadEnvironments, UsageError } from '@airspark/config';
import { exitCodeFor, formatText, summarize } from '@airspark/findings';
import { BootstrapError, bootstrap, ensureTools } from '@airspark/render';

export const bootstrapUsage = `Usage: airspark bootstrap --env NAME [--kubeconfig FILE] [--context NAME] [--no-wait] [--timeout SECONDS] [--root DIR]

Installs Argo CD (the chart pinned by gitops.argocd.chartVersion, from the chart cache: run
\`pnpm charts pull\` first) into the cluster of the current kubeconfig context, then applies the
environment's root project and app-of-apps (clusters/<env>/root.yaml). Server-side apply: running
it again changes nothing. The hydrated files must be fresh and pushed: Argo CD reads them from git.

  --no-wait   do not wait for the Argo CD workloads to become ready (CRDs are always waited for)

Exit codes: 0 installed, 1 findings (e.g. chart not cached, stale Applications), 2 usage error or
cluster unreachable.`;

export async function bootstrapCommand(args: string[], ctx: CliContext): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      env: { type: 'string' },
      kubeconfig: { type: 'string' },
      context: { type: 'string' },
      'no-wait': { type: 'boolean', default: false },
      timeout: { type: 'string', default: '300' },
      root: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    ctx.stdout.write(`${bootstrapUsage}\n`);
    return 0;
  }
  if (!values.env) throw new UsageError(`--env is required.\n\n${bootstrapUsage}`);
  const timeoutSeconds = Number(values.timeout);
  if (!Number.isInteger(timeoutSeconds) || timeoutSeconds <= 0)
    throw new UsageError(`--timeout must be a positive number of seconds, not "${values.timeout}".`);
  const root = await findRepositoryRoot(values.root ?? ctx.cwd);
  const loaded = await loadEnvironments(root, [values.env]);
  const components = await loadComponents(root);
  const problems = [...loaded.findings, ...components.findings];
  const env = loaded.environments[0];
  const log = (line: string) => ctx.stderr.write(`${line}\n`);
  if (!env || problems.some((f) => f.severity === 'error')) {
    ctx.stdout.write(
      formatText(
        { findings: problems, summary: summarize(problems, loaded.requested) },
        { color: wantsColor(ctx, ctx.stdout) },
      ),
    );
    return 1;
  }
  const tools = await ensureTools({ log });
  try {
    const result = await bootstrap({
      root,
      env,
      components,
      tools,
      ...(values.kubeconfig ? { kubeconfig: values.kubeconfig } : {}),
      ...(values.context ? { context: values.context } : {}),
      wait: !values['no-wait'],
      timeoutSeconds,
      log,
    });
    const findings = [...problems, ...result.findings];
    if (exitCodeFor(findings) !== 0) {
      ctx.stdout.write(
        formatText(
          { findings, summary: summarize(findings, loaded.requested) },
          { color: wantsColor(ctx, ctx.stdout) },
        ),
      );
      ctx.stderr.write('airspark bootstrap: nothing was applied; fix the findings above.\n');
      return 1;
    }
    return 0;
  } catch (error) {
    if (error instanceof BootstrapError) {
      ctx.stderr.write(`airspark bootstrap: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}
