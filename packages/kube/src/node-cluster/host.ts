// What the cluster changes on the machine outside its state folder, and how to see and undo it:
// Debian packages, kernel tunables, cgroups, mounts, iptables chains and a few well-known paths.
import { access, mkdir, readdir, readFile, rm, rmdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { runCommand, tryCommand } from './run-command.js';

/** Debian packages `cluster up` needs (`apt-get install` names). */
export const DEBIAN_PACKAGES = [
  'containerd',
  'runc',
  'containernetworking-plugins',
  'iptables',
  'conntrack',
  'iproute2',
  'openssl',
  'umoci',
  'skopeo',
  'mmdebstrap',
  'unzip',
] as const;

/** The packages among `names` that dpkg does not list as installed. */
export async function missingDebianPackages(names: readonly string[]): Promise<string[]> {
  const missing: string[] = [];
  for (const name of names) {
    try {
      // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own format syntax
      const status = await runCommand('dpkg-query', ['-W', '-f=${Status}', name]);
      if (!status.includes('install ok installed')) missing.push(name);
    } catch {
      missing.push(name);
    }
  }
  return missing;
}

/** `apt-get update` then `apt-get install` of the missing packages (non-interactive). */
export async function installDebianPackages(
  names: readonly string[],
  log: (line: string) => void,
): Promise<void> {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  log(`installing Debian packages: ${names.join(' ')} (apt-get update first)`);
  // Another apt-get (a parallel test package installing the same tools) may hold dpkg's lock: wait.
  const lock = ['-o', 'DPkg::Lock::Timeout=600'];
  await runCommand('apt-get', [...lock, 'update', '-q'], { env });
  let unpacked = 0;
  await runCommand('apt-get', [...lock, 'install', '-y', '-q', '--no-install-recommends', ...names], {
    env,
    onLine: (line) => {
      if (line.startsWith('Unpacking ')) log(`  apt: ${line.trim()} (${++unpacked})`);
    },
  });
}

/**
 * Kernel tunables that kubelet, kube-proxy or `up` itself set machine-wide. `up` records them
 * before it starts anything, and `down` puts them back.
 */
export const TOUCHED_SYSCTLS = [
  'net/ipv4/ip_forward',
  'net/bridge/bridge-nf-call-iptables',
  'net/bridge/bridge-nf-call-ip6tables',
  'net/ipv4/conf/all/route_localnet',
  'vm/overcommit_memory',
  'vm/panic_on_oom',
  'kernel/panic',
  'kernel/panic_on_oops',
  'kernel/keys/root_maxkeys',
  'kernel/keys/root_maxbytes',
] as const;

/** Paths that kubelet, containerd or CNI create outside the state folder when absent. */
export const WELL_KNOWN_PATHS = [
  '/var/lib/cni',
  '/var/log/containers',
  '/var/log/pods',
  '/run/containerd',
  '/run/netns',
  '/var/run/netns',
  '/etc/cni',
  '/opt/cni',
  '/opt/containerd',
  '/var/lib/kubelet',
  '/etc/kubernetes',
] as const;

export async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}

export async function readSysctls(): Promise<Record<string, string>> {
  const values: Record<string, string> = {};
  for (const key of TOUCHED_SYSCTLS) {
    try {
      values[key] = (await readFile(path.join('/proc/sys', key), 'utf8')).trim();
    } catch {
      // Not present on this kernel (br_netfilter not loaded, for example).
    }
  }
  return values;
}

export async function writeSysctl(key: string, value: string): Promise<void> {
  await writeFile(path.join('/proc/sys', key), `${value}\n`);
}

// ---- cgroups ---------------------------------------------------------------------------------

const CGROUP_ROOT = '/sys/fs/cgroup';

/**
 * The cgroup hierarchies mounted under /sys/fs/cgroup on a cgroup v1 machine: every v1 hierarchy
 * (cpu, memory, pids, systemd...) and, in the "hybrid" layout, the v2 tree at
 * /sys/fs/cgroup/unified, where runc mirrors each container's cgroup too.
 */
export async function cgroupV1Hierarchies(): Promise<string[]> {
  const mountinfo = await readFile('/proc/self/mountinfo', 'utf8');
  const found: string[] = [];
  for (const line of mountinfo.split('\n')) {
    const [before, after] = line.split(' - ');
    if (!before || !after) continue;
    const mountPoint = unescapeMount(before.split(' ')[4] ?? '');
    const isCgroup = after.startsWith('cgroup ') || after.startsWith('cgroup2 ');
    if (isCgroup && path.dirname(mountPoint) === CGROUP_ROOT) found.push(mountPoint);
  }
  return found;
}

