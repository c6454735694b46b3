/**
 * The redirect hot path: GET /{code} of a cached, live, direct link with no
 * password and no query markers — the overwhelmingly common visit — answered
 * synchronously with one cache lookup, one queued click and one 302.
 *
 * Bun's native router runs it for GET /:code (src/listen.ts, or createApp's
 * serve options in tests), in front of Elysia's per-request context and
 * lifecycle hooks. Anything it does not handle (other modes, passwords,
 * ?qr=1, unknown codes) returns undefined and takes the full path, whose
 * direct answer is the same kit.direct(), and whose not-found answer (the 404
 * page or NOT_FOUND_REDIRECT, visit.ts) is the only one: a found link pays
 * nothing for that setting. A cache miss is looked up here too
 * (asynchronously, with the other misses of its turn: links/redirect-lookups.ts),
 * so a cold code costs a share of one query, not the app.
 */
import type { ServerLike } from '../http/context.ts';
import type { RedirectTarget } from '../links/links.types.ts';
import type { RedirectKit } from './redirect-kit.ts';

export type FastRedirect = (request: Request, server: ServerLike | null) => Response | undefined | Promise<Response | undefined>;
export type Fallback = (request: Request) => Response | Promise<Response>;
export type NativeRedirect = (request: Request, server: ServerLike, fallback: Fallback) => Response | Promise<Response>;

export function createFastRedirect(kit: RedirectKit): FastRedirect {
  const { links } = kit;

  function answer(target: RedirectTarget | null, request: Request, server: ServerLike | null): Response | undefined {
    if (!target || target.redirectMode !== 'direct' || target.passwordHash !== null) return undefined;
    return kit.direct(target, request, server, 0) ?? undefined;
  }

  return (request, server) => {
    const url = request.url;
    const start = url.indexOf('/', url.indexOf('//') + 2) + 1;
    if (start === 0 || url.includes('?', start)) return undefined;
    const code = url.slice(start);
    const cached = links.resolveCached(code);
    if (cached !== undefined) return answer(cached, request, server);
    // a miss: one lookup (which fills the cache), still without the full app
    if (kit.validCode(code) === null) return undefined;
    return links.resolve(code).then((target) => answer(target, request, server));
  };
}

/**
 * The GET /:code handler Bun's router runs: the fast path, and everything it
 * declines handed to `fallback` (the full app). Requests it answers skip
 * Elysia's hooks, so it counts them in shrinkray_http_requests_total itself;
 * they are not written to the access log (a busy link would flood it).
 */
export function createNativeRedirect(kit: RedirectKit): NativeRedirect {
  const fast = createFastRedirect(kit);
  return (request, server, fallback) => {
    const res = fast(request, server);
    if (res instanceof Promise) return res.then((r) => (r === undefined ? fallback(request) : (kit.requestCounter(request.method), r)));
    if (res === undefined) return fallback(request);
    kit.requestCounter(request.method);
    return res;
  };
}
