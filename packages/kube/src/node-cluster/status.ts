// `airspark cluster status`: is the cluster up, and is it well?
import { binaryPath } from './binaries.js';
import { isAlive } from './daemons.js';
import { type ClusterLayout, NODE_NAME } from './layout.js';
import { runCommand } from './run-command.js';
import { type ClusterState, readJson } from './state.js';

export interface ClusterHealth {
  readonly state: 'down' | 'up' | 'unhealthy';
  readonly healthy: boolean;
  readonly summary: string;
  readonly kubeconfig?: string;
  readonly server?: string;
  readonly daemons: Readonly<Record<string, 'running' | 'exited'>>;
}

export async function clusterHealth(layout: ClusterLayout): Promise<ClusterHealth> {
  const state = await readJson<ClusterState>(layout.stateFile);
  if (!state) return { state: 'down', healthy: false, summary: 'no cluster is up', daemons: {} };
  const daemons = Object.fromEntries(
    Object.entries(state.daemons).map(([name, d]) => [name, isAlive(d.pid) ? 'running' : 'exited'] as const),
  );
  const exited = Object.entries(daemons)
    .filter(([, s]) => s === 'exited')
    .map(([n]) => n);
  let nodeReady = 'unknown';
  try {
    nodeReady =
      (
        await runCommand(
          binaryPath(state.binDir, 'kubectl'),
          [
            '--kubeconfig',
            layout.kubeconfig,
            '--request-timeout=10s',
            'get',
            'node',
            NODE_NAME,
            '-o',
            'jsonpath={.status.conditions[?(@.type=="Ready")].status}',
          ],
          { timeoutMs: 20_000 },
        )
      ).trim() || 'unknown';
  } catch (error) {
    nodeReady = `API server unreachable (${(error as Error).message.split('\n').at(-1)})`;
  }
  const healthy = state.ready && exited.length === 0 && nodeReady === 'True';
  const summary = healthy
    ? `node ${NODE_NAME} Ready, API server ${state.server}`
    : `${state.ready ? '' : 'start-up did not finish; '}${exited.length > 0 ? `exited: ${exited.join(', ')}; ` : ''}node Ready: ${nodeReady}`;
  return {
    state: healthy ? 'up' : 'unhealthy',
    healthy,
    summary,
    kubeconfig: layout.kubeconfig,
    server: state.server,
    daemons,
  };
}
