// What Argo CD says about the Applications, reduced to what the e2e waits for. Pure.

export interface ApplicationStatus {
  readonly name: string;
  readonly sync: string;
  readonly health: string;
  /** Every revision it is synced to: a commit for Git sources, a version for chart sources. */
  readonly revisions: readonly string[];
  /** The last sync operation's phase and message, when it failed or is running. */
  readonly operation?: string;
  /** Conditions Argo CD reports (ComparisonError, SyncError, ...), for the failure message. */
  readonly conditions: readonly string[];
}

interface ApplicationList {
  items?: Array<{
    metadata?: { name?: string };
    status?: {
      sync?: { status?: string; revision?: string; revisions?: string[] };
      health?: { status?: string };
      operationState?: { phase?: string; message?: string };
      conditions?: Array<{ type?: string; message?: string }>;
    };
  }>;
}

export function applicationStatuses(list: ApplicationList): ApplicationStatus[] {
  return (list.items ?? []).map((item) => {
    const status = item.status ?? {};
    const op = status.operationState;
    const revisions = [
      ...(status.sync?.revision ? [status.sync.revision] : []),
      ...(status.sync?.revisions ?? []),
    ];
    return {
      name: item.metadata?.name ?? '(unnamed)',
      sync: status.sync?.status ?? 'Unknown',
      health: status.health?.status ?? 'Unknown',
      revisions,
      ...(op && op.phase !== 'Succeeded'
        ? { operation: `${op.phase ?? '?'}: ${op.message ?? ''}`.trim() }
        : {}),
      conditions: (status.conditions ?? []).map((c) => `${c.type ?? 'Condition'}: ${c.message ?? ''}`),
    };
  });
}

const isCommit = (revision: string) => /^[0-9a-f]{40}$/.test(revision);

/**
 * Every expected Application exists and is Synced and Healthy; when `revision` (a commit) is given,
 * every Application with a Git source is synced to it (a chart-only source has a version instead).
 */
export function allSyncedAndHealthy(
  statuses: readonly ApplicationStatus[],
  expected: readonly string[],
  revision?: string,
): { done: boolean; waitingFor: string[] } {
  const byName = new Map(statuses.map((s) => [s.name, s]));
  const waitingFor = expected.flatMap((name) => {
    const s = byName.get(name);
    if (!s) return [`${name}: not created yet`];
    const commits = s.revisions.filter(isCommit);
    const atRevision = !revision || commits.length === 0 || commits.every((c) => c === revision);
    if (s.sync === 'Synced' && s.health === 'Healthy' && atRevision) return [];
    const detail = [s.operation, ...s.conditions].filter(Boolean).join('; ');
    return [
      `${name}: ${s.sync}/${s.health}${atRevision ? '' : ` at ${commits.map((c) => c.slice(0, 7)).join(', ')}`}${detail ? ` (${detail})` : ''}`,
    ];
  });
  return { done: waitingFor.length === 0, waitingFor };
}
