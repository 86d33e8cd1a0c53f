// kubectl against one kubeconfig, with JSON output parsed and failures turned into errors that
// say which command failed and what kubectl said.
import { run } from '@airspark/tools';

export interface Kubectl {
  (args: readonly string[], options?: { input?: string }): Promise<string>;
  json<T>(args: readonly string[]): Promise<T>;
  /** Like the call, but resolves with the exit code instead of throwing (for probes). */
  probe(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }>;
}

export class KubectlError extends Error {
  override readonly name = 'KubectlError';
}

export function kubectlFor(binary: string, kubeconfig: string): Kubectl {
  const argsWith = (args: readonly string[]) => ['--kubeconfig', kubeconfig, ...args];
  const call = async (args: readonly string[], options: { input?: string } = {}) => {
    const r = await run(binary, argsWith(args), options.input === undefined ? {} : { input: options.input });
    if (r.code !== 0)
      throw new KubectlError(`kubectl ${args.join(' ')} failed: ${r.stderr.trim() || `exit code ${r.code}`}`);
    return r.stdout;
  };
  const kubectl = call as Kubectl;
  kubectl.json = async <T>(args: readonly string[]) => JSON.parse(await call([...args, '-o', 'json'])) as T;
  kubectl.probe = (args) => run(binary, argsWith(args));
  return kubectl;
}