/** Creates `<hierarchy>/<name>` in every v1 hierarchy (cpuset needs its CPUs and memory nodes copied). */
export async function createCgroup(name: string): Promise<void> {
  for (const hierarchy of await cgroupV1Hierarchies()) {
    const dir = path.join(hierarchy, name);
    await mkdir(dir, { recursive: true });
    if (path.basename(hierarchy).split(',').includes('cpuset')) {
      for (const file of ['cpuset.cpus', 'cpuset.mems']) {
        const parentValue = (await readFile(path.join(path.dirname(dir), file), 'utf8')).trim();
        const own = (await readFile(path.join(dir, file), 'utf8')).trim();
        if (!own) await writeFile(path.join(dir, file), parentValue);
      }
    }
  }
}

/** Every cgroup folder below `<hierarchy>/<name>` (itself included), deepest first. */
async function cgroupTree(dir: string): Promise<string[]> {
  let entries: import('node:fs').Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  const children = await Promise.all(
    entries.filter((entry) => entry.isDirectory()).map((entry) => cgroupTree(path.join(dir, entry.name))),
  );
  return [...children.flat(), dir];
}

/** The PIDs of every process in `<hierarchy>/<name>` or below it, over all v1 hierarchies. */
export async function processesInCgroup(name: string): Promise<number[]> {
  const pids = new Set<number>();
  for (const hierarchy of await cgroupV1Hierarchies()) {
    for (const dir of await cgroupTree(path.join(hierarchy, name))) {
      try {
        for (const line of (await readFile(path.join(dir, 'cgroup.procs'), 'utf8')).split('\n'))
          if (line.trim()) pids.add(Number(line));
      } catch {
        // Removed meanwhile.
      }
    }
  }
  return [...pids];
}

/** The cgroup folders named `name` that exist (in any hierarchy). */
export async function existingCgroups(name: string): Promise<string[]> {
  const found: string[] = [];
  for (const hierarchy of await cgroupV1Hierarchies())
    if (await exists(path.join(hierarchy, name))) found.push(path.join(hierarchy, name));
  return found;
}

/** Removes `<hierarchy>/<name>` and everything below it (must hold no processes). */
export async function removeCgroup(name: string): Promise<string[]> {
  const left: string[] = [];
  for (const hierarchy of await cgroupV1Hierarchies()) {
    for (const dir of await cgroupTree(path.join(hierarchy, name))) {
      try {
        await rmdir(dir);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') left.push(dir);
      }
    }
  }
  return left;
}

// ---- mounts ----------------------------------------------------------------------------------

function unescapeMount(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)));
}

/** Mount points at or below `prefix` in this mount namespace, deepest first. */
export async function mountsUnder(prefix: string): Promise<string[]> {
  const mountinfo = await readFile('/proc/self/mountinfo', 'utf8');
  const found = new Set<string>();
  for (const line of mountinfo.split('\n')) {
    const mountPoint = unescapeMount(line.split(' ')[4] ?? '');
    if (mountPoint === prefix || mountPoint.startsWith(`${prefix}/`)) found.add(mountPoint);
  }
  return [...found].sort((a, b) => b.length - a.length);
}

/** Unmounts everything at or below `prefix`; returns what could not be unmounted. */
export async function unmountAll(prefix: string): Promise<string[]> {
  for (let round = 0; round < 5; round++) {
    const mounts = await mountsUnder(prefix);
    if (mounts.length === 0) return [];
    for (const mount of mounts)
      if (!(await tryCommand('umount', [mount]))) await tryCommand('umount', ['--lazy', mount]);
  }
  return mountsUnder(prefix);
}

// ---- iptables --------------------------------------------------------------------------------

export const IPTABLES_COMMANDS = ['iptables', 'ip6tables'] as const;
export const IPTABLES_TABLES = ['filter', 'nat', 'mangle'] as const;
/** Chain prefixes of kube-proxy, kubelet and the CNI plugins. */
export const OUR_CHAIN_PREFIXES = ['KUBE-', 'CNI-'] as const;

export const chainKey = (command: string, table: string, chain: string) => `${command}/${table}/${chain}`;

/** Every chain with one of OUR_CHAIN_PREFIXES, as `command/table/chain` keys. */
export async function listOurChains(): Promise<string[]> {
  const keys: string[] = [];
  for (const command of IPTABLES_COMMANDS) {
    for (const table of IPTABLES_TABLES) {
      let rules: string;
      try {
        rules = await runCommand(command, ['-w', '-t', table, '-S']);
      } catch {
        continue; // no such command or table on this machine
      }
      for (const line of rules.split('\n')) {
        const chain = /^-N (\S+)$/.exec(line)?.[1];
        if (chain && OUR_CHAIN_PREFIXES.some((prefix) => chain.startsWith(prefix)))
          keys.push(chainKey(command, table, chain));
      }
    }
  }
  return keys;
}

