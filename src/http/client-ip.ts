/**
 * The visitor's address: the socket's peer, or — only when TRUST_PROXY is on,
 * because anyone can send the header — the first valid address in
 * X-Forwarded-For (the client as the reverse proxy saw it).
 */
import { isIP } from 'node:net';
import type { HttpContext } from './context.ts';

export function clientIp(ctx: Pick<HttpContext, 'request' | 'server'>, trustProxy: boolean): string | null {
  if (trustProxy) {
    const xff = ctx.request.headers.get('x-forwarded-for');
    if (xff) {
      for (const part of xff.split(',')) {
        const ip = part.trim().replace(/^\[|\]$/g, '');
        if (isIP(ip)) return ip;
      }
    }
    const real = ctx.request.headers.get('x-real-ip')?.trim();
    if (real && isIP(real)) return real;
  }
  const addr = ctx.server?.requestIP(ctx.request)?.address ?? null;
  return addr?.startsWith('::ffff:') && isIP(addr.slice(7)) === 4 ? addr.slice(7) : addr;
}
