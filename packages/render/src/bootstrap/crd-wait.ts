/**
 * Waiting for CustomResourceDefinitions to be usable, robustly. Right after a large CRD is applied
 * the API server answers for a while with NotFound, with the CRD not yet Established, or (for
 * clients) with discovery that does not list the new kind yet; `kubectl wait` gives up on the first
 * of those. This loop asks again with backoff until each CRD is Established *and* its kind is
 * served, or the deadline passes, and then says which CRD and what the last answer was.
 */

/** What one look at a CRD found. */
export type CrdProbe =
  | { state: 'ready' }
  | { state: 'pending'; detail: string }
  /** A problem that waiting will not fix (the CRD was rejected: NamesAccepted=False). */
  | { state: 'failed'; detail: string };

export interface CrdWaitOptions {
  names: readonly string[];
  probe: (name: string) => Promise<CrdProbe>;
  timeoutMs: number;
  /** Injected for tests; defaults to a real timer. */
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  log?: (line: string) => void;
}

export class CrdWaitError extends Error {
  override name = 'CrdWaitError';
}

const FIRST_DELAY_MS = 250;
const MAX_DELAY_MS = 5000;

export async function waitForCrds(options: CrdWaitOptions): Promise<void> {
  const sleep = options.sleep ?? ((ms) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const now = options.now ?? Date.now;
  const deadline = now() + options.timeoutMs;
  for (const name of options.names) {
    let delay = FIRST_DELAY_MS;
    let attempts = 0;
    for (;;) {
      attempts++;
      const probe = await options.probe(name);
      if (probe.state === 'ready') break;
      if (probe.state === 'failed')
        throw new CrdWaitError(`CustomResourceDefinition ${name}: ${probe.detail}`);
      if (now() + delay > deadline) {
        throw new CrdWaitError(
          `CustomResourceDefinition ${name} did not become Established and served within ${Math.round(options.timeoutMs / 1000)} s (${attempts} checks); last answer: ${probe.detail}`,
        );
      }
      if (attempts === 1) options.log?.(`    waiting for ${name}: ${probe.detail}`);
      await sleep(delay);
      delay = Math.min(delay * 2, MAX_DELAY_MS);
    }
  }
}

interface CrdStatus {
  spec?: { group?: string; names?: { plural?: string } };
  status?: { conditions?: { type?: string; status?: string; reason?: string; message?: string }[] };
}

/**
 * Reads a CRD's state from `kubectl get crd NAME -o json` and, once Established, whether its kind
 * is served (`kubectl get <plural>.<group>` answers: discovery has caught up).
 */
export async function probeCrdWithKubectl(
  name: string,
  kubectl: (args: string[]) => Promise<{ code: number; stdout: string; stderr: string }>,
): Promise<CrdProbe> {
  const got = await kubectl(['get', 'customresourcedefinitions.apiextensions.k8s.io', name, '-o', 'json']);
  if (got.code !== 0) return { state: 'pending', detail: lastLine(got.stderr) };
  let crd: CrdStatus;
  try {
    crd = JSON.parse(got.stdout) as CrdStatus;
  } catch {
    return { state: 'pending', detail: 'kubectl returned no JSON' };
  }
  const conditions = crd.status?.conditions ?? [];
  const names = conditions.find((c) => c.type === 'NamesAccepted');
  if (names?.status === 'False')
    return { state: 'failed', detail: `names not accepted: ${names.message ?? names.reason ?? ''}` };
  const established = conditions.find((c) => c.type === 'Established');
  if (established?.status !== 'True')
    return { state: 'pending', detail: `not Established yet (${established?.reason ?? 'no condition'})` };
  const plural = crd.spec?.names?.plural;
  const group = crd.spec?.group;
  if (!plural || !group) return { state: 'ready' };
  const served = await kubectl([
    'get',
    `${plural}.${group}`,
    '--all-namespaces',
    '-o',
    'name',
    '--request-timeout=20s',
  ]);
  return served.code === 0
    ? { state: 'ready' }
    : { state: 'pending', detail: `Established, but not served yet: ${lastLine(served.stderr)}` };
}

function lastLine(text: string): string {
  return text.trim().split('\n').filter(Boolean).pop() ?? 'no answer';
}
