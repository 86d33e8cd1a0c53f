// `airspark cluster up`: a one-node Kubernetes cluster made of real parts on this machine:
// containerd (Debian's), etcd and the Kubernetes binaries built from the Go module proxy, the
// CNI bridge plugin, kube-proxy in iptables mode and CoreDNS from a locally built image.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freeLoopbackPort } from '../free-port.js';
import { withHeartbeat } from '../heartbeat.js';
import { type BuiltImage, buildImage } from '../images/build-image.js';
import { importIntoContainerd } from '../images/import-image.js';
import type { ImageRecipe } from '../images/recipe.js';
import { findRecipes, selectRecipes } from '../images/recipes.js';
import { binaryPath, prepareClusterBinaries } from './binaries.js';
import { cniConfig, containerdConfig, kubeconfigText, kubeletConfig, kubeProxyConfig } from './configs.js';
import { corednsManifests } from './coredns.js';
import { DAEMONS_CGROUP, type Daemon, isAlive, logTail, startDaemon } from './daemons.js';
import { clusterDown } from './down.js';
import {
  addressesInUse,
  createCgroup,
  DEBIAN_PACKAGES,
  defaultRouteAddress,
  exists,
  installDebianPackages,
  listOurChains,
  missingDebianPackages,
  readSysctls,
  WELL_KNOWN_PATHS,
  writeSysctl,
} from './host.js';
import { BRIDGE_NAME, CGROUP_NAME, type ClusterLayout, clusterLayout, NODE_NAME } from './layout.js';
import { chooseNetwork } from './network.js';
import { clientPems, makePki, type Pki } from './pki.js';
import { runCommand } from './run-command.js';
import { type ClusterState, type HostBefore, readJson, writeJson } from './state.js';
import { clusterHealth } from './status.js';
import { waitFor } from './wait.js';

export interface ClusterUpOptions {
  readonly stateDir: string;
  readonly log: (line: string) => void;
  /** How long each wait (API server, node Ready, DNS) may take. Default 300 s: 2 loaded cores. */
  readonly waitTimeoutMs?: number;
}

export interface ClusterUpResult {
  readonly kubeconfig: string;
  readonly server: string;
  /** False when a healthy cluster was already up and was left as it was. */
  readonly started: boolean;
  readonly seconds: number;
}

/** The recipes folder of the cluster's own images (pause, coredns, testbox). */
export const CLUSTER_IMAGES_DIR = fileURLToPath(new URL('../../images/', import.meta.url));

export class ClusterUpError extends Error {
  override readonly name = 'ClusterUpError';
}

export async function clusterUp(options: ClusterUpOptions): Promise<ClusterUpResult> {
  const began = Date.now();
  const { log } = options;
  const layout = clusterLayout(options.stateDir);
  const timeoutMs = options.waitTimeoutMs ?? 300_000;
  if (process.platform !== 'linux')
    throw new ClusterUpError('the local cluster runs on Linux only; with Docker, use AIRSPARK_CLUSTER=kind');
  if (process.getuid?.() !== 0)
    throw new ClusterUpError(
      '`cluster up` must run as root: it starts containerd and kubelet, and changes iptables and cgroups',
    );

  const previous = await readJson<ClusterState>(layout.stateFile);
  if (previous || (await exists(layout.stateDir))) {
    const health = previous?.ready ? await clusterHealth(layout) : undefined;
    if (health?.healthy) {
      log(`a cluster is already up (${health.summary}); leaving it as it is`);
      return { kubeconfig: layout.kubeconfig, server: previous?.server ?? '', started: false, seconds: 0 };
    }
    log('found the remains of an earlier cluster that is not healthy; cleaning them up first');
    await clusterDown({ stateDir: options.stateDir, log });
  }

  const { binDir, pause, coredns } = await prepareParts(log);

  // From here on the machine changes: record what it looked like first.
  const hostBefore: HostBefore = {
    version: 1,
    sysctls: await readSysctls(),
    existingPaths: await existingPaths(WELL_KNOWN_PATHS),
    chains: await listOurChains(),
    bridgeExisted: await exists(`/sys/class/net/${BRIDGE_NAME}`),
  };
  for (const dir of [layout.stateDir, layout.logDir, layout.configDir, layout.cniConfDir, layout.kubeletDir])
    await mkdir(dir, { recursive: true, mode: 0o700 });
  await writeJson(layout.hostBeforeFile, hostBefore);

  try {
    return await startCluster(layout, binDir, pause, coredns, timeoutMs, log, began);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new ClusterUpError(
      `${message}\n\nThe cluster was left as it is for inspection (logs in ${layout.logDir}); \`airspark cluster down\` removes it.`,
    );
  }
}

