/**
 * What every /dashboard handler shares. route() runs the four steps each
 * handler would otherwise repeat: resume the session (or send the browser to
 * /login, or a user on a generated password to the account screen), refuse members on admin screens, check the CSRF token on every
 * state-changing request, and turn a DomainError nobody handled into a page
 * or fragment with a clear message. Handlers then only call services and
 * render views.
 */
import type { Actor } from '../accounts/accounts.types.ts';
import type { SessionContext } from '../accounts/sessions.service.ts';
import { DomainError } from '../errors.ts';
import type { AppDeps } from '../http/app-deps.ts';
import { readBody } from '../http/body.ts';
import type { HttpContext } from '../http/context.ts';
import { withRetryAfter } from '../http/rate-headers.ts';
import { html as htmlResponse } from '../http/respond.ts';
import { storageUnavailable } from '../http/storage-unavailable.ts';
import { createSessionAuth } from '../http/session-auth.ts';
import { html, type SafeHtml } from '../../views/html.ts';
import { shell, type NavKey } from '../../views/dashboard/layout.ts';

export interface PageCtx extends HttpContext {
  session: SessionContext;
  actor: Actor;
  /** an htmx request: answer with a fragment, not the whole page */
  isHtmx: boolean;
  /** the parsed form (or JSON) body of a POST/PUT/PATCH/DELETE, as strings where the browser sent strings */
  form: Record<string, unknown>;
}

/** A numeric id from a path or query parameter; NaN (which matches nothing) for anything else. */
export const parseId = (s: string | undefined) => (s !== undefined && /^\d{1,15}$/.test(s) ? Number(s) : NaN);

export type PageHandler = (c: PageCtx) => Promise<Response> | Response;

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const ACCOUNT = '/dashboard/account';

const STATUS: Partial<Record<DomainError['code'], number>> = {
  NOT_FOUND: 404,
  FORBIDDEN: 403,
  FEATURE_DENIED: 403,
  QUOTA_EXCEEDED: 403,
  RATE_LIMITED: 429,
  UNAUTHENTICATED: 401,
  UNAVAILABLE: 503,
};

/**
 * htmx swaps want a fragment; a boosted navigation or a history restore (the
 * back button after hx-push-url) wants the whole page.
 */
function wantsFragment(request: Request): boolean {
  const h = request.headers;
  return h.get('hx-request') === 'true' && h.get('hx-boosted') !== 'true' && h.get('hx-history-restore-request') !== 'true';
}

/**
 * Where to go after signing in: the page asked for, or for a form post (which
 * cannot be replayed by a GET) the page it was sent from, on this site only.
 */
// forms that post to their own address: a GET of it shows the form again (other POST addresses have no page)
const SELF_POSTING = /^\/dashboard\/links\/(?:new|\d+\/edit)$/;

function returnPath(request: Request): string {
  const url = new URL(request.url);
  if (request.method === 'GET' || request.method === 'HEAD') return url.pathname + url.search;
  const from = sameSitePage(request.headers.get('hx-current-url') ?? request.headers.get('referer'), request.url);
  return from && (from.href !== url.href || SELF_POSTING.test(from.pathname)) ? from.pathname + from.search : '/dashboard';
}

/**
 * A page address a request names (its Referer, HX-Current-URL, a form's `back`) as a URL on this
 * site, or null: another site's, or not an address. The host, not the origin: behind a
 * TLS-terminating proxy the page is https:// and the request http://.
 */
export function sameSitePage(from: string | null | undefined, requestUrl: string): URL | null {
  try {
    const url = new URL(from ?? '', requestUrl);
    return url.host === new URL(requestUrl).host ? url : null;
  } catch {
    return null;
  }
}

/** The page an htmx request was made from (HX-Current-URL), or `fallback` when absent or unparsable (a hand-made header). */
export function currentPage(request: Request, fallback: string): URL {
  try {
    return new URL(request.headers.get('hx-current-url') ?? fallback, request.url);
  } catch {
    return new URL(fallback, request.url);
  }
}

