/**
 * An admin hands every link and QR code of one user to another (admin only:
 * kit.route(…, { admin: true })). The rules — an active recipient other than
 * the user, deleted links too, the recipient's plan not in the way — live in
 * services.userAdmin / transfer.service.ts; these handlers parse and render.
 *
 *   GET  /dashboard/users/:id/transfer           what they hold and a choice of recipient;
 *        ?to=ID                                  with what transferring to that user means, and the confirm button
 *   POST /dashboard/users/:id/transfer  to=ID    → the users screen saying what moved (its form is boosted
 *                                                  with the list's address: a reload shows the list, it does
 *                                                  not transfer again what the user has made since)
 *
 * A refused recipient (none chosen, the user themselves, a deactivated one)
 * is said beside the choice (422). A transfer is said in the log, as an
 * admin's take-down of another user's link is.
 */
import { Elysia } from 'elysia';
import { usersPage } from '../../views/dashboard/admin.ts';
import type { FieldError } from '../../views/dashboard/field-error.ts';
import { transferPage } from '../../views/dashboard/transfer.ts';
import type { TransferPreview } from '../accounts/transfer.service.ts';
import { parseId, type PageCtx } from './dashboard-kit.ts';
import { fieldErrorOf } from './form-errors.ts';
import { textOf } from './form-values.ts';
import type { WebModule } from './index.ts';

const admin = { admin: true };
const POST = { parse: 'none' as const, detail: { hide: true } };

export const transferRoutes: WebModule = (deps, kit) => {
  const { services } = deps;

  async function screen(c: PageCtx, extra: { preview?: TransferPreview; error?: FieldError; chosen?: string } = {}, status = 200): Promise<Response> {
    const { from, moving, candidates } = await services.userAdmin.transferOverview(c.actor, parseId(c.params.id));
    const body = transferPage({ from, moving, candidates, csrfToken: c.session.csrfToken, ...extra });
    return kit.page(c, { title: 'Transfer links and QR codes', nav: 'users', body, status });
  }

  /** A refusal about the recipient, shown beside the choice; anything else goes to the kit. */
  async function refused(c: PageCtx, e: unknown, chosen: string): Promise<Response> {
    const error = fieldErrorOf(e);
    if (!error) throw e;
    return screen(c, { error, chosen }, 422);
  }

  return new Elysia({ name: 'web-transfer' })
    .get(
      '/dashboard/users/:id/transfer',
      kit.route(async (c) => {
        const to = textOf(c.query.to);
        if (to === '') return screen(c);
        try {
          return await screen(c, { preview: await services.userAdmin.transferPreview(c.actor, parseId(c.params.id), parseId(to)) });
        } catch (e) {
          return refused(c, e, to);
        }
      }, admin),
      { detail: { hide: true } },
    )
    .post(
      '/dashboard/users/:id/transfer',
      kit.route(async (c) => {
        const to = textOf(c.form.to);
        let done;
        try {
          done = await services.userAdmin.transfer(c.actor, parseId(c.params.id), parseId(to));
        } catch (e) {
          return refused(c, e, to);
        }
        const { moved } = done;
        deps.logger.info('admin transferred links', { admin_id: c.actor.user.id, from_id: done.from.id, to_id: done.to.id, links: moved.links, deleted_links: moved.deletedLinks, qr_codes: moved.qrCodes });
        const dir = await services.userAdmin.directory(c.actor);
        const body = usersPage({ ...dir, me: c.actor.user.id, csrfToken: c.session.csrfToken, transferred: done });
        return kit.page(c, { title: 'Users', nav: 'users', body });
      }, admin),
      POST,
    );
};
