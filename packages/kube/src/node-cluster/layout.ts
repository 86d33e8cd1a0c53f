// Where the local cluster keeps its state, and the fixed facts of its network. Pure data: every
// file, folder and name that `cluster up` creates is derived here, so `cluster down` can find
// (and remove) exactly those.
import path from 'node:path';

/** Default state folder; everything `up` writes lives below it, and `down` removes it. */
export const DEFAULT_STATE_DIR = '/var/lib/airspark-cluster';

/** The node's name. Fixed, so that the next steps (labels, taints, nodeSelectors) can rely on it. */
export const NODE_NAME = 'airspark-node';

/** Name of the cgroup (in every cgroup v1 hierarchy) that holds every process the cluster starts. */
export const CGROUP_NAME = 'airspark-cluster';

/** The Linux bridge the CNI bridge plugin creates; `down` deletes it. */
export const BRIDGE_NAME = 'airspark0';

/** The CNI network name (it appears in CNI's own state and iptables comments). */
export const CNI_NETWORK = 'airspark';

export interface ClusterNetwork {
  /** The address kubelet and the API server advertise: the host's own address on its default route. */
  readonly nodeIp: string;
  /** Pod addresses (host-local IPAM on the bridge). */
  readonly podCidr: string;
  /** ClusterIP Service addresses. */
  readonly serviceCidr: string;
  /** The `kubernetes` Service's ClusterIP (the first address of serviceCidr). */
  readonly apiServiceIp: string;
  /** The `kube-dns` Service's ClusterIP. */
  readonly dnsServiceIp: string;
  readonly clusterDomain: string;
}

/**
 * Candidate private ranges, tried in order; the first pair that overlaps nothing on the machine
 * (routes, addresses, the host's resolvers) is used. All are inside 10.0.0.0/8 or 172.16.0.0/12,
 * so pod traffic never looks like traffic to an external address.
 */
export const NETWORK_CANDIDATES: readonly { podCidr: string; serviceCidr: string }[] = [
  { podCidr: '10.244.0.0/16', serviceCidr: '10.96.0.0/16' },
  { podCidr: '172.30.0.0/16', serviceCidr: '172.31.0.0/16' },
  { podCidr: '10.200.0.0/16', serviceCidr: '10.201.0.0/16' },
];

export interface ClusterLayout {
  readonly stateDir: string;
  /** The admin kubeconfig `up` writes (mode 0600). */
  readonly kubeconfig: string;
  /** Facts about the running cluster (ports, network, PIDs); written last by `up`. */
  readonly stateFile: string;
  /** What the machine looked like before `up` changed it (sysctls, pre-existing folders). */
  readonly hostBeforeFile: string;
  readonly pkiDir: string;
  readonly logDir: string;
  readonly etcdDir: string;
  readonly containerdRoot: string;
  readonly containerdState: string;
  readonly containerdConfig: string;
  readonly containerdSocket: string;
  readonly cniConfDir: string;
  readonly cniDataDir: string;
  readonly kubeletDir: string;
  readonly podLogsDir: string;
  readonly configDir: string;
}

export function clusterLayout(stateDir: string): ClusterLayout {
  const at = (...parts: string[]) => path.join(stateDir, ...parts);
  return {
    stateDir,
    kubeconfig: at('kubeconfig'),
    stateFile: at('cluster.json'),
    hostBeforeFile: at('host-before.json'),
    pkiDir: at('pki'),
    logDir: at('logs'),
    etcdDir: at('etcd'),
    containerdRoot: at('containerd', 'root'),
    containerdState: at('containerd', 'state'),
    containerdConfig: at('config', 'containerd.toml'),
    containerdSocket: at('containerd', 'containerd.sock'),
    cniConfDir: at('cni', 'net.d'),
    cniDataDir: at('cni', 'ipam'),
    kubeletDir: at('kubelet'),
    podLogsDir: at('pod-logs'),
    configDir: at('config'),
  };
}

/** `AIRSPARK_CLUSTER_STATE_DIR`, else DEFAULT_STATE_DIR. */
export function stateDirFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  const dir = env.AIRSPARK_CLUSTER_STATE_DIR?.trim();
  return dir ? path.resolve(dir) : DEFAULT_STATE_DIR;
}
