/**
 * Signing in and out, and the account screen.
 *
 *   GET  /login               the form (already signed in → on to the dashboard)
 *   POST /login               email, password, _csrf, next → 303 + session cookie;
 *                             401 "Invalid email or password."; 403 expired form;
 *                             429 + Retry-After past the wrong-password budgets of
 *                             src/http/sign-in-throttle.ts (per address and email, per address,
 *                             per account for browsers new to it, per known browser), even when
 *                             right; a success also sets the browser's device cookie (trusted-device.ts)
 *   POST /logout              ends the session, clears the cookie → 303 /login?signed_out=1 (which says so)
 *   GET  /dashboard/account   profile, plan and its use (links against the limit), change-password form (the only page, with
 *                             POST /logout, open to a user on a generated password)
 *   POST /dashboard/account   current_password, new_password, confirm_password → 303 ?changed=1;
 *                             the user's other sessions end
 *
 * The login form has no session to carry a CSRF token, so it uses the
 * public-form kind (nonce cookie + HMAC token, src/http/csrf.ts): a
 * cross-site page cannot sign a visitor into the attacker's account.
 * `next` is followed only when it is a path under /dashboard on this site.
 */
import { Elysia } from 'elysia';
import { normalEmail } from '../accounts/users.service.ts';
import { DomainError } from '../errors.ts';
import { Refusals, refusalsIn } from '../refusals.ts';
import { readBody, isPlainObject } from '../http/body.ts';
import { clientIp, throttleKey } from '../http/client-ip.ts';
import type { HttpContext } from '../http/context.ts';
import { html } from '../http/respond.ts';
import { startSignIn } from '../http/sign-in-throttle.ts';
import { createTrustedDevices } from '../http/trusted-device.ts';
import { accountBody } from '../../views/dashboard/account.ts';
import { loginPage, type LoginPageProps } from '../../views/login.ts';
import type { PageCtx } from './dashboard-kit.ts';
import { textOf } from './form-values.ts';
import type { WebModule } from './index.ts';

export const PASSWORD_CHANGES_PER_MINUTE = 5;
const NO_STORE = { 'cache-control': 'private, no-store' };

/** The path to return to after signing in: under /dashboard on this origin, else /dashboard. */
export function safeNext(raw: unknown): string {
  if (typeof raw !== 'string' || !raw.startsWith('/') || raw.startsWith('//') || raw.includes('\\')) return '/dashboard';
  try {
    const base = 'http://shrinkray.invalid';
    const url = new URL(raw, base);
    const inside = url.pathname === '/dashboard' || url.pathname.startsWith('/dashboard/');
    return url.origin === base && inside ? url.pathname + url.search : '/dashboard';
  } catch {
    return '/dashboard';
  }
}

