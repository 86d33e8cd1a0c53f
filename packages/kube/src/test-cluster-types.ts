import type { KubeConfig } from '@kubernetes/client-node';

export type ClusterMode = 'envtest' | 'kind';

/** A running API server that tests can talk to. */
export interface TestCluster {
  readonly mode: ClusterMode;
  /** Admin credentials (group system:masters) for @kubernetes/client-node. */
  readonly kubeConfig: KubeConfig;
  /** The API server's URL, e.g. https://127.0.0.1:41234. */
  readonly server: string;
  /** The same credentials as a kubeconfig file (mode 0600), for kubectl or helm. */
  readonly kubeconfigPath: string;
  /** Stops what this call started and removes its temp files. Safe to call twice. */
  stop(): Promise<void>;
}
