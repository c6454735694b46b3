/**
 * The visitor's address: the socket's peer, or — only when TRUST_PROXY is on,
 * because anyone can send the header — the address the reverse proxy in front
 * appended to X-Forwarded-For: the last one. Proxies (nginx's
 * $proxy_add_x_forwarded_for, Caddy, Traefik) pass on whatever the client put
 * before it, so an earlier entry is the client's to choose, and trusting it
 * would let anyone pick a fresh address for every password guess or visit.
 */
import { isIP } from 'node:net';
import type { HttpContext } from './context.ts';
import { socketRequest } from './request-target.ts';

// an IPv4 client written as IPv6 (::ffff:a.b.c.d, dual-stack proxies) is the IPv4 address
const unmapped = (ip: string) => (/^::ffff:/i.test(ip) && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip);
// some proxies (Azure Application Gateway, IIS ARR) append the client's port: 203.0.113.5:4711, [2001:db8::1]:4711
const bare = (ip: string) => unmapped(ip.trim().replace(/^(\d{1,3}(?:\.\d{1,3}){3}):\d{1,5}$/, '$1').replace(/^\[([^\]]*)\](?::\d{1,5})?$/, '$1'));

export function clientIp(ctx: Pick<HttpContext, 'request' | 'server'>, trustProxy: boolean): string | null {
  if (trustProxy) {
    const xff = ctx.request.headers.get('x-forwarded-for');
    if (xff) {
      const last = bare(xff.slice(xff.lastIndexOf(',') + 1));
      if (isIP(last)) return last;
    }
    const real = bare(ctx.request.headers.get('x-real-ip') ?? '');
    if (isIP(real)) return real;
  }
  // the socket's own request nearly always; a copy made for a request without a Host (request-target.ts) has none
  const addr = (ctx.server?.requestIP(ctx.request) ?? ctx.server?.requestIP(socketRequest(ctx.request)))?.address ?? null;
  return addr === null ? null : unmapped(addr);
}

/**
 * What a per-address budget (password guesses, anonymous creates, logins)
 * counts: an IPv4 address, or an IPv6 address's /64 — one subscriber's
 * prefix, inside which a client can take a fresh address for every request.
 */
export function throttleKey(ip: string | null): string {
  if (!ip) return 'unknown';
  ip = unmapped(ip);
  if (isIP(ip) !== 6) return ip;
  const [head = '', tail] = ip.toLowerCase().split('%')[0]!.split('::');
  const groups = (part: string) => (part ? part.split(':').flatMap((g) => (g.includes('.') ? ['0', '0'] : [g])) : []);
  const h = groups(head);
  const all = tail === undefined ? h : [...h, ...Array<string>(Math.max(0, 8 - h.length - groups(tail).length)).fill('0'), ...groups(tail)];
  return `${all.slice(0, 4).map((g) => parseInt(g, 16).toString(16)).join(':')}::/64`;
}