/**
 * Everything `up` needs before it changes the machine: the Debian packages, the binaries and the
 * cluster's own images. CoreDNS is a large Go program: on a cold machine its build overlaps the
 * cluster's start-up, and only the last step (applying its Deployment) waits for it.
 */
async function prepareParts(log: (line: string) => void) {
  const missing = await missingDebianPackages(DEBIAN_PACKAGES);
  if (missing.length > 0) await installDebianPackages(missing, log);
  const binDir = await withHeartbeat('cluster binaries', log, () => prepareClusterBinaries(log));
  const [pauseRecipe, corednsRecipe] = selectRecipes(await findRecipes(CLUSTER_IMAGES_DIR), [
    'pause',
    'coredns',
  ]);
  const pause = await buildImage(pauseRecipe as ImageRecipe, { log });
  const coredns = buildImage(corednsRecipe as ImageRecipe, { log });
  coredns.catch(() => {}); // awaited later; keep an early failure from being "unhandled"
  return { binDir, pause, coredns };
}

/**
 * `cluster prepare`: installs the packages, builds the binaries and the cluster's images, and
 * starts nothing, so that CI can show the long cold builds as a step of their own.
 */
export async function clusterPrepare(log: (line: string) => void): Promise<void> {
  if (process.getuid?.() !== 0)
    throw new ClusterUpError(
      '`cluster prepare` must run as root: it installs Debian packages and builds images',
    );
  const { coredns } = await prepareParts(log);
  await coredns;
}

