/**
 * An admin's view of another user's API keys (admin only: kit.route(…, { admin: true })).
 * A reset password or a reactivation is about trust in the account; these let
 * the admin see what still works and revoke it. Rules live in services.userAdmin.
 *
 *   GET  /dashboard/users/:id/keys                  name, created, last used, status (never the key)
 *   POST /dashboard/users/:id/keys/:key/revoke      htmx → the revoked row and the active count, plain → 303
 *   POST /dashboard/users/:id/keys/revoke           every active key → the page saying how many
 *
 * Revoking another user's key is said in the log (who, whose, which), as an
 * admin's take-down of another user's link is.
 */
import { Elysia } from 'elysia';
import { html } from '../../views/html.ts';
import { userKeyRow, userKeysCount, userKeysPage } from '../../views/dashboard/user-keys.ts';
import { parseId, type PageCtx } from './dashboard-kit.ts';
import type { WebModule } from './index.ts';
import { toastHeaders } from './links-toast.ts';

const admin = { admin: true };
const POST = { parse: 'none' as const, detail: { hide: true } };

export const userKeysRoutes: WebModule = (deps, kit) => {
  const { services } = deps;

  async function screen(c: PageCtx, revoked?: number): Promise<Response> {
    const { user, keys } = await services.userAdmin.keysOf(c.actor, parseId(c.params.id));
    return kit.page(c, { title: 'API keys of a user', nav: 'users', body: userKeysPage({ user, keys, csrfToken: c.session.csrfToken, revoked }) });
  }

  function logRevoke(c: PageCtx, userId: number, fields: Record<string, unknown>): void {
    if (userId === c.actor.user.id) return;
    deps.logger.info("admin revoked another user's API keys", { admin_id: c.actor.user.id, user_id: userId, ...fields });
  }

  return new Elysia({ name: 'web-user-keys' })
    .get('/dashboard/users/:id/keys', kit.route((c) => screen(c), admin), { detail: { hide: true } })
    .post(
      '/dashboard/users/:id/keys/:key/revoke',
      kit.route(async (c) => {
        const userId = parseId(c.params.id);
        const key = await services.userAdmin.revokeKey(c.actor, userId, parseId(c.params.key));
        logRevoke(c, userId, { key_id: key.id });
        if (!c.isHtmx) return kit.redirect(c, `/dashboard/users/${userId}/keys`);
        const { user, keys } = await services.userAdmin.keysOf(c.actor, userId);
        const active = keys.filter((k) => k.revokedAt === null).length;
        // in a template: beside a <tr>, a bare <span> would be moved out by the HTML parser before htmx sees it
        return kit.fragment(html`${userKeyRow(user, key, c.session.csrfToken)}<template>${userKeysCount(active, true)}</template>`, 200, toastHeaders(`The key “${key.name}” was revoked.`));
      }, admin),
      POST,
    )
    .post(
      '/dashboard/users/:id/keys/revoke',
      kit.route(async (c) => {
        const userId = parseId(c.params.id);
        const revoked = await services.userAdmin.revokeAllKeys(c.actor, userId);
        if (revoked > 0) logRevoke(c, userId, { revoked });
        return screen(c, revoked);
      }, admin),
      POST,
    );
};
