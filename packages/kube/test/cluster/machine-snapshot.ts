// What the local cluster may leave on the machine, gathered in one comparable object: the
// `down` test takes one before `up` and one after `down` and expects them to be equal.
import {
  existingCgroups,
  exists,
  listOurChains,
  mountsUnder,
  processesInCgroup,
  readSysctls,
  WELL_KNOWN_PATHS,
} from '../../src/node-cluster/host.js';
import { BRIDGE_NAME, CGROUP_NAME } from '../../src/node-cluster/layout.js';

export interface MachineSnapshot {
  readonly processes: readonly number[];
  readonly cgroups: readonly string[];
  readonly iptablesChains: readonly string[];
  readonly mounts: readonly string[];
  readonly paths: readonly string[];
  readonly bridge: boolean;
  readonly stateDir: boolean;
  readonly sysctls: Readonly<Record<string, string>>;
}

export async function machineSnapshot(stateDir: string): Promise<MachineSnapshot> {
  const paths: string[] = [];
  for (const file of WELL_KNOWN_PATHS) if (await exists(file)) paths.push(file);
  return {
    processes: (await processesInCgroup(CGROUP_NAME)).sort(),
    cgroups: await existingCgroups(CGROUP_NAME),
    iptablesChains: (await listOurChains()).sort(),
    mounts: await mountsUnder(stateDir),
    paths,
    bridge: await exists(`/sys/class/net/${BRIDGE_NAME}`),
    stateDir: await exists(stateDir),
    sysctls: await readSysctls(),
  };
}
