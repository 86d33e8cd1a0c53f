import type { ComponentLoadResult, LoadedEnvironment } from '@airspark/config';
import type { Finding } from '@airspark/findings';
import type { Tools } from '@airspark/tools';
import { run } from '@airspark/tools';
import { stringify } from 'yaml';
import { ARGOCD_NAMESPACE, rootFile } from '../hydrate/argo.js';
import { checkHydrationFresh } from '../hydrate/files.js';
import { type KubeObject, splitManifests } from '../render/manifests.js';
import { renderEnvironment } from '../render/render-environment.js';
import { CrdWaitError, probeCrdWithKubectl, waitForCrds } from './crd-wait.js';

/** The component that installs Argo CD itself (apps/argocd/component.yaml). */
export const ARGOCD_COMPONENT = 'argocd';
const FIELD_MANAGER = 'airspark-bootstrap';

export class BootstrapError extends Error {
  override name = 'BootstrapError';
}

export interface BootstrapPhase {
  name: string;
  objects: KubeObject[];
  /** What to wait for after applying. */
  wait?: 'crds-established' | 'workloads-ready';
}

const isHook = (o: KubeObject) => {
  const hook = (o.metadata?.annotations as Record<string, string> | undefined)?.['helm.sh/hook'] ?? '';
  return /(^|,)\s*test(-success|-failure)?\s*(,|$)/.test(hook);
};

/**
 * The order of a bootstrap, pure: the Argo CD namespace, its CRDs (waited for, since the
 * controllers and the root Application need them), everything else of Argo CD, then the
 * environment's root project and app-of-apps. Helm test hooks are not part of an install.
 */
export function bootstrapPlan(argocd: readonly KubeObject[], root: readonly KubeObject[]): BootstrapPhase[] {
  const crds = argocd.filter((o) => o.kind === 'CustomResourceDefinition');
  const rest = argocd.filter(
    (o) =>
      o.kind !== 'CustomResourceDefinition' &&
      !isHook(o) &&
      !(o.kind === 'Namespace' && o.metadata?.name === ARGOCD_NAMESPACE),
  );
  return [
    {
      name: `namespace ${ARGOCD_NAMESPACE}`,
      objects: [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ARGOCD_NAMESPACE } }],
    },
    { name: `${crds.length} Argo CD CRDs`, objects: crds, wait: 'crds-established' },
    { name: `${rest.length} Argo CD objects`, objects: rest, wait: 'workloads-ready' },
    { name: 'root project and app-of-apps', objects: [...root] },
  ].filter((p) => p.objects.length > 0) as BootstrapPhase[];
}

interface KubectlTarget {
  kubectl: string;
  kubeconfig?: string;
  context?: string;
}

function kubectlArgs(t: KubectlTarget, args: string[]): string[] {
  return [
    ...(t.kubeconfig ? ['--kubeconfig', t.kubeconfig] : []),
    ...(t.context ? ['--context', t.context] : []),
    ...args,
  ];
}

/** Fails with a message that says which cluster, and what to check, when the API server is unreachable. */
export async function checkReachable(t: KubectlTarget): Promise<{ context: string; server: string }> {
  const context = (await run(t.kubectl, kubectlArgs(t, ['config', 'current-context']))).stdout.trim();
  const server = (
    await run(
      t.kubectl,
      kubectlArgs(t, ['config', 'view', '--minify', '-o', 'jsonpath={.clusters[0].cluster.server}']),
    )
  ).stdout.trim();
  if (!context && !t.context) {
    throw new BootstrapError(
      'no current kubeconfig context: point KUBECONFIG (or --kubeconfig) at the cluster to bootstrap, then select it with `kubectl config use-context`.',
    );
  }
  const probe = await run(t.kubectl, kubectlArgs(t, ['version', '-o', 'json', '--request-timeout=10s']), {
    timeoutMs: 30_000,
  });
  const reached =
    probe.code === 0 &&
    (JSON.parse(probe.stdout || '{}') as { serverVersion?: unknown }).serverVersion !== undefined;
  if (!reached) {
    const why = probe.stderr.trim().split('\n').filter(Boolean).pop() ?? 'no answer';
    throw new BootstrapError(
      `cannot reach the cluster of kubeconfig context "${t.context ?? context}" at ${server || 'an unknown server'}: ${why}\nCheck the context (kubectl config current-context), your network or VPN, and your credentials; nothing was changed.`,
    );
  }
  return { context: t.context ?? context, server };
}

/**
 * Server-side apply (no last-applied annotation, so CRDs of any size fit) of the objects as text.
 * An object that helm or the hydration wrote is sent exactly as written (`texts`): kubectl reads
 * YAML 1.1, and a re-serialisation would change what it reads (a quoted "no" becoming the boolean
 * false, 0755 becoming 755). Only objects bootstrap makes itself (the namespace) are serialised.
 */
export function applyInput(objects: readonly KubeObject[], texts: ReadonlyMap<KubeObject, string>): string {
  return objects
    .map((o) => {
      const text = texts.get(o) ?? stringify(o, { lineWidth: 0 });
      return text.endsWith('\n') ? text : `${text}\n`;
    })
    .join('---\n');
}

