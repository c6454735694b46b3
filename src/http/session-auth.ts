/**
 * Dashboard sessions over HTTP: the HttpOnly cookie, resuming the session of
 * a request, and the per-session CSRF check every state-changing dashboard
 * request must pass (token in the X-CSRF-Token header, which htmx sends from
 * hx-headers, or in the `_csrf` form field of a plain form post).
 */
import type { SessionContext } from '../accounts/sessions.service.ts';
import { safeEqual } from '../accounts/secrets.ts';
import type { AppDeps } from './app-deps.ts';
import { readCookie } from './csrf.ts';

export const SESSION_COOKIE = 'shrinkray_session';

export function createSessionAuth(deps: AppDeps) {
  const { services } = deps;
  const secure = services.config.baseUrl.startsWith('https://');
  const attrs = `Path=/; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`;

  return {
    /** The signed-in context of the request, or null. */
    context: (request: Request): Promise<SessionContext | null> => services.sessions.resume(readCookie(request, SESSION_COOKIE)),

    cookie: (token: string) => `${SESSION_COOKIE}=${token}; ${attrs}; Max-Age=${7 * 24 * 60 * 60}`,
    clearCookie: () => `${SESSION_COOKIE}=; ${attrs}; Max-Age=0`,

    /** True when the request carries this session's CSRF token (header or form field). */
    csrfOk(ctx: SessionContext, request: Request, form?: Record<string, unknown>): boolean {
      const given = request.headers.get('x-csrf-token') ?? (typeof form?._csrf === 'string' ? form._csrf : null);
      return given !== null && safeEqual(given, ctx.csrfToken);
    },
  };
}
export type SessionAuth = ReturnType<typeof createSessionAuth>;
