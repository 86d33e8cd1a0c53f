// The configuration files of the cluster's daemons, as text. Pure functions of the layout, the
// network and the ports, so that tests can check each required setting without a cluster.
import {
  BRIDGE_NAME,
  CGROUP_NAME,
  type ClusterLayout,
  type ClusterNetwork,
  CNI_NETWORK,
  NODE_NAME,
} from './layout.js';

const toml = (value: string) => JSON.stringify(value);

/**
 * containerd 1.6 (Debian bookworm) with its own root, state, socket and CNI folders, so that it
 * never meets a system containerd and `down` can remove everything it wrote.
 */
export function containerdConfig(layout: ClusterLayout, sandboxImage: string): string {
  return `# Written by airspark cluster up; removed by airspark cluster down.
version = 2
root = ${toml(layout.containerdRoot)}
state = ${toml(layout.containerdState)}
# Plugins that would write outside the state folder or that nothing here uses.
disabled_plugins = ["io.containerd.internal.v1.opt", "io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.zfs", "io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing"]

[grpc]
  address = ${toml(layout.containerdSocket)}

[ttrpc]
  address = ${toml(`${layout.containerdSocket}.ttrpc`)}

[debug]
  address = ""

[metrics]
  address = ""

[plugins."io.containerd.grpc.v1.cri"]
  # No registry is reachable: the pause image is built locally and imported by \`cluster up\`.
  sandbox_image = ${toml(sandboxImage)}
  # The machine's capability bounding set lacks CAP_SYS_RESOURCE, so runc may not lower a
  # process's oom_score_adj below its parent's; without this every sandbox fails with
  # "can't get final child's PID from pipe".
  restrict_oom_score_adj = true
  # Network namespaces of pods live under the state folder, so \`down\` finds them all.
  netns_mounts_under_state_dir = true
  enable_selinux = false
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
        # runc's own state beside containerd's (its default is /run/containerd/runc).
        Root = ${toml(`${layout.containerdState}/runc`)}
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = ${toml(layout.cniConfDir)}
    max_conf_num = 1
`;
}

/** bridge + host-local + portmap + loopback (the Debian containernetworking-plugins). */
export function cniConfig(layout: ClusterLayout, network: ClusterNetwork): string {
  return `${JSON.stringify(
    {
      cniVersion: '1.0.0',
      name: CNI_NETWORK,
      plugins: [
        {
          type: 'bridge',
          bridge: BRIDGE_NAME,
          isGateway: true,
          // No masquerading: pods talk only to each other, to Services and to the node; nothing
          // leaves the machine, and no CNI-* NAT chains are created.
          ipMasq: false,
          hairpinMode: true,
          ipam: {
            type: 'host-local',
            dataDir: layout.cniDataDir,
            ranges: [[{ subnet: network.podCidr }]],
            routes: [{ dst: '0.0.0.0/0' }],
          },
        },
        { type: 'portmap', capabilities: { portMappings: true } },
      ],
    },
    null,
    2,
  )}\n`;
}

export interface KubeletFiles {
  readonly kubeconfig: string;
  readonly clientCaFile: string;
  readonly tlsCertFile: string;
  readonly tlsPrivateKeyFile: string;
}

/** KubeletConfiguration (JSON, which kubelet reads as YAML). */
export function kubeletConfig(
  layout: ClusterLayout,
  network: ClusterNetwork,
  files: KubeletFiles,
  ports: { readonly kubelet: number; readonly healthz: number },
): string {
  return `${JSON.stringify(
    {
      apiVersion: 'kubelet.config.k8s.io/v1beta1',
      kind: 'KubeletConfiguration',
      // These machines run cgroup v1, which kubelet 1.35 refuses unless told otherwise.
      failCgroupV1: false,
      cgroupDriver: 'cgroupfs',
      // Every pod's cgroup goes below the cluster's own, which `down` removes.
      cgroupRoot: `/${CGROUP_NAME}`,
      containerRuntimeEndpoint: `unix://${layout.containerdSocket}`,
      address: network.nodeIp,
      port: ports.kubelet,
      readOnlyPort: 0,
      healthzBindAddress: '127.0.0.1',
      healthzPort: ports.healthz,
      tlsCertFile: files.tlsCertFile,
      tlsPrivateKeyFile: files.tlsPrivateKeyFile,
      authentication: {
        anonymous: { enabled: false },
        webhook: { enabled: true },
        x509: { clientCAFile: files.clientCaFile },
      },
      authorization: { mode: 'Webhook' },
      clusterDomain: network.clusterDomain,
      clusterDNS: [network.dnsServiceIp],
      resolvConf: '/etc/resolv.conf',
      // Pod logs inside the state folder (kubelet's default is /var/log/pods).
      podLogsDir: layout.podLogsDir,
      failSwapOn: false,
      // Leave the host's kernel tunables alone where kubelet allows it (`down` restores the rest).
      protectKernelDefaults: false,
      // A shared development machine: evict only when really short, and never collect images
      // that were imported by hand (no registry to pull them back from).
      evictionHard: { 'memory.available': '100Mi', 'nodefs.available': '2%', 'imagefs.available': '2%' },
      imageGCHighThresholdPercent: 100,
      imageGCLowThresholdPercent: 99,
      serializeImagePulls: false,
      registerNode: true,
      rotateCertificates: false,
      serverTLSBootstrap: false,
      maxPods: 110,
    },
    null,
    2,
  )}\n`;
}

/** KubeProxyConfiguration: iptables mode, touching no host-wide conntrack or localnet settings. */
export function kubeProxyConfig(
  network: ClusterNetwork,
  kubeconfig: string,
  ports: { readonly healthz: number; readonly metrics: number },
): string {
  return `${JSON.stringify(
    {
      apiVersion: 'kubeproxy.config.k8s.io/v1alpha1',
      kind: 'KubeProxyConfiguration',
      clientConnection: { kubeconfig },
      hostnameOverride: NODE_NAME,
      mode: 'iptables',
      clusterCIDR: network.podCidr,
      bindAddress: network.nodeIp,
      healthzBindAddress: `127.0.0.1:${ports.healthz}`,
      metricsBindAddress: `127.0.0.1:${ports.metrics}`,
      // Pods sit on one L2 bridge: without masquerading, a reply from a Service's backend would go
      // straight to the client pod and skip the DNAT's reverse translation.
      iptables: { masqueradeAll: true, localhostNodePorts: false },
      // Zero means "leave as is": kube-proxy would otherwise rewrite machine-wide conntrack limits.
      conntrack: {
        maxPerCore: 0,
        min: 0,
        tcpEstablishedTimeout: '0s',
        tcpCloseWaitTimeout: '0s',
      },
    },
    null,
    2,
  )}\n`;
}

/** A kubeconfig with client-certificate credentials. */
export function kubeconfigText(spec: {
  readonly server: string;
  readonly caPem: string;
  readonly certPem: string;
  readonly keyPem: string;
  readonly user: string;
}): string {
  const b64 = (text: string) => Buffer.from(text).toString('base64');
  return `${JSON.stringify(
    {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        { name: 'airspark', cluster: { server: spec.server, 'certificate-authority-data': b64(spec.caPem) } },
      ],
      users: [
        {
          name: spec.user,
          user: { 'client-certificate-data': b64(spec.certPem), 'client-key-data': b64(spec.keyPem) },
        },
      ],
      contexts: [{ name: 'airspark', context: { cluster: 'airspark', user: spec.user } }],
      'current-context': 'airspark',
    },
    null,
    2,
  )}\n`;
}
