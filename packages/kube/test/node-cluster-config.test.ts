// The local cluster's configuration, checked without starting anything: the settings this
// machine kind needs, the network choice, and the helpers `down` relies on.
import { describe, expect, it } from 'vitest';
import { cniConfig, containerdConfig, kubeletConfig, kubeProxyConfig } from '../src/node-cluster/configs.js';
import { corednsManifests, corefile } from '../src/node-cluster/coredns.js';
import { splitRule } from '../src/node-cluster/host.js';
import { clusterLayout, stateDirFromEnv } from '../src/node-cluster/layout.js';
import { chooseNetwork, nthAddress, rangesOverlap } from '../src/node-cluster/network.js';
import { certSpecs, extensionsFor } from '../src/node-cluster/pki.js';

const layout = clusterLayout('/var/lib/airspark-cluster');
const network = chooseNetwork('192.0.2.2', ['192.0.2.0/24', '0.0.0.0/0', '10.255.255.53']);
const files = { kubeconfig: '/k', clientCaFile: '/ca', tlsCertFile: '/c', tlsPrivateKeyFile: '/key' };

describe('the three settings this machine kind needs', () => {
  it('kubelet accepts cgroup v1 (failCgroupV1: false) and keeps pods in the cluster cgroup', () => {
    const config = JSON.parse(kubeletConfig(layout, network, files, { kubelet: 1, healthz: 2 }));
    expect(config.failCgroupV1).toBe(false);
    expect(config.cgroupRoot).toBe('/airspark-cluster');
    expect(config.podLogsDir).toBe('/var/lib/airspark-cluster/pod-logs');
    expect(config.clusterDNS).toEqual([network.dnsServiceIp]);
    expect(config.authentication.anonymous.enabled).toBe(false);
  });

  it('containerd restricts oom_score_adj and keeps every file under the state folder', () => {
    const toml = containerdConfig(layout, 'airspark.local/pause:1');
    expect(toml).toMatch(/^\s*restrict_oom_score_adj = true$/m);
    expect(toml).toMatch(/^\s*netns_mounts_under_state_dir = true$/m);
    expect(toml).toContain('sandbox_image = "airspark.local/pause:1"');
    expect(toml).toContain('root = "/var/lib/airspark-cluster/containerd/root"');
    expect(toml).toContain('"io.containerd.internal.v1.opt"');
  });

  it('the API server reaches kubelet by InternalIP (asserted on the start-up code)', async () => {
    const { readFile } = await import('node:fs/promises');
    const up = await readFile(new URL('../src/node-cluster/up.ts', import.meta.url), 'utf8');
    expect(up).toContain("'--kubelet-preferred-address-types=InternalIP'");
  });
});

describe('network', () => {
  it('picks private ranges that overlap nothing on the machine', () => {
    expect(network).toMatchObject({
      podCidr: '10.244.0.0/16',
      serviceCidr: '10.96.0.0/16',
      apiServiceIp: '10.96.0.1',
      dnsServiceIp: '10.96.0.10',
    });
  });

  it('moves to the next candidate when a range is taken, and fails clearly when all are', () => {
    expect(chooseNetwork('192.0.2.2', ['10.244.7.0/24']).podCidr).toBe('172.30.0.0/16');
    expect(() => chooseNetwork('192.0.2.2', ['10.0.0.0/8', '172.16.0.0/12'])).toThrow(
      /every candidate pod\/Service range overlaps a network on this machine/,
    );
  });

  it('does range arithmetic on IPv4', () => {
    expect(rangesOverlap('10.96.0.0/16', '10.96.255.255')).toBe(true);
    expect(rangesOverlap('10.96.0.0/16', '10.97.0.0/16')).toBe(false);
    expect(nthAddress('172.31.0.0/16', 10)).toBe('172.31.0.10');
    expect(() => rangesOverlap('10.0.0.0/33', '10.0.0.0/8')).toThrow('not an IPv4 CIDR');
  });
});

describe('CNI and kube-proxy', () => {
  it('uses the bridge + host-local + portmap plugins with state under the state folder, no masquerading', () => {
    const conf = JSON.parse(cniConfig(layout, network));
    expect(conf.plugins.map((p: { type: string }) => p.type)).toEqual(['bridge', 'portmap']);
    expect(conf.plugins[0]).toMatchObject({ bridge: 'airspark0', ipMasq: false, hairpinMode: true });
    expect(conf.plugins[0].ipam).toMatchObject({ type: 'host-local', dataDir: layout.cniDataDir });
  });

  it('kube-proxy leaves the host-wide conntrack and localnet settings alone', () => {
    const conf = JSON.parse(kubeProxyConfig(network, '/k', { healthz: 1, metrics: 2 }));
    expect(conf.mode).toBe('iptables');
    expect(conf.conntrack.maxPerCore).toBe(0);
    expect(conf.iptables).toEqual({ masqueradeAll: true, localhostNodePorts: false });
  });
});

describe('CoreDNS', () => {
  it('serves the cluster domain only and runs unprivileged on port 53 from the local image', () => {
    expect(corefile(network)).toContain('kubernetes cluster.local in-addr.arpa ip6.arpa');
    expect(corefile(network)).not.toContain('forward');
    const objects = corednsManifests(network, 'airspark.local/coredns:1')
      .split('\n---\n')
      .map((d) => JSON.parse(d));
    const deployment = objects.find((o) => o.kind === 'Deployment');
    const pod = deployment.spec.template.spec;
    expect(pod.containers[0]).toMatchObject({ image: 'airspark.local/coredns:1', imagePullPolicy: 'Never' });
    expect(pod.securityContext.sysctls).toEqual([
      { name: 'net.ipv4.ip_unprivileged_port_start', value: '0' },
    ]);
    expect(objects.find((o) => o.kind === 'Service').spec.clusterIP).toBe('10.96.0.10');
  });
});

describe('certificates', () => {
  it('names each component the way the Node authorizer and default RBAC expect', () => {
    const specs = Object.fromEntries(certSpecs('192.0.2.2', '10.96.0.1').map((s) => [s.name, s]));
    expect(specs['kubelet-client']?.subject).toBe('/O=system:nodes/CN=system:node:airspark-node');
    expect(specs['kube-proxy']?.subject).toBe('/CN=system:kube-proxy');
    expect(specs.apiserver?.altNames).toContain('IP:10.96.0.1');
    expect(extensionsFor(specs.apiserver as never)).toContain('extendedKeyUsage=serverAuth');
  });
});

describe('helpers', () => {
  it('splits an iptables -S rule into arguments, keeping quoted comments whole', () => {
    expect(
      splitRule('PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES'),
    ).toEqual([
      'PREROUTING',
      '-m',
      'comment',
      '--comment',
      'kubernetes service portals',
      '-j',
      'KUBE-SERVICES',
    ]);
  });

  it('reads the state folder from AIRSPARK_CLUSTER_STATE_DIR', () => {
    expect(stateDirFromEnv({})).toBe('/var/lib/airspark-cluster');
    expect(stateDirFromEnv({ AIRSPARK_CLUSTER_STATE_DIR: '/tmp/x' })).toBe('/tmp/x');
  });
});
