/**
 * Dashboard sessions over HTTP: the HttpOnly cookie, resuming the session of
 * a request, and the per-session CSRF check every state-changing dashboard
 * request must pass (token in the X-CSRF-Token header, which htmx sends from
 * hx-headers, or in the `_csrf` form field of a plain form post).
 */
import { SESSION_IDLE_MS, type SessionContext } from '../accounts/sessions.service.ts';
import { safeEqual } from '../accounts/secrets.ts';
import type { AppDeps } from './app-deps.ts';
import { readCookie } from './csrf.ts';

export const SESSION_COOKIE = 'shrinkray_session';

export function createSessionAuth(deps: AppDeps) {
  const { services } = deps;
  const secure = services.config.baseUrl.startsWith('https://');
  const attrs = `Path=/; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`;
  const cookie = (token: string, maxAgeMs = SESSION_IDLE_MS) => `${SESSION_COOKIE}=${token}; ${attrs}; Max-Age=${Math.floor(maxAgeMs / 1000)}`;

  return {
    /** The signed-in context of the request, or null. */
    context: (request: Request): Promise<SessionContext | null> => services.sessions.resume(readCookie(request, SESSION_COOKIE)),

    cookie,

    /**
     * The session cookie to send again when resuming `ctx` slid its expiry, else null: the browser
     * keeps the cookie as long as the server keeps the session (set at sign-in only, it ended 7 days
     * after it, busy or not). Only then, so that other answers stay as they were, without Set-Cookie.
     */
    renewal(request: Request, ctx: SessionContext | null): string | null {
      const token = readCookie(request, SESSION_COOKIE);
      return ctx?.renewedForMs != null && token ? cookie(token, ctx.renewedForMs) : null;
    },

    /** `res` with the renewal cookie added, unless it sets the session cookie itself (signed out). */
    withRenewal(res: Response, renewal: string | null): Response {
      if (!renewal || res.headers.getSetCookie().some((c) => c.startsWith(`${SESSION_COOKIE}=`))) return res;
      // a Response from fetch() or Response.redirect() has headers that cannot be changed
      const out = new Response(res.body, res);
      out.headers.append('set-cookie', renewal);
      return out;
    },

    clearCookie: () => `${SESSION_COOKIE}=; ${attrs}; Max-Age=0`,

    /** True when the request carries this session's CSRF token (header or form field). */
    csrfOk(ctx: SessionContext, request: Request, form?: Record<string, unknown>): boolean {
      const given = request.headers.get('x-csrf-token') ?? (typeof form?._csrf === 'string' ? form._csrf : null);
      return given !== null && safeEqual(given, ctx.csrfToken);
    },
  };
}
export type SessionAuth = ReturnType<typeof createSessionAuth>;
