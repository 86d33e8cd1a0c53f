/**
 * Whether Argo CD ever applies a rendered object. Argo CD (gitops-engine pkg/sync/hook) treats an
 * object with a `helm.sh/hook` annotation as a hook and runs it only in the phases its hook types
 * map to: pre-install/pre-upgrade → PreSync, post-install/post-upgrade → PostSync. Every other
 * Helm hook (test, test-success, test-failure, pre/post-delete, pre/post-rollback) maps to no
 * phase, so the object is never created; `crd-install` is not a hook. An object whose only
 * Argo CD hook type is `Skip` is not applied either. Checking objects that never exist would
 * report mistakes nobody can hit (a chart's test pod without resources).
 */
const HELM_HOOKS_ARGO_RUNS = new Set(['pre-install', 'pre-upgrade', 'post-install', 'post-upgrade']);

function csv(value: unknown): string[] {
  return typeof value === 'string'
    ? value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : [];
}

export function appliedByArgoCD(object: Record<string, unknown>): boolean {
  const metadata = object.metadata;
  const annotations =
    metadata !== null && typeof metadata === 'object'
      ? ((metadata as { annotations?: Record<string, unknown> }).annotations ?? {})
      : {};
  const argoHooks = csv(annotations['argocd.argoproj.io/hook']);
  if (argoHooks.length > 0) return !(argoHooks.length === 1 && argoHooks[0] === 'Skip');
  const helmHook = annotations['helm.sh/hook'];
  if (helmHook === undefined || helmHook === 'crd-install') return true;
  return csv(helmHook).some((t) => HELM_HOOKS_ARGO_RUNS.has(t));
}