async function apply(
  t: KubectlTarget,
  objects: readonly KubeObject[],
  texts: ReadonlyMap<KubeObject, string>,
): Promise<void> {
  const input = applyInput(objects, texts);
  const r = await run(
    t.kubectl,
    kubectlArgs(t, [
      'apply',
      // Objects without a namespace go where Argo CD would put them: the component's namespace.
      '--namespace',
      ARGOCD_NAMESPACE,
      '--server-side',
      `--field-manager=${FIELD_MANAGER}`,
      '--force-conflicts',
      '-f',
      '-',
    ]),
    { input },
  );
  if (r.code !== 0) throw new BootstrapError(`kubectl apply failed: ${r.stderr.trim()}`);
}

async function waitFor(
  t: KubectlTarget,
  phase: BootstrapPhase,
  timeoutSeconds: number,
  log: (l: string) => void,
): Promise<void> {
  if (phase.wait === 'crds-established') {
    try {
      await waitForCrds({
        names: phase.objects.map((o) => String(o.metadata?.name)),
        probe: (name) => probeCrdWithKubectl(name, (args) => run(t.kubectl, kubectlArgs(t, args))),
        timeoutMs: timeoutSeconds * 1000,
        log,
      });
    } catch (error) {
      if (error instanceof CrdWaitError)
        throw new BootstrapError(`the Argo CD CRDs are not usable: ${error.message}`);
      throw error;
    }
    return;
  }
  const workloads = phase.objects.filter((o) => o.kind === 'Deployment' || o.kind === 'StatefulSet');
  for (const w of workloads) {
    const ref = `${String(w.kind).toLowerCase()}/${String(w.metadata?.name)}`;
    log(`    waiting for ${ref}…`);
    const r = await run(
      t.kubectl,
      kubectlArgs(t, [
        '-n',
        String(w.metadata?.namespace ?? ARGOCD_NAMESPACE),
        'rollout',
        'status',
        ref,
        `--timeout=${timeoutSeconds}s`,
      ]),
    );
    if (r.code !== 0) throw new BootstrapError(`${ref} did not become ready: ${r.stderr.trim()}`);
  }
}

export interface BootstrapOptions {
  root: string;
  env: LoadedEnvironment;
  components: ComponentLoadResult;
  tools: Tools;
  kubeconfig?: string;
  context?: string;
  /** Wait for the Argo CD workloads to be ready (off for API servers without controllers); CRDs are always waited for. */
  wait?: boolean;
  timeoutSeconds?: number;
  log?: (line: string) => void;
  cacheEnv?: NodeJS.ProcessEnv;
}

/**
 * Installs Argo CD (the pinned chart from the chart cache, rendered exactly as Argo CD will later
 * render itself) and the environment's root application into the cluster of the current
 * kubeconfig. Server-side apply makes every run idempotent.
 */
export async function bootstrap(
  options: BootstrapOptions,
): Promise<{ findings: Finding[]; applied: number }> {
  const log = options.log ?? (() => {});
  const target: KubectlTarget = {
    kubectl: options.tools.kubectl,
    ...(options.kubeconfig ? { kubeconfig: options.kubeconfig } : {}),
    ...(options.context ? { context: options.context } : {}),
  };
  if (!options.components.components.some((c) => c.name === ARGOCD_COMPONENT)) {
    throw new BootstrapError(
      `no apps/${ARGOCD_COMPONENT}/component.yaml: bootstrap installs Argo CD from that component (see docs/components.md).`,
    );
  }
  const render = await renderEnvironment({
    root: options.root,
    env: options.env,
    components: options.components,
    tools: options.tools,
    strict: true,
    only: [ARGOCD_COMPONENT],
    ...(options.cacheEnv ? { cacheEnv: options.cacheEnv } : {}),
  });
  const stale = await checkHydrationFresh(options.root, render.hydration);
  const errors = [...render.findings, ...stale].filter((f) => f.severity === 'error');
  if (errors.length > 0) return { findings: [...render.findings, ...stale], applied: 0 };
  if (!render.apps.some((a) => a.app === ARGOCD_COMPONENT)) {
    throw new BootstrapError(
      `Argo CD is not enabled for ${options.env.name} (apps/${ARGOCD_COMPONENT}/component.yaml enabledBy).`,
    );
  }

  const { context, server } = await checkReachable(target);
  log(`bootstrapping ${options.env.name} into context "${context}" (${server})`);
  const texts = new Map<KubeObject, string>();
  const argocd = render.objects
    .filter((o) => o.app === ARGOCD_COMPONENT)
    .map((o) => {
      if (o.text !== undefined) texts.set(o.object, o.text);
      return o.object;
    });
  const root = splitManifests(render.hydration.files.get(rootFile(options.env.name)) ?? '').objects.map(
    (o) => {
      if (o.text !== undefined) texts.set(o.object, o.text);
      return o.object;
    },
  );
  let applied = 0;
  for (const phase of bootstrapPlan(argocd, root)) {
    log(`  applying ${phase.name}`);
    await apply(target, phase.objects, texts);
    applied += phase.objects.length;
    // CRDs are always waited for (the root Application needs them); workloads unless --no-wait.
    if (phase.wait === 'crds-established' || (phase.wait && options.wait !== false)) {
      await waitFor(target, phase, options.timeoutSeconds ?? 300, log);
    }
  }
  log(
    `done: ${applied} objects applied; Argo CD now syncs clusters/${options.env.name}/apps from ${options.env.environment.gitops.repoURL}@${options.env.environment.gitops.targetRevision}`,
  );
  return { findings: render.findings, applied };
}