async function startCluster(
  layout: ClusterLayout,
  binDir: string,
  pause: BuiltImage,
  corednsBuild: Promise<BuiltImage>,
  timeoutMs: number,
  log: (line: string) => void,
  began: number,
): Promise<ClusterUpResult> {
  const nodeIp = await defaultRouteAddress();
  const network = chooseNetwork(nodeIp, await addressesInUse());
  log(`node ${NODE_NAME} at ${nodeIp}; pods ${network.podCidr}, Services ${network.serviceCidr}`);
  const ports = {
    etcdClient: await freeLoopbackPort(),
    etcdPeer: await freeLoopbackPort(),
    apiserver: await freeLoopbackPort(),
    kubelet: await freeLoopbackPort(),
    kubeletHealthz: await freeLoopbackPort(),
    proxyHealthz: await freeLoopbackPort(),
    proxyMetrics: await freeLoopbackPort(),
    controllerManager: await freeLoopbackPort(),
    scheduler: await freeLoopbackPort(),
  };
  const server = `https://${nodeIp}:${ports.apiserver}`;
  const daemons: Record<string, Daemon> = {};
  const saveState = (ready: boolean) =>
    writeJson(layout.stateFile, {
      version: 1,
      startedAt: new Date(began).toISOString(),
      binDir,
      network,
      server,
      ports,
      daemons: Object.fromEntries(
        Object.entries(daemons).map(([name, d]) => [name, { pid: d.pid, logFile: d.logFile }]),
      ),
      ready,
    } satisfies ClusterState);
  await saveState(false);

  const pki = await makePki(layout.pkiDir, nodeIp, network.apiServiceIp);
  const kubeconfigs = await writeKubeconfigs(layout, pki, server);

  await createCgroup(CGROUP_NAME);
  await createCgroup(DAEMONS_CGROUP);
  // Pods reach Services through the node (kube-proxy's DNAT), and bridged traffic must pass iptables.
  await writeSysctl('net/ipv4/ip_forward', '1');
  if (await exists('/proc/sys/net/bridge/bridge-nf-call-iptables'))
    await writeSysctl('net/bridge/bridge-nf-call-iptables', '1');

  const start = async (name: string, file: string, args: readonly string[]) => {
    daemons[name] = await startDaemon(name, file, args, layout.logDir);
    await saveState(false);
    return daemons[name];
  };
  const exitedDaemon = () => {
    for (const daemon of Object.values(daemons)) if (!isAlive(daemon.pid)) return `${daemon.name} exited`;
    return undefined;
  };
  const wait = async <T>(
    label: string,
    check: (note: (s: string) => void) => Promise<T | undefined>,
    logs: string[],
  ) => {
    try {
      return await waitFor(label, check, { timeoutMs, log, abort: exitedDaemon });
    } catch (error) {
      const tails = await Promise.all(
        logs.map(
          async (name) =>
            `--- last lines of ${name}'s log (${daemons[name]?.logFile}) ---\n${await logTail(daemons[name]?.logFile ?? '')}`,
        ),
      );
      throw new Error(`${(error as Error).message}\n${tails.join('\n')}`);
    }
  };

  // containerd, with the cluster's own images.
  await writeFile(layout.containerdConfig, containerdConfig(layout, pause.ref));
  await writeFile(path.join(layout.cniConfDir, '10-airspark.conflist'), cniConfig(layout, network));
  await start('containerd', 'containerd', ['--config', layout.containerdConfig]);
  await wait(
    'containerd',
    async () =>
      (await runCommand('ctr', ['--address', layout.containerdSocket, 'version'], { timeoutMs: 10_000 }))
        ? true
        : undefined,
    ['containerd'],
  );
  await importIntoContainerd(layout.containerdSocket, pause.archive);

  // etcd and the control plane.
  const etcdUrl = `https://127.0.0.1:${ports.etcdClient}`;
  const etcdCert = pki.cert('etcd');
  const etcdClient = pki.cert('apiserver-etcd-client');
  await start('etcd', binaryPath(binDir, 'etcd'), [
    `--data-dir=${layout.etcdDir}`,
    `--listen-client-urls=${etcdUrl}`,
    `--advertise-client-urls=${etcdUrl}`,
    `--listen-peer-urls=https://127.0.0.1:${ports.etcdPeer}`,
    `--initial-advertise-peer-urls=https://127.0.0.1:${ports.etcdPeer}`,
    `--initial-cluster=default=https://127.0.0.1:${ports.etcdPeer}`,
    `--peer-cert-file=${etcdCert.cert}`,
    `--peer-key-file=${etcdCert.key}`,
    `--peer-trusted-ca-file=${pki.caCert}`,
    '--peer-client-cert-auth',
    `--cert-file=${etcdCert.cert}`,
    `--key-file=${etcdCert.key}`,
    `--trusted-ca-file=${pki.caCert}`,
    '--client-cert-auth',
    // A test cluster's data is thrown away by `down`: skipping fsync makes etcd much faster on a busy disk.
    '--unsafe-no-fsync',
    '--log-level=warn',
  ]);
  const apiserverCert = pki.cert('apiserver');
  const kubeletClient = pki.cert('apiserver-kubelet-client');
  await start('kube-apiserver', binaryPath(binDir, 'kube-apiserver'), [
    `--etcd-servers=${etcdUrl}`,
    `--etcd-cafile=${pki.caCert}`,
    `--etcd-certfile=${etcdClient.cert}`,
    `--etcd-keyfile=${etcdClient.key}`,
    `--bind-address=${nodeIp}`,
    `--advertise-address=${nodeIp}`,
    `--secure-port=${ports.apiserver}`,
    `--tls-cert-file=${apiserverCert.cert}`,
    `--tls-private-key-file=${apiserverCert.key}`,
    `--client-ca-file=${pki.caCert}`,
    `--kubelet-client-certificate=${kubeletClient.cert}`,
    `--kubelet-client-key=${kubeletClient.key}`,
    `--kubelet-certificate-authority=${pki.caCert}`,
    // The node's name does not resolve on this machine; reach kubelet by its address.
    '--kubelet-preferred-address-types=InternalIP',
    `--service-cluster-ip-range=${network.serviceCidr}`,
    '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
    `--service-account-key-file=${pki.serviceAccountPub}`,
    `--service-account-signing-key-file=${pki.serviceAccountKey}`,
    '--authorization-mode=Node,RBAC',
    '--enable-admission-plugins=NodeRestriction',
    '--allow-privileged=true',
    '--anonymous-auth=false',
    '--profiling=false',
  ]);
  const adminApi = await adminClient(layout);
  await wait(
    'the API server',
    async (note) => {
      const answer = await runCommand(adminApi.kubectl, [...adminApi.args, 'get', '--raw=/readyz'], {
        timeoutMs: 20_000,
      }).catch((error: Error) => {
        note(error.message.split('\n').at(-1) ?? '');
        return '';
      });
      return answer.trim() === 'ok' ? true : undefined;
    },
    ['kube-apiserver', 'etcd'],
  );
  log(`API server ready at ${server}`);

  await start('kube-controller-manager', binaryPath(binDir, 'kube-controller-manager'), [
    `--kubeconfig=${kubeconfigs.controllerManager}`,
    `--authentication-kubeconfig=${kubeconfigs.controllerManager}`,
    `--authorization-kubeconfig=${kubeconfigs.controllerManager}`,
    '--bind-address=127.0.0.1',
    `--secure-port=${ports.controllerManager}`,
    '--leader-elect=false',
    '--use-service-account-credentials=true',
    `--service-account-private-key-file=${pki.serviceAccountKey}`,
    `--root-ca-file=${pki.caCert}`,
    `--cluster-cidr=${network.podCidr}`,
    `--service-cluster-ip-range=${network.serviceCidr}`,
    '--allocate-node-cidrs=false',
    '--profiling=false',
  ]);
  await start('kube-scheduler', binaryPath(binDir, 'kube-scheduler'), [
    `--kubeconfig=${kubeconfigs.scheduler}`,
    `--authentication-kubeconfig=${kubeconfigs.scheduler}`,
    `--authorization-kubeconfig=${kubeconfigs.scheduler}`,
    '--bind-address=127.0.0.1',
    `--secure-port=${ports.scheduler}`,
    '--leader-elect=false',
    '--profiling=false',
  ]);

  // The node.
  const kubeletFile = path.join(layout.configDir, 'kubelet.json');
  const kubeletCert = pki.cert('kubelet');
  await writeFile(
    kubeletFile,
    kubeletConfig(
      layout,
      network,
      {
        kubeconfig: kubeconfigs.kubelet,
        clientCaFile: pki.caCert,
        tlsCertFile: kubeletCert.cert,
        tlsPrivateKeyFile: kubeletCert.key,
      },
      { kubelet: ports.kubelet, healthz: ports.kubeletHealthz },
    ),
  );
  await start('kubelet', binaryPath(binDir, 'kubelet'), [
    `--config=${kubeletFile}`,
    `--kubeconfig=${kubeconfigs.kubelet}`,
    `--root-dir=${layout.kubeletDir}`,
    `--hostname-override=${NODE_NAME}`,
    `--node-ip=${nodeIp}`,
    '--v=1',
  ]);
  const proxyFile = path.join(layout.configDir, 'kube-proxy.json');
  await writeFile(
    proxyFile,
    kubeProxyConfig(network, kubeconfigs.kubeProxy, {
      healthz: ports.proxyHealthz,
      metrics: ports.proxyMetrics,
    }),
  );
  await start('kube-proxy', binaryPath(binDir, 'kube-proxy'), [`--config=${proxyFile}`]);

  await wait(
    `node ${NODE_NAME} to be Ready`,
    async (note) => {
      const out = await runCommand(adminApi.kubectl, [
        ...adminApi.args,
        'get',
        'node',
        NODE_NAME,
        '-o',
        'jsonpath={.status.conditions[?(@.type=="Ready")].status} {.status.conditions[?(@.type=="Ready")].message}',
      ]);
      note(out.trim() || 'not registered yet');
      return out.startsWith('True') ? true : undefined;
    },
    ['kubelet', 'containerd'],
  );
  log(`node ${NODE_NAME} is Ready`);

  const coredns = await withHeartbeat('the CoreDNS image', log, () => corednsBuild);
  await importIntoContainerd(layout.containerdSocket, coredns.archive);
  const manifests = path.join(layout.configDir, 'coredns.yaml');
  await writeFile(manifests, corednsManifests(network, coredns.ref));
  await runCommand(adminApi.kubectl, [...adminApi.args, 'apply', '--server-side', '-f', manifests]);
  await wait(
    'CoreDNS to answer for the cluster domain',
    async (note) => {
      const ready = await runCommand(adminApi.kubectl, [
        ...adminApi.args,
        '-n',
        'kube-system',
        'get',
        'deployment',
        'coredns',
        '-o',
        'jsonpath={.status.readyReplicas}',
      ]);
      if (ready.trim() !== '1') {
        note('the CoreDNS pod is not ready yet');
        return undefined;
      }
      const addresses = await resolveWith(
        network.dnsServiceIp,
        `kubernetes.default.svc.${network.clusterDomain}`,
      );
      note(`kubernetes.default resolves to ${addresses.join(', ') || 'nothing'}`);
      return addresses.includes(network.apiServiceIp) ? true : undefined;
    },
    ['kubelet', 'kube-proxy', 'containerd'],
  );
  log(`DNS works: kubernetes.default.svc.${network.clusterDomain} resolves through ${network.dnsServiceIp}`);
  await saveState(true);
  return {
    kubeconfig: layout.kubeconfig,
    server,
    started: true,
    seconds: Math.round((Date.now() - began) / 1000),
  };
}