/**
 * Deletes the chains named by `keys`: first every rule anywhere in the table that jumps to one
 * of them, then their rules, then the chains.
 */
export async function deleteChains(keys: readonly string[]): Promise<string[]> {
  const byTable = new Map<string, Set<string>>();
  for (const key of keys) {
    const [command, table, chain] = key.split('/') as [string, string, string];
    const tableKey = `${command}/${table}`;
    if (!byTable.has(tableKey)) byTable.set(tableKey, new Set());
    byTable.get(tableKey)?.add(chain);
  }
  for (const [tableKey, chains] of byTable) {
    const [command, table] = tableKey.split('/') as [string, string];
    const rules = await runCommand(command, ['-w', '-t', table, '-S']);
    for (const line of rules.split('\n')) {
      const match = /^-A (\S+) (.*)$/.exec(line);
      if (!match?.[1] || !match[2]) continue;
      const target = /(?:^| )-[jg] (\S+)/.exec(match[2])?.[1];
      if (target && chains.has(target) && !chains.has(match[1]))
        await tryCommand(command, ['-w', '-t', table, '-D', match[1], ...splitRule(match[2])]);
    }
    for (const chain of chains) await tryCommand(command, ['-w', '-t', table, '-F', chain]);
    for (const chain of chains) await tryCommand(command, ['-w', '-t', table, '-X', chain]);
  }
  const remaining = new Set(await listOurChains());
  return keys.filter((key) => remaining.has(key));
}

/** Splits an `iptables -S` rule into arguments, honouring its double quotes (comments). */
export function splitRule(rule: string): string[] {
  const args: string[] = [];
  const pattern = /"((?:[^"\\]|\\.)*)"|(\S+)/g;
  for (let match = pattern.exec(rule); match; match = pattern.exec(rule))
    args.push(match[1] !== undefined ? match[1].replace(/\\(.)/g, '$1') : (match[2] ?? ''));
  return args;
}

// ---- addresses -------------------------------------------------------------------------------

interface IpRoute {
  readonly dst?: string;
  readonly prefsrc?: string;
  readonly dev?: string;
}
interface IpAddress {
  readonly ifname?: string;
  readonly addr_info?: readonly {
    readonly family?: string;
    readonly local?: string;
    readonly prefixlen?: number;
  }[];
}

/** The host's address on its default route (what kubelet advertises as the node's InternalIP). */
export async function defaultRouteAddress(): Promise<string> {
  const routes = JSON.parse(await runCommand('ip', ['-4', '-j', 'route', 'show', 'default'])) as IpRoute[];
  const dev = routes[0]?.dev;
  const addresses = JSON.parse(await runCommand('ip', ['-4', '-j', 'addr', 'show'])) as IpAddress[];
  const onDev = addresses.find((entry) => entry.ifname === dev)?.addr_info?.find((a) => a.family === 'inet');
  const anyGlobal = addresses
    .filter((entry) => entry.ifname !== 'lo')
    .flatMap((entry) => entry.addr_info ?? [])
    .find((a) => a.family === 'inet' && a.local);
  const address = onDev?.local ?? anyGlobal?.local;
  if (!address)
    throw new Error('this machine has no IPv4 address besides loopback; the cluster needs one for its node');
  return address;
}

/** Ranges and addresses in use on the machine: routes, interface addresses, resolvers. */
export async function addressesInUse(): Promise<string[]> {
  const routes = JSON.parse(
    await runCommand('ip', ['-4', '-j', 'route', 'show', 'table', 'all']),
  ) as IpRoute[];
  const addresses = JSON.parse(await runCommand('ip', ['-4', '-j', 'addr', 'show'])) as IpAddress[];
  const inUse = new Set<string>();
  for (const route of routes) if (route.dst && /^\d/.test(route.dst)) inUse.add(route.dst);
  for (const entry of addresses)
    for (const a of entry.addr_info ?? []) if (a.local) inUse.add(`${a.local}/${a.prefixlen ?? 32}`);
  try {
    const resolv = await readFile('/etc/resolv.conf', 'utf8');
    for (const match of resolv.matchAll(/^nameserver\s+(\d+\.\d+\.\d+\.\d+)/gm))
      if (match[1]) inUse.add(match[1]);
  } catch {
    // No resolv.conf: nothing to avoid.
  }
  return [...inUse];
}

export async function removeQuietly(file: string): Promise<void> {
  await rm(file, { recursive: true, force: true });
}
