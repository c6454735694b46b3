/**
 * Admin-only screens (kit.route(…, { admin: true }): members get 403). The
 * rules — only admins, no locking yourself out, sessions end on reset and
 * deactivation — live in services.userAdmin; these handlers only parse and
 * render.
 *   GET  /dashboard/users                        list + create form
 *   POST /dashboard/users                        create → 201 page showing the temporary password once
 *   POST /dashboard/users/:id                    role/plan; htmx → the row, plain → 303
 *   POST /dashboard/users/:id/reset-password     → page showing the new temporary password once;
 *                                                revoke_keys=true (the form's box, ticked) revokes their API keys too
 *   POST /dashboard/users/:id/deactivate|reactivate   htmx → the row, plain → 303; reactivate with
 *                                                revoke_keys=true revokes their keys first
 *   (their API keys one by one: user-keys.routes.ts; their links and QR codes to another user: transfer.routes.ts)
 *   GET  /dashboard/plans, POST /dashboard/plans/:name   htmx → that plan's form, plain → 303
 *   GET  /dashboard/settings                     read-only configuration
 * Refusals with a field (bad email, taken email, bad limit) re-render the
 * form with the message beside the field: 422 for a plain post, 200 for an
 * htmx swap (htmx swaps only 2xx answers). Other refusals go to the kit.
 */
import { resolve } from 'node:path';
import { Elysia } from 'elysia';
import type { User } from '../accounts/accounts.types.ts';
import type { AppDeps } from '../http/app-deps.ts';
import { planForm, plansPage, settingsPage, standingStatus, userRow, usersPage, type Secret, type UsersView } from '../../views/dashboard/admin.ts';
import { parseWholeNumber } from '../whole-number.ts';
import { parseId, type PageCtx } from './dashboard-kit.ts';
import { fieldErrorOf } from './form-errors.ts';
import { optionalText, textOf } from './form-values.ts';
import type { WebModule } from './index.ts';

const admin = { admin: true };
const hidden = { detail: { hide: true } };
// a taken email is shown beside the email field
const fieldOf = (e: unknown) => fieldErrorOf(e, ['VALIDATION', 'CODE_TAKEN']);
// NaN for what is not a whole number: the core then refuses it with its message, beside the field
const wholeNumber = (text: string) => parseWholeNumber(text) ?? NaN;
/** A ticked box: revoke_keys=true (the reset form's box, the reactivate-and-revoke button's hidden field). */
const revokeKeys = (c: PageCtx) => c.form.revoke_keys === 'true';

