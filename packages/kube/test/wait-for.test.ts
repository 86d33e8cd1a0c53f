import { describe, expect, it } from 'vitest';
import { WaitTimeoutError, waitFor } from '../src/node-cluster/wait.js';

describe('waitFor', () => {
  it('returns the first value the check gives', async () => {
    let calls = 0;
    const value = await waitFor('three calls', async () => (++calls === 3 ? 'done' : undefined), {
      timeoutMs: 10_000,
      intervalMs: 10,
      log: () => {},
    });
    expect(value).toBe('done');
  });

  it('times out naming what it waited for and what it last saw', async () => {
    await expect(
      waitFor(
        'node x to be Ready',
        async (note) => {
          note('Ready=False: container runtime network not ready');
          return undefined;
        },
        { timeoutMs: 50, intervalMs: 10, log: () => {} },
      ),
    ).rejects.toThrow(
      new WaitTimeoutError(
        'node x to be Ready did not happen within 0s (last seen: Ready=False: container runtime network not ready)',
      ),
    );
  });

  it('gives up at once when a daemon it depends on has exited, and reports a failing check', async () => {
    await expect(
      waitFor('the API server', async () => undefined, {
        timeoutMs: 60_000,
        log: () => {},
        abort: () => 'kube-apiserver exited',
      }),
    ).rejects.toThrow('gave up waiting for the API server: kube-apiserver exited');
    await expect(
      waitFor(
        'etcd',
        async () => {
          throw new Error('connection refused\nmore');
        },
        { timeoutMs: 30, intervalMs: 10, log: () => {} },
      ),
    ).rejects.toThrow('(last seen: connection refused)');
  });
});
