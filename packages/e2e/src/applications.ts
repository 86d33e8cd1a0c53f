// What Argo CD says about the Applications, reduced to what the e2e waits for. Pure.

export interface ApplicationStatus {
  readonly name: string;
  readonly sync: string;
  readonly health: string;
  readonly revision?: string;
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
    const revision = status.sync?.revision ?? status.sync?.revisions?.[0];
    return {
      name: item.metadata?.name ?? '(unnamed)',
      sync: status.sync?.status ?? 'Unknown',
      health: status.health?.status ?? 'Unknown',
      ...(revision ? { revision } : {}),
      ...(op && op.phase !== 'Succeeded'
        ? { operation: `${op.phase ?? '?'}: ${op.message ?? ''}`.trim() }
        : {}),
      conditions: (status.conditions ?? []).map((c) => `${c.type ?? 'Condition'}: ${c.message ?? ''}`),
    };
  });
}

/** Every expected Application exists and is Synced and Healthy (at `revision`, when given). */
export function allSyncedAndHealthy(
  statuses: readonly ApplicationStatus[],
  expected: readonly string[],
  revision?: string,
): { done: boolean; waitingFor: string[] } {
  const byName = new Map(statuses.map((s) => [s.name, s]));
  const waitingFor = expected.flatMap((name) => {
    const s = byName.get(name);
    if (!s) return [`${name}: not created yet`];
    const atRevision = !revision || s.revision === revision;
    if (s.sync === 'Synced' && s.health === 'Healthy' && atRevision) return [];
    const detail = [s.operation, ...s.conditions].filter(Boolean).join('; ');
    return [
      `${name}: ${s.sync}/${s.health}${atRevision ? '' : ` at ${s.revision?.slice(0, 7) ?? 'no revision'}`}${detail ? ` (${detail})` : ''}`,
    ];
  });
  return { done: waitingFor.length === 0, waitingFor };
}
