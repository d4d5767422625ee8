import { lookup as dnsLookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/**
 * Where the bot may download a PoE file from. A link on an activity is chosen by whoever sends the
 * activity, so without a rule the bot fetches anything: its own port, the embedded stores, the cloud's
 * metadata service. The rule is decided before any byte is requested, on every redirect hop, and on the
 * addresses the name resolves to; the connection then goes to the address that was checked (see
 * PoeDownloadTarget), so a DNS answer that changes between check and connect does not matter.
 */

export type Resolver = (hostname: string) => Promise<{ address: string; family: number }[]>;

export interface PoeDownloadPolicy {
  /** http links: only for local use (the Agents Playground); PoE files are confidential. */
  httpAllowed: boolean;
  /** Host patterns a link may name; undefined: any name (local use). IP literals never match a pattern. */
  hosts?: string[];
  /**
   * Loopback addresses: 'none' with an app id; 'any' for local use (the Playground serves files on
   * loopback); or only some ports (tests, where one loopback server stands in for SharePoint).
   * Every other non-public address (private, link-local, metadata, ...) is refused in every mode.
   */
  loopback: 'none' | 'any' | { ports: number[] };
  /** The ports of this process and its embedded stores: never a download target on a loopback address. */
  forbiddenPorts: ReadonlySet<number>;
  /** DNS; tests give their own answers. */
  resolve?: Resolver;
}

/** The production policy: with an app id the strict one, without (local use) the relaxed one. */
export function poeDownloadPolicy(config: { anonymous: boolean; hosts: string[] }, forbiddenPorts: ReadonlySet<number>): PoeDownloadPolicy {
  return config.anonymous
    ? { httpAllowed: true, loopback: 'any', forbiddenPorts }
    : { httpAllowed: false, hosts: config.hosts, loopback: 'none', forbiddenPorts };
}

/**
 * Addresses no PoE file is fetched from, in any mode. IPv4-mapped IPv6 (::ffff:a.b.c.d) is matched
 * against the IPv4 rules by BlockList itself; the other IPv6 forms that carry an IPv4 address
 * (IPv4-compatible, NAT64, 6to4, Teredo) are refused whole, as SharePoint is never reached through them.
 */
const NOT_PUBLIC = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], // "this network", unspecified
  ['10.0.0.0', 8], // RFC 1918
  ['100.64.0.0', 10], // CGNAT (also Alibaba's metadata, 100.100.100.200)
  ['127.0.0.0', 8], // loopback (allowed separately for local use)
  ['169.254.0.0', 16], // link-local, cloud metadata 169.254.169.254
  ['172.16.0.0', 12], // RFC 1918
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.168.0.0', 16], // RFC 1918
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const)
  NOT_PUBLIC.addSubnet(network, prefix, 'ipv4');
NOT_PUBLIC.addAddress('168.63.129.16', 'ipv4'); // Azure's platform endpoint (wireserver, DNS)
for (const [network, prefix] of [
  ['::', 96], // unspecified, IPv4-compatible
  ['::1', 128], // loopback
  ['64:ff9b::', 96], // NAT64
  ['64:ff9b:1::', 48], // local-use NAT64
  ['100::', 64], // discard
  ['2001::', 32], // Teredo
  ['2001:db8::', 32], // documentation
  ['2002::', 16], // 6to4
  ['fc00::', 7], // unique local (also AWS's metadata fd00:ec2::254)
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated)
  ['ff00::', 8], // multicast
] as const)
  NOT_PUBLIC.addSubnet(network, prefix, 'ipv6');

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4'); // and ::ffff:127.x.x.x
LOOPBACK.addAddress('::1', 'ipv6');

const familyName = (address: string): 'ipv4' | 'ipv6' => (isIP(address) === 6 ? 'ipv6' : 'ipv4');

/** Why `address` is not a download target, or undefined when it is. */
export function addressRefusal(address: string, port: number, policy: Pick<PoeDownloadPolicy, 'loopback' | 'forbiddenPorts'>): string | undefined {
  const type = familyName(address);
  if (LOOPBACK.check(address, type)) {
    const { loopback } = policy;
    if (policy.forbiddenPorts.has(port)) return `${address} port ${port}, which belongs to the bot or its embedded stores`;
    if (loopback === 'any' || (loopback !== 'none' && loopback.ports.includes(port))) return undefined;
    return `${address} is a loopback address`;
  }
  if (NOT_PUBLIC.check(address, type)) return `${address} is not a public address`;
  return undefined;
}

export function hostAllowed(hostname: string, patterns: string[]): boolean {
  return patterns.some((pattern) => (pattern.startsWith('*.') ? hostname.endsWith(pattern.slice(1)) : hostname === pattern));
}

/** A link that passed the policy, and the one address the connection must go to. */
export interface PoeDownloadTarget {
  url: URL;
  address: string;
  family: 4 | 6;
}

export type TargetCheck = { ok: true; target: PoeDownloadTarget } | { ok: false; detail: string };

/** Decides whether `link` may be fetched. Resolves the name once; never throws. */
export async function checkDownloadTarget(link: string, policy: PoeDownloadPolicy): Promise<TargetCheck> {
  let url: URL;
  try {
    url = new URL(link);
  } catch {
    return { ok: false, detail: 'the link is not a valid URL' };
  }
  if (!(url.protocol === 'https:' || (url.protocol === 'http:' && policy.httpAllowed))) {
    return { ok: false, detail: `only ${policy.httpAllowed ? 'http and https' : 'https'} links are accepted (got ${url.protocol})` };
  }
  if (url.username || url.password) return { ok: false, detail: 'the link carries a user name or password' };
  // WHATWG URL parsing already turned "0x7f.1" or "2130706433" into 127.0.0.1; brackets and a final dot go here.
  const hostname = url.hostname
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '')
    .toLowerCase();
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  if (policy.hosts && (isIP(hostname) || !hostAllowed(hostname, policy.hosts))) {
    return { ok: false, detail: `${hostname} is not one of the file hosts allowed (${policy.hosts.join(', ')})` };
  }
  let addresses: { address: string; family: number }[];
  if (isIP(hostname)) {
    addresses = [{ address: hostname, family: isIP(hostname) }];
  } else {
    try {
      addresses = await (policy.resolve ?? systemResolver)(hostname);
    } catch (error) {
      return { ok: false, detail: `${hostname} could not be resolved (${error instanceof Error ? error.message : String(error)})` };
    }
  }
  if (!addresses.length) return { ok: false, detail: `${hostname} has no address` };
  // Every answer must be acceptable: the connection may otherwise be made to whichever comes first.
  for (const { address } of addresses) {
    const refused = addressRefusal(address, port, policy);
    if (refused) return { ok: false, detail: `${hostname} resolves to ${refused}` };
  }
  const [first] = addresses;
  return { ok: true, target: { url, address: first.address, family: first.family === 6 ? 6 : 4 } };
}

const systemResolver: Resolver = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

/** The port of a URL on this machine (the bot's own stores when they run on loopback), for forbiddenPorts. */
export function loopbackPort(url: string): number | undefined {
  try {
    const { hostname, port, protocol } = new URL(url);
    const host = hostname.replace(/^\[|\]$/g, '');
    const local = host === 'localhost' || (isIP(host) !== 0 && LOOPBACK.check(host, familyName(host)));
    if (!local) return undefined;
    return Number(port || (protocol === 'https:' ? 443 : 80));
  } catch {
    return undefined;
  }
}
