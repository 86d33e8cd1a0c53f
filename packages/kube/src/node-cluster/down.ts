// `airspark cluster down`: stop everything `up` started and undo everything it changed, using
// only what `up` recorded (its cgroup, its state folder, the chains and paths that were not
// there before). Safe to run twice, and after a crash.
import { readdir, readlink, rm } from 'node:fs/promises';
import path from 'node:path';
import { killCgroupProcesses } from './daemons.js';
import {
  deleteChains,
  exists,
  listOurChains,
  removeCgroup,
  unmountAll,
  WELL_KNOWN_PATHS,
  writeSysctl,
} from './host.js';
import { BRIDGE_NAME, CGROUP_NAME, CNI_NETWORK, clusterLayout } from './layout.js';
import { tryCommand } from './run-command.js';
import { type HostBefore, readJson } from './state.js';

export interface ClusterDownOptions {
  readonly stateDir: string;
  readonly log: (line: string) => void;
}

export interface ClusterDownResult {
  /** Whether there was anything to remove. */
  readonly removedSomething: boolean;
  /** Things that could not be removed (empty when the machine is clean). */
  readonly leftovers: readonly string[];
}

export async function clusterDown(options: ClusterDownOptions): Promise<ClusterDownResult> {
  const { log } = options;
  const layout = clusterLayout(options.stateDir);
  const before = await readJson<HostBefore>(layout.hostBeforeFile);
  const hadState = await exists(layout.stateDir);
  const leftovers: string[] = [];
  let removedSomething = hadState;

  // 1. Every process of ours: the daemons, containerd's shims and every container, by cgroup.
  const stuck = await killCgroupProcesses();
  if (stuck.length > 0) leftovers.push(`processes that would not die: ${stuck.join(', ')}`);
  else log('stopped every process of the cluster');

  // 2. Mounts under the state folder: container root filesystems, pod volumes, network namespaces.
  const mounts = await unmountAll(layout.stateDir);
  leftovers.push(...mounts.map((m) => `mount ${m}`));

  // 3. cgroups.
  const cgroups = await removeCgroup(CGROUP_NAME);
  leftovers.push(...cgroups.map((c) => `cgroup ${c}`));

  // 4. iptables chains of kube-proxy, kubelet and CNI that were not there before `up`.
  const preexisting = new Set(before?.chains ?? []);
  const ours = (await listOurChains()).filter((key) => !preexisting.has(key));
  if (ours.length > 0) {
    removedSomething = true;
    log(`removing ${ours.length} iptables chain(s)`);
    leftovers.push(...(await deleteChains(ours)).map((c) => `iptables chain ${c}`));
  }

  // 5. The bridge (the pods' veth ends went with their network namespaces).
  if (!before?.bridgeExisted && (await exists(`/sys/class/net/${BRIDGE_NAME}`))) {
    removedSomething = true;
    if (!(await tryCommand('ip', ['link', 'delete', BRIDGE_NAME])))
      leftovers.push(`network interface ${BRIDGE_NAME}`);
  }

  // 6. Files outside the state folder: paths that did not exist before, or our entries in them.
  if (before) {
    for (const file of WELL_KNOWN_PATHS) {
      if (before.existingPaths.includes(file) || !(await exists(file))) continue;
      await rm(file, { recursive: true, force: true });
    }
  }
  await removeOwnEntries(layout.stateDir);

  // 7. Kernel tunables back to what they were.
  for (const [key, value] of Object.entries(before?.sysctls ?? {})) {
    try {
      await writeSysctl(key, value);
    } catch {
      leftovers.push(`sysctl ${key} (was ${value})`);
    }
  }

  // 8. The state folder itself (only when nothing is mounted inside it any more).
  if (mounts.length === 0) await rm(layout.stateDir, { recursive: true, force: true });
  else leftovers.push(`state folder ${layout.stateDir}`);
  return { removedSomething, leftovers };
}

/** Entries ours in folders that existed before `up`: CNI results of our network, pod log links into our state. */
async function removeOwnEntries(stateDir: string): Promise<void> {
  const results = '/var/lib/cni/results';
  for (const entry of await readdir(results).catch(() => [] as string[]))
    if (entry.startsWith(`${CNI_NETWORK}-`)) await rm(path.join(results, entry), { force: true });
  for (const entry of await readdir('/var/log/containers').catch(() => [] as string[])) {
    const link = path.join('/var/log/containers', entry);
    const target = await readlink(link).catch(() => '');
    if (target.startsWith(`${stateDir}/`)) await rm(link, { force: true });
  }
}