export const adminRoutes: WebModule = (deps: AppDeps, kit) => {
  const { services } = deps;

  async function users(c: PageCtx, extra: Partial<UsersView> = {}, status = 200) {
    const dir = await services.userAdmin.directory(c.actor);
    const body = usersPage({ ...dir, me: c.actor.user.id, csrfToken: c.session.csrfToken, ...extra });
    return kit.page(c, { title: 'Users', nav: 'users', body, status });
  }

  /** The row of a user just changed: the service returned it; the plan picker, and the key count unless given, need loading. */
  async function row(c: PageCtx, user: User, status: string, activeKeys?: number) {
    const plans = await services.plans.list();
    activeKeys ??= await services.userAdmin.activeKeyCount(c.actor, user.id);
    return kit.fragment(userRow({ user, plans, activeKeys, me: c.actor.user.id, csrfToken: c.session.csrfToken, status }));
  }

  /** Keys an admin revoked with a reset or a reactivation are said in the log, as one by one (user-keys.routes.ts). */
  function logRevoked(c: PageCtx, user: User, revoked: number, action: string): void {
    if (revoked > 0) deps.logger.info("admin revoked another user's API keys", { admin_id: c.actor.user.id, user_id: user.id, revoked, action });
  }

  const setActive = (active: boolean) =>
    kit.route(async (c) => {
      const done = await services.userAdmin.setActive(c.actor, parseId(c.params.id), active, { revokeKeys: active && revokeKeys(c) });
      logRevoked(c, done.user, done.keysRevoked, 'reactivation');
      return c.isHtmx ? row(c, done.user, standingStatus(active, done), done.activeKeys) : kit.redirect(c, '/dashboard/users');
    }, admin);

  return new Elysia({ name: 'web-admin' })
    .get('/dashboard/users', kit.route((c) => users(c), admin), hidden)
    .post(
      '/dashboard/users',
      kit.route(async (c) => {
        // no plan (or the form's blank "default" choice): the role's default, as the CLI's (users.service)
        const values = { email: textOf(c.form.email), role: optionalText(c.form.role) ?? 'member', plan: textOf(c.form.plan) };
        try {
          const { user, password } = await services.userAdmin.invite(c.actor, { ...values, plan: values.plan || undefined });
          const secret: Secret = { email: user.email, password, why: 'created' };
          return users(c, { secret }, 201);
        } catch (e) {
          const error = fieldOf(e);
          if (!error) throw e;
          return users(c, { error, values }, 422);
        }
      }, admin),
      hidden,
    )
    .post(
      '/dashboard/users/:id',
      kit.route(async (c) => {
        const user = await services.userAdmin.change(c.actor, parseId(c.params.id), { role: optionalText(c.form.role), plan: optionalText(c.form.plan) });
        return c.isHtmx ? row(c, user, 'Saved.') : kit.redirect(c, '/dashboard/users');
      }, admin),
      hidden,
    )
    .post(
      '/dashboard/users/:id/reset-password',
      kit.route(async (c) => {
        const { user, password, ...keys } = await services.userAdmin.resetPassword(c.actor, parseId(c.params.id), { revokeKeys: revokeKeys(c) });
        logRevoked(c, user, keys.keysRevoked, 'password reset');
        return users(c, { secret: { email: user.email, password, why: 'reset', keys } });
      }, admin),
      hidden,
    )
    .post('/dashboard/users/:id/deactivate', setActive(false), hidden)
    .post('/dashboard/users/:id/reactivate', setActive(true), hidden)
    .get(
      '/dashboard/plans',
      kit.route(async (c) => kit.page(c, { title: 'Plans', nav: 'plans', body: plansPage({ plans: await services.plans.list(), csrfToken: c.session.csrfToken }) }), admin),
      hidden,
    )
    .post(
      '/dashboard/plans/:name',
      kit.route(async (c) => {
        const name = c.params.name ?? ''; // already percent-decoded by the router
        const values = { rate_limit: textOf(c.form.rate_limit), max_links: textOf(c.form.max_links) };
        const flag = (k: string) => c.form[k] === 'true' || c.form[k] === 'on';
        const features = { apiAccess: flag('api_access'), customAlias: flag('custom_alias'), password: flag('password'), expiry: flag('expiry'), qrColors: flag('qr_colors') };
        try {
          const plan = await services.plans.update(name, {
            rateLimitPerMinute: wholeNumber(values.rate_limit),
            maxLinks: values.max_links.trim() === '' ? null : wholeNumber(values.max_links),
            ...features,
          });
          return c.isHtmx ? kit.fragment(planForm({ plan, csrfToken: c.session.csrfToken, saved: true })) : kit.redirect(c, '/dashboard/plans');
        } catch (e) {
          const error = fieldOf(e);
          if (!error) throw e;
          // shown as sent: boxes the admin changed keep their state, so fixing the number saves them too
          const plan = { ...(await services.plans.getByName(name)), ...features };
          const form = planForm({ plan, csrfToken: c.session.csrfToken, error, values });
          if (c.isHtmx) return kit.fragment(form);
          return kit.page(c, { title: 'Plans', nav: 'plans', body: form, status: 422 });
        }
      }, admin),
      hidden,
    )
    .get('/dashboard/settings', kit.route((c) => kit.page(c, { title: 'Settings', nav: 'settings', body: settingsPage({ ...services.config, dataDir: resolve(services.config.dataDir) }) }), admin), hidden);
};
