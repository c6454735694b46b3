/**
 * API keys of the signed-in user.
 *
 *   GET  /dashboard/keys               the screen (#keys-panel)
 *   POST /dashboard/keys               name=… → the screen with the new key shown once
 *                                      (htmx: the #keys-panel fragment); 422 on a bad name
 *   POST /dashboard/keys/:id/revoke    → the revoked row and the active count (htmx) or 303 back
 *
 * Creating answers with the page itself rather than a redirect: the key must
 * appear exactly once and is never stored in a form we could show again.
 */
import { Elysia } from 'elysia';
import { DomainError } from '../errors.ts';
import { activeCount, keyRow, keysBody, type KeysProps } from '../../views/dashboard/keys.ts';
import { html } from '../../views/html.ts';
import { parseId, type PageCtx } from './dashboard-kit.ts';
import { textOf } from './form-values.ts';
import type { WebModule } from './index.ts';
import { toastHeaders } from './links-toast.ts';

export const keysRoutes: WebModule = (deps, kit) => {
  const { services } = deps;
  const POST = { parse: 'none' as const, detail: { hide: true } };

  async function screen(c: PageCtx, extra: Partial<KeysProps> = {}, status = 200): Promise<Response> {
    const keys = await services.keys.list(c.actor.user.id);
    const body = keysBody({ keys, plan: c.actor.plan, csrfToken: c.session.csrfToken, baseUrl: services.config.baseUrl, ...extra });
    return kit.page(c, { title: 'API keys', nav: 'keys', body, status });
  }

  return new Elysia()
    .get('/dashboard/keys', kit.route((c) => screen(c)), { detail: { hide: true } })
    .post(
      '/dashboard/keys',
      kit.route(async (c) => {
        const name = textOf(c.form.name);
        try {
          const created = await services.keys.create(c.actor.user.id, name);
          return screen(c, { created });
        } catch (e) {
          if (!(e instanceof DomainError) || e.code !== 'VALIDATION') throw e;
          return screen(c, { nameError: e.message, name }, 422);
        }
      }),
      POST,
    )
    .post(
      '/dashboard/keys/:id/revoke',
      kit.route(async (c) => {
        const id = parseId(c.params.id);
        const key = await services.keys.revoke(c.actor.user.id, Number.isSafeInteger(id) ? id : -1);
        if (!c.isHtmx) return kit.redirect(c, '/dashboard/keys');
        const active = (await services.keys.list(c.actor.user.id)).filter((k) => k.revokedAt === null).length;
        // in a template: beside a <tr>, a bare <span> would be moved out by the HTML parser before htmx sees it
        return kit.fragment(html`${keyRow(key, c.session.csrfToken)}<template>${activeCount(active, true)}</template>`, 200, toastHeaders(`The key “${key.name}” was revoked.`, { gone: `key-${key.id}` }));
      }),
      POST,
    );
};