export function createDashboardKit(deps: AppDeps) {
  const auth = createSessionAuth(deps);

  function page(c: PageCtx, p: { title: string; nav: NavKey; body: SafeHtml; status?: number; headers?: Record<string, string> }): Response {
    if (wantsFragment(c.request)) return fragment(p.body, p.status, p.headers);
    // only the account screen renders for such a user (route() sends every other page there)
    const notice = c.actor.user.mustChangePassword ? html`You are using a generated password. Choose your own to go on.` : null;
    // a refused form (or a request refused for its rate) says so in the title, the first thing a screen reader reads
    const title = (p.status ?? 200) >= 400 ? `Error: ${p.title}` : p.title;
    const body = shell({ title, nav: p.nav, user: c.actor.user, csrfToken: c.session.csrfToken, body: p.body, notice });
    return htmlResponse(p.status ?? 200, body.value, { 'cache-control': 'no-store', vary: 'HX-Request', ...p.headers });
  }

  function fragment(body: SafeHtml, status = 200, headers: Record<string, string> = {}): Response {
    return htmlResponse(status, body.value, { 'cache-control': 'no-store', vary: 'HX-Request', ...headers });
  }

  /**
   * After a successful form post: a real redirect for plain forms, HX-Location for htmx, aimed at
   * #main: htmx fetches it as a fragment, which swapped into <body> (its default) would drop the top bar.
   */
  function redirect(c: Pick<PageCtx, 'isHtmx'>, location: string): Response {
    if (!c.isHtmx) return new Response(null, { status: 303, headers: { location } });
    return new Response(null, { status: 204, headers: { 'hx-location': JSON.stringify({ path: location, target: '#main' }) } });
  }

  function problem(c: HttpContext & { isHtmx: boolean }, status: number, message: string, session?: PageCtx, heading?: string): Response {
    const title = heading ?? (status === 403 ? 'Not allowed' : status === 404 ? 'Not found' : 'Something is wrong');
    const body = html`<section class="problem"><h1>${title}</h1><p>${message}</p><p><a href="/dashboard">Back to your links</a></p></section>`;
    if (c.isHtmx) return fragment(html`<div class="error" role="alert">${message}</div>`, status, { 'hx-retarget': '#toast', 'hx-reswap': 'innerHTML' });
    return session ? page(session, { title, nav: 'links', body, status }) : htmlResponse(status, body.value);
  }

  /**
   * opts.admin: admins only. opts.withGeneratedPassword: open to a user still on a generated
   * password (the account screen that replaces it, and signing out); every other page sends them
   * to the account screen first. A generated password was printed to a terminal or a log (first
   * start, `user password`) or shown to the admin who reset it: it must not stay the way in.
   */
  function route(handler: PageHandler, opts: { admin?: boolean; withGeneratedPassword?: boolean } = {}) {
    return async (raw: unknown): Promise<Response> => {
      const ctx = raw as HttpContext;
      // the cookie to send again if a resume below slid the session's expiry (at most once a minute)
      let renewal: string | null = null;
      const resume = async () => {
        const s = await auth.context(ctx.request);
        // a session ended by the time the body was in gets no cookie, even if the first resume slid it
        renewal = s ? (auth.renewal(ctx.request, s) ?? renewal) : null;
        return s;
      };
      return auth.withRenewal(await answer(ctx, resume), renewal);
    };

    async function answer(ctx: HttpContext, resume: () => Promise<SessionContext | null>): Promise<Response> {
      const isHtmx = ctx.request.headers.get('hx-request') === 'true';
      const blocked = (s: SessionContext) => s.actor.user.mustChangePassword && !opts.withGeneratedPassword;
      /** No session: to the sign-in page; a generated password: to the account screen. */
      const turnAway = (s: SessionContext | null): Response => {
        const to = s ? ACCOUNT : `/login?next=${encodeURIComponent(returnPath(ctx.request))}`;
        if (!isHtmx) return new Response(null, { status: 303, headers: { location: to } });
        return new Response(null, { status: s ? 403 : 401, headers: { 'hx-redirect': to } });
      };
      let session = await resume();
      if (!session || blocked(session)) return turnAway(session);
      let form: Record<string, unknown> = {};
      // Elysia parses the query only for handlers it sees reading it, and this wrapper hides ours
      const query = Object.fromEntries(new URL(ctx.request.url).searchParams) as Record<string, string | undefined>;
      const c: PageCtx = { ...ctx, query, session, actor: session.actor, isHtmx, form };
      try {
        if (UNSAFE.has(ctx.request.method)) {
          // 7 MB: a CSV import of 1,000 rows (public/js/dashboard.js checks the same) sent percent-encoded, where
          // non-Latin titles grow up to 9 times; under the socket's 8 MB cap (config.maxBodyBytes)
          const body = await readBody(ctx.request, { maxBytes: 7 * 1024 * 1024 });
          form = body.kind === 'empty' || typeof body.value !== 'object' || body.value === null ? {} : (body.value as Record<string, unknown>);
          c.form = form;
          // the session as it is once the body is in: a slow client may take many seconds to send it, and
          // a session ended meanwhile (signed out, its password reset, its user deactivated) acts no more
          session = await resume();
          if (!session || blocked(session)) return turnAway(session);
          c.session = session;
          c.actor = session.actor;
          if (!auth.csrfOk(session, ctx.request, form)) {
            // most often a tab left open across a sign-out and back in: the session, and its token, changed
            return problem(c, 403, 'Your form has expired or did not come from this site. Reload the page and try again.', c, 'Form expired');
          }
        }
        if (opts.admin && session.actor.user.role !== 'admin') return problem(c, 403, 'Only admins can open this page.', c);
        return await handler(c);
      } catch (e) {
        const error = e instanceof DomainError ? e : storageUnavailable(e, deps.logger, ctx.request);
        if (!error) throw e;
        return withRetryAfter(problem(c, STATUS[error.code] ?? 400, error.message, c), error);
      }
    }
  }

  return { auth, route, page, fragment, redirect, problem };
}
export type DashboardKit = ReturnType<typeof createDashboardKit>;

/**
 * Whether an htmx request comes from typing in the search box `inputId` of a
 * page already showing a search (its URL has `param`): the answer then
 * replaces that history entry, so a search is one step of Back however
 * often the typing paused.
 */
export function refinesSearch(request: Request, inputId: string, param: string): boolean {
  if (request.headers.get('hx-trigger') !== inputId) return false;
  if (!request.headers.get('hx-current-url')) return false;
  return (currentPage(request, '/').searchParams.get(param) ?? '') !== '';
}