export const authRoutes: WebModule = (deps, kit) => {
  const { services, limiter, csrf } = deps;
  const { config } = services;
  const devices = createTrustedDevices({ secret: services.deviceSecret, secure: config.baseUrl.startsWith('https:'), now: services.now });

  function form(request: Request, status: number, p: Omit<LoginPageProps, 'csrfToken'>, headers: Record<string, string> = {}): Response {
    const session = csrf.session(request);
    return html(status, loginPage({ ...p, csrfToken: session.token }).value, { ...NO_STORE, ...session.headers, ...headers });
  }

  async function login(ctx: HttpContext): Promise<Response> {
    const { request } = ctx;
    let fields: Record<string, unknown>;
    try {
      const body = (await readBody(request, { maxBytes: 16 * 1024 })).value;
      fields = isPlainObject(body) ? body : {};
    } catch (e) {
      if (!(e instanceof DomainError)) throw e;
      return form(request, 400, { error: 'The form could not be read. Please try again.' });
    }
    const email = textOf(fields.email).trim().slice(0, 254);
    const password = textOf(fields.password);
    const next = safeNext(fields.next);
    const kept = { email, next: next === '/dashboard' ? null : next };
    if (!csrf.verify(csrf.nonceOf(request), fields._csrf)) {
      return form(request, 403, { ...kept, error: 'This sign-in form has expired or did not come from this site. Please try again.' });
    }
    // the account and its password as they are: a success below signs in with the same (a change meanwhile fails it)
    const stamp = await services.users.signInStamp(email);
    const device = devices.idFor(request, stamp);
    const attempt = startSignIn(limiter, normalEmail(email), throttleKey(clientIp(ctx, config.trustProxy)), device);
    if (attempt.retryAfter !== null) {
      const { retryAfter } = attempt;
      const wait = retryAfter === 1 ? 'a second' : `${retryAfter} seconds`;
      return form(request, 429, { ...kept, error: `Too many sign-in attempts. Wait ${wait} and try again.` }, { 'retry-after': String(retryAfter) });
    }
    try {
      const { token } = await services.sessions.login(email, password);
      attempt.settle(false);
      const headers = new Headers({ location: next, ...NO_STORE });
      headers.append('set-cookie', kit.auth.cookie(token));
      if (stamp) headers.append('set-cookie', devices.cookie(stamp));
      return new Response(null, { status: 303, headers });
    } catch (e) {
      const wrong = e instanceof DomainError && e.code === 'UNAUTHENTICATED';
      attempt.settle(wrong);
      if (!wrong) throw e;
      return form(request, 401, { ...kept, error: 'Invalid email or password.' });
    }
  }

  async function account(c: PageCtx, extra: { errors?: Record<string, string>; formError?: string | null } = {}, status = 200, headers: Record<string, string> = {}): Promise<Response> {
    const changed = c.query.changed === '1';
    const usage = await services.links.usage(c.actor);
    const body = accountBody({ user: c.actor.user, plan: c.actor.plan, usage, csrfToken: c.session.csrfToken, changed: changed && status === 200, newLinkUrl: `${config.baseUrl}/dashboard/links/new`, ...extra });
    return kit.page(c, { title: 'Your account', nav: 'account', body, status, headers });
  }

  return new Elysia()
    .get(
      '/login',
      async ({ request }: HttpContext) => {
        const params = new URL(request.url).searchParams;
        const next = safeNext(params.get('next'));
        const session = await kit.auth.context(request);
        if (session) return kit.auth.withRenewal(new Response(null, { status: 303, headers: { location: next, ...NO_STORE } }), kit.auth.renewal(request, session));
        return form(request, 200, { next: next === '/dashboard' ? null : next, info: params.get('signed_out') === '1' ? 'You have been signed out.' : null });
      },
      { detail: { hide: true } },
    )
    .post('/login', (ctx: HttpContext) => login(ctx), { parse: 'none', detail: { hide: true } })
    .post(
      '/logout',
      kit.route(async (c) => {
        await services.sessions.logout(c.session.idHash);
        return new Response(null, { status: 303, headers: { location: '/login?signed_out=1', 'set-cookie': kit.auth.clearCookie(), ...NO_STORE } });
      }, { withGeneratedPassword: true }),
      { parse: 'none', detail: { hide: true } },
    )
    .get('/dashboard/account', kit.route((c) => account(c), { withGeneratedPassword: true }), { detail: { hide: true } })
    .post(
      '/dashboard/account',
      kit.route(async (c) => {
        const [current, next, confirm] = [textOf(c.form.current_password), textOf(c.form.new_password), textOf(c.form.confirm_password)];
        if (!current) return account(c, { errors: { current_password: 'Enter your current password.' } }, 422);
        // a stolen session must not become a way to guess the account's password
        const wait = limiter.hit(`password-change:${c.actor.user.id}`, PASSWORD_CHANGES_PER_MINUTE);
        if (wait !== null) {
          return account(c, { errors: { current_password: `Too many attempts. Try again in ${wait} seconds.` } }, 429, { 'retry-after': String(wait) });
        }
        // noted, not answered at once: the core's refusals (a wrong current password, a short new one) come with it
        const refusals = new Refusals();
        if (next !== confirm) refusals.note(new DomainError('VALIDATION', 'The two new passwords are not the same.', { field: 'confirm_password' }));
        try {
          await services.sessions.changePassword(c.session, current, next, refusals);
        } catch (e) {
          if (!(e instanceof DomainError) || e.code !== 'VALIDATION') throw e;
          const errors: Record<string, string> = {};
          for (const refusal of refusalsIn(e)) {
            const field = refusal.field === 'current_password' || refusal.field === 'confirm_password' ? refusal.field : 'new_password';
            errors[field] ??= refusal.message;
          }
          return account(c, { errors }, 422);
        }
        return kit.redirect(c, '/dashboard/account?changed=1');
      }, { withGeneratedPassword: true }),
      { parse: 'none', detail: { hide: true } },
    );
};