async function existingPaths(paths: readonly string[]): Promise<string[]> {
  const found: string[] = [];
  for (const file of paths) if (await exists(file)) found.push(file);
  return found;
}

async function resolveWith(server: string, name: string): Promise<string[]> {
  const { Resolver } = await import('node:dns/promises');
  const resolver = new Resolver({ timeout: 2000, tries: 1 });
  resolver.setServers([server]);
  try {
    return await resolver.resolve4(name);
  } catch {
    return [];
  }
}

async function writeKubeconfigs(layout: ClusterLayout, pki: Pki, server: string) {
  const write = async (file: string, name: Parameters<Pki['cert']>[0], user: string) => {
    await writeFile(file, kubeconfigText({ server, user, ...(await clientPems(pki, name)) }), {
      mode: 0o600,
    });
    return file;
  };
  const at = (name: string) => path.join(layout.configDir, `${name}.kubeconfig`);
  return {
    admin: await write(layout.kubeconfig, 'admin', 'airspark-admin'),
    controllerManager: await write(
      at('controller-manager'),
      'controller-manager',
      'system:kube-controller-manager',
    ),
    scheduler: await write(at('scheduler'), 'scheduler', 'system:kube-scheduler'),
    kubelet: await write(at('kubelet'), 'kubelet-client', `system:node:${NODE_NAME}`),
    kubeProxy: await write(at('kube-proxy'), 'kube-proxy', 'system:kube-proxy'),
  };
}

/** kubectl with the admin kubeconfig, from the cluster's binaries (state file). */
export async function adminClient(layout: ClusterLayout): Promise<{ kubectl: string; args: string[] }> {
  const state = await readJson<ClusterState>(layout.stateFile);
  if (!state) throw new Error(`no cluster state in ${layout.stateFile}`);
  return {
    kubectl: binaryPath(state.binDir, 'kubectl'),
    args: ['--kubeconfig', layout.kubeconfig, '--request-timeout=15s'],
  };
}
