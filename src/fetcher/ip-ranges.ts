/**
 * Classifies IP addresses as public or not, for the SSRF guard and the
 * destination policy. Written out instead of node:net's BlockList, whose
 * answers under Bun mix IPv4 into IPv4-mapped IPv6 subnets. IPv6 forms that
 * embed an IPv4 address (mapped, NAT64, 6to4) are judged by the embedded
 * address, so ::ffff:127.0.0.1 is as private as 127.0.0.1; the compatible
 * form and Teredo, whose embedding cannot be trusted, are refused outright.
 */
import { isIP } from 'node:net';

type V4Range = [base: number, bits: number];

const V4_BLOCKED: V4Range[] = [
  ['0.0.0.0', 8], // "this" network
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // CGNAT
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local (cloud metadata lives here)
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // TEST-NET-1
  ['192.88.99.0', 24], // 6to4 relay anycast
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // TEST-NET-2
  ['203.0.113.0', 24], // TEST-NET-3
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved + broadcast
].map(([a, b]) => [v4ToInt(a as string)!, b as number]);

export function v4ToInt(ip: string): number | null {
  const parts = ip.split('.');
  if (parts.length !== 4) return null;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return null;
    const v = Number(p);
    if (v > 255) return null;
    n = n * 256 + v;
  }
  return n;
}

function v4Blocked(n: number): boolean {
  return V4_BLOCKED.some(([base, bits]) => {
    const size = 2 ** (32 - bits);
    return n >= base && n < base + size;
  });
}

/** Parses an IPv6 literal into eight 16-bit groups. */
export function v6ToGroups(ip: string): number[] | null {
  let s = ip.replace(/^\[|\]$/g, '').toLowerCase();
  const zone = s.indexOf('%');
  if (zone >= 0) s = s.slice(0, zone);
  const lastColon = s.lastIndexOf(':');
  if (s.slice(lastColon + 1).includes('.')) {
    // a dotted IPv4 tail becomes the last two groups
    const v4 = v4ToInt(s.slice(lastColon + 1));
    if (v4 === null) return null;
    s = `${s.slice(0, lastColon + 1)}${Math.floor(v4 / 65536).toString(16)}:${(v4 % 65536).toString(16)}`;
  }
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const parse = (h: string) => (h === '' ? [] : h.split(':').map((g) => (/^[0-9a-f]{1,4}$/.test(g) ? parseInt(g, 16) : NaN)));
  const head = parse(halves[0]!);
  const rest = halves.length === 2 ? parse(halves[1]!) : [];
  let groups = head;
  if (halves.length === 2) {
    const fill = 8 - head.length - rest.length;
    if (fill < 1) return null;
    groups = [...head, ...new Array<number>(fill).fill(0), ...rest];
  }
  if (groups.length !== 8 || groups.some((g) => Number.isNaN(g))) return null;
  return groups;
}

function v6Blocked(g: number[]): boolean {
  const [a, b] = [g[0]!, g[1]!];
  const allZeroTo = (i: number) => g.slice(0, i).every((x) => x === 0);
  const embedded = (hi: number, lo: number) => v4Blocked(hi * 65536 + lo);
  if (allZeroTo(8)) return true; // ::
  if (allZeroTo(7) && g[7] === 1) return true; // ::1
  if (allZeroTo(5) && g[5] === 0xffff) return embedded(g[6]!, g[7]!); // ::ffff:a.b.c.d
  if (allZeroTo(6)) return true; // ::a.b.c.d (deprecated compatible form) — never a real host
  // NAT64 64:ff9b::/96 only; the local-use 64:ff9b:1::/48 embeds elsewhere and falls to the reserved rule below
  if (a === 0x64 && b === 0xff9b && g.slice(2, 6).every((x) => x === 0)) return embedded(g[6]!, g[7]!);
  if (a === 0x2002) return embedded(b, g[2]!); // 6to4 embeds the IPv4 address
  if (a === 0x2001 && b < 0x200) return true; // 2001::/23 IETF protocol assignments, Teredo (2001::/32) included
  if (a === 0x2001 && b === 0xdb8) return true; // documentation
  if ((a & 0xfff0) === 0x3ff0) return true; // documentation 3fff::/20 (RFC 9637)
  if (a === 0x100 && g[1] === 0 && g[2] === 0 && g[3] === 0) return true; // discard-only 100::/64
  if ((a & 0xfe00) === 0xfc00) return true; // unique local fc00::/7
  if ((a & 0xffc0) === 0xfe80) return true; // link-local fe80::/10
  if ((a & 0xffc0) === 0xfec0) return true; // site-local (deprecated) fec0::/10
  if ((a & 0xff00) === 0xff00) return true; // multicast
  // only 2000::/3 is allocated as global unicast; anything else is reserved
  // today and must not become reachable just because a new range appears
  return (a & 0xe000) !== 0x2000;
}

/** True for any address that is not a public unicast address. */
export function isPrivateAddress(ip: string): boolean {
  const bare = ip.replace(/^\[|\]$/g, '');
  const family = isIP(bare.split('%')[0]!);
  if (family === 4) return v4Blocked(v4ToInt(bare)!);
  if (family === 6) {
    const g = v6ToGroups(bare);
    return g === null ? true : v6Blocked(g);
  }
  return true; // not an address at all: refuse rather than guess
}

// the loopback names distributions' /etc/hosts give (Debian: ip6-localhost, ip6-loopback; Red Hat: localhost4/6 …)
const LOOPBACK_NAMES = new Set([
  'localhost.localdomain',
  'ip6-localhost',
  'ip6-loopback',
  'localhost4',
  'localhost4.localdomain4',
  'localhost6',
  'localhost6.localdomain6',
]);

/** Host names that always point at the local machine or network, whatever DNS says. */
export function isLocalHostname(host: string): boolean {
  const h = host.toLowerCase().replace(/\.$/, '');
  return h === 'localhost' || h.endsWith('.localhost') || h.endsWith('.local') || h.endsWith('.internal') || LOOPBACK_NAMES.has(h);
}

export const isIpLiteral = (host: string) => isIP(host.replace(/^\[|\]$/g, '')) !== 0;
