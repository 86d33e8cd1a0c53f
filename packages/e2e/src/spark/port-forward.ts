// kubectl port-forward to a Service, for a client on the host (Airflow's Livy connection).
import { spawn } from 'node:child_process';

export interface PortForward {
  readonly url: string;
  stop(): void;
}

/** Forwards a free loopback port to `svc/<service>:<port>`; resolves once kubectl says where. */
export function portForward(
  kubectlBinary: string,
  kubeconfig: string,
  namespace: string,
  service: string,
  port: number,
): Promise<PortForward> {
  const child = spawn(
    kubectlBinary,
    [
      '--kubeconfig',
      kubeconfig,
      'port-forward',
      '-n',
      namespace,
      `svc/${service}`,
      `:${port}`,
      '--address',
      '127.0.0.1',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  return new Promise((resolve, reject) => {
    let said = '';
    const onData = (b: Buffer) => {
      said += b.toString();
      const m = /Forwarding from 127\.0\.0\.1:(\d+)/.exec(said);
      if (m) resolve({ url: `http://127.0.0.1:${m[1]}`, stop: () => child.kill('SIGTERM') });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) =>
      reject(new Error(`kubectl port-forward svc/${service} exited ${code}: ${said.trim()}`)),
    );
  });
}
