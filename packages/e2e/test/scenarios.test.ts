import { describe, expect, it } from 'vitest';
import {
  type E2eContext,
  type Kubectl,
  reportOf,
  runScenarios,
  type Scenario,
  selectScenarios,
} from '../src/index.js';

const scenario = (
  name: string,
  needs: string[] = [],
  run: Scenario['run'] = async () => undefined,
): Scenario => ({
  name,
  needs,
  namespaces: ['ns'],
  run,
});

/** A context whose kubectl lists one pod: the runner's bookkeeping is under test here, not a cluster. */
function contextListing(pod: string): E2eContext {
  const kubectl = (async () => '') as unknown as Kubectl;
  kubectl.json = async <T>() =>
    ({ items: [{ metadata: { name: pod, namespace: 'ns' }, status: { phase: 'Running' } }] }) as T;
  kubectl.probe = async () => ({ code: 0, stdout: '', stderr: '' });
  return {
    root: '/nowhere',
    environment: 'local',
    kubeconfig: '/nowhere/kubeconfig',
    kubectl,
    repo: {} as E2eContext['repo'],
    airspark: async () => ({ code: 0, output: '' }),
    log: () => {},
    timeoutMs: (s) => s * 1000,
  };
}

describe('runScenarios', () => {
  it('runs in order, records pods and errors, and does not run what needs a failed scenario', async () => {
    const ran: string[] = [];
    const results = await runScenarios(
      [
        scenario('a', [], async () => {
          ran.push('a');
          return { fact: 1 };
        }),
        scenario('b', ['a'], async () => {
          ran.push('b');
          throw new Error('b broke');
        }),
        scenario('c', ['b'], async () => {
          ran.push('c');
          return undefined;
        }),
      ],
      contextListing('pod-1'),
    );
    expect(ran).toEqual(['a', 'b']);
    expect(results.map((r) => [r.name, r.status, r.error])).toEqual([
      ['a', 'passed', undefined],
      ['b', 'failed', 'b broke'],
      ['c', 'failed', 'not run: b did not pass'],
    ]);
    expect(results[0]?.pods).toEqual([{ namespace: 'ns', name: 'pod-1', phase: 'Running' }]);
    expect(results[0]?.details).toEqual({ fact: 1 });
    expect(reportOf('local', new Date(0), results).passed).toBe(false);
    expect(reportOf('local', new Date(0), results.slice(0, 1)).passed).toBe(true);
  });
});

describe('selectScenarios', () => {
  const all = [scenario('a'), scenario('b', ['a']), scenario('c', ['b']), scenario('d')];
  it('adds what the named scenarios need, in run order', () => {
    expect(selectScenarios(['c'], all).map((s) => s.name)).toEqual(['a', 'b', 'c']);
    expect(selectScenarios([], all)).toHaveLength(4);
  });
  it('refuses an unknown name and lists the known ones', () => {
    expect(() => selectScenarios(['x'], all)).toThrow('no scenario x; scenarios: a, b, c, d');
  });
});
