import { describe, expect, it } from 'vitest';
import { allSyncedAndHealthy, applicationStatuses } from '../src/index.js';

const app = (name: string, sync: string, health: string, revision = 'abc1234', extra: object = {}) => ({
  metadata: { name },
  status: { sync: { status: sync, revision }, health: { status: health }, ...extra },
});

describe('allSyncedAndHealthy', () => {
  it('is done only when every expected Application is Synced and Healthy at the revision', () => {
    const statuses = applicationStatuses({
      items: [app('root', 'Synced', 'Healthy'), app('argocd', 'Synced', 'Healthy')],
    });
    expect(allSyncedAndHealthy(statuses, ['argocd', 'root'], 'abc1234')).toEqual({
      done: true,
      waitingFor: [],
    });
  });

  it('says which Applications are missing, out of sync, unhealthy or at an older revision, and why', () => {
    const statuses = applicationStatuses({
      items: [
        app('argocd', 'OutOfSync', 'Progressing', 'abc1234', {
          operationState: { phase: 'Failed', message: 'one or more objects failed to apply' },
          conditions: [{ type: 'SyncError', message: 'quota exceeded' }],
        }),
        app('livy', 'Synced', 'Healthy', 'old0000'),
      ],
    });
    const result = allSyncedAndHealthy(statuses, ['argocd', 'livy', 'spark-operator'], 'abc1234');
    expect(result.done).toBe(false);
    expect(result.waitingFor).toEqual([
      'argocd: OutOfSync/Progressing (Failed: one or more objects failed to apply; SyncError: quota exceeded)',
      'livy: Synced/Healthy at old0000',
      'spark-operator: not created yet',
    ]);
  });

  it('reads an Application without status as Unknown', () => {
    const [status] = applicationStatuses({ items: [{ metadata: { name: 'x' } }] });
    expect(status).toMatchObject({ sync: 'Unknown', health: 'Unknown', conditions: [] });
  });
});
