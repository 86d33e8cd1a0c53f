import { describe, expect, it } from 'vitest';
import { allSyncedAndHealthy, applicationStatuses } from '../src/index.js';

const HEAD = 'a'.repeat(40);
const OLD = 'b'.repeat(40);
const app = (name: string, sync: string, health: string, revision = HEAD, extra: object = {}) => ({
  metadata: { name },
  status: { sync: { status: sync, revision }, health: { status: health }, ...extra },
});
const multiSource = (name: string, revisions: string[]) => ({
  metadata: { name },
  status: { sync: { status: 'Synced', revisions }, health: { status: 'Healthy' } },
});

describe('allSyncedAndHealthy', () => {
  it('is done when every expected Application is Synced and Healthy, Git sources at the commit', () => {
    const statuses = applicationStatuses({
      items: [
        app('root', 'Synced', 'Healthy'),
        // A chart from a Helm repository with $values from Git: a version and a commit side by side.
        multiSource('argocd', ['10.1.1', HEAD]),
        // A chart-only source has no commit to compare.
        app('karpenter', 'Synced', 'Healthy', '1.14.1'),
      ],
    });
    expect(allSyncedAndHealthy(statuses, ['argocd', 'karpenter', 'root'], HEAD)).toEqual({
      done: true,
      waitingFor: [],
    });
  });

  it('says which Applications are missing, out of sync, unhealthy or at an older commit, and why', () => {
    const statuses = applicationStatuses({
      items: [
        app('argocd', 'OutOfSync', 'Progressing', HEAD, {
          operationState: { phase: 'Failed', message: 'one or more objects failed to apply' },
          conditions: [{ type: 'SyncError', message: 'quota exceeded' }],
        }),
        multiSource('livy', ['0.1.0', OLD]),
      ],
    });
    const result = allSyncedAndHealthy(statuses, ['argocd', 'livy', 'spark-operator'], HEAD);
    expect(result.done).toBe(false);
    expect(result.waitingFor).toEqual([
      'argocd: OutOfSync/Progressing (Failed: one or more objects failed to apply; SyncError: quota exceeded)',
      'livy: Synced/Healthy at bbbbbbb',
      'spark-operator: not created yet',
    ]);
  });

  it('reads an Application without status as Unknown', () => {
    const [status] = applicationStatuses({ items: [{ metadata: { name: 'x' } }] });
    expect(status).toMatchObject({ sync: 'Unknown', health: 'Unknown', conditions: [], revisions: [] });
  });
});
