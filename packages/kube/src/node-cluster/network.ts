// IPv4 range arithmetic for choosing the cluster's pod and Service ranges. Pure functions.
import { type ClusterNetwork, NETWORK_CANDIDATES } from './layout.js';

interface Range {
  readonly start: number;
  readonly end: number;
}

function parseAddress(text: string): number {
  const parts = text.split('.').map((part) => Number(part));
  if (parts.length !== 4 || parts.some((part) => !Number.isInteger(part) || part < 0 || part > 255))
    throw new Error(`not an IPv4 address: ${text}`);
  return (((parts[0] ?? 0) << 24) | ((parts[1] ?? 0) << 16) | ((parts[2] ?? 0) << 8) | (parts[3] ?? 0)) >>> 0;
}

function formatAddress(value: number): string {
  return [24, 16, 8, 0].map((shift) => (value >>> shift) & 255).join('.');
}

/** `10.96.0.0/16` (or a bare address, a /32) as an inclusive numeric range. */
export function parseCidr(cidr: string): Range {
  const [address, bitsText] = cidr.split('/');
  const bits = bitsText === undefined ? 32 : Number(bitsText);
  if (!Number.isInteger(bits) || bits < 0 || bits > 32) throw new Error(`not an IPv4 CIDR: ${cidr}`);
  const size = 2 ** (32 - bits);
  const start = Math.floor(parseAddress(address ?? '') / size) * size;
  return { start, end: start + size - 1 };
}

export function rangesOverlap(a: string, b: string): boolean {
  const ra = parseCidr(a);
  const rb = parseCidr(b);
  return ra.start <= rb.end && rb.start <= ra.end;
}

/** The `n`th address of a range: `nthAddress('10.96.0.0/16', 10)` is 10.96.0.10. */
export function nthAddress(cidr: string, n: number): string {
  return formatAddress(parseCidr(cidr).start + n);
}

/**
 * The first candidate pair of ranges that overlaps none of `inUse` (the machine's routes,
 * addresses and resolvers, as CIDRs or addresses), as the cluster's network.
 */
export function chooseNetwork(nodeIp: string, inUse: readonly string[]): ClusterNetwork {
  // The default route (0.0.0.0/0) overlaps everything and says nothing about what is taken.
  const taken = inUse.filter((cidr) => !cidr.endsWith('/0'));
  for (const candidate of NETWORK_CANDIDATES) {
    const clash = taken.find(
      (cidr) => rangesOverlap(cidr, candidate.podCidr) || rangesOverlap(cidr, candidate.serviceCidr),
    );
    if (clash) continue;
    return {
      nodeIp,
      podCidr: candidate.podCidr,
      serviceCidr: candidate.serviceCidr,
      apiServiceIp: nthAddress(candidate.serviceCidr, 1),
      dnsServiceIp: nthAddress(candidate.serviceCidr, 10),
      clusterDomain: 'cluster.local',
    };
  }
  throw new Error(
    `every candidate pod/Service range overlaps a network on this machine (${taken.join(', ')}); ` +
      `add a free private pair to NETWORK_CANDIDATES in packages/kube/src/node-cluster/layout.ts.`,
  );
}
