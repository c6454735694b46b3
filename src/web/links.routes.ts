/**
 * The links home (GET /dashboard) and its row and bulk actions.
 *
 *   GET  /dashboard                     the page; with HX-Request the #links-table fragment
 *                                       (HX-Push-Url: the canonical URL of the view; bulk: HX-Replace-Url)
 *   POST /dashboard/links/:id/toggle    pause/activate → the row fragment
 *   POST /dashboard/links/:id/delete    soft delete → the table fragment of the view it was sent from
 *   POST /dashboard/links/bulk          action=delete|deactivate (pause)|activate, select_ID=1… → the table fragment
 *
 * An admin may pause, activate and delete any user's link, anonymous ones
 * included (taking down abuse), never edit it; each such action is logged.
 *
 * Without htmx (no script), every POST answers 303 back to the view, so the
 * screens also work as plain forms. A back-button restore (HX-History-
 * Restore-Request) needs the whole page, not the fragment.
 */
import type { HttpContext } from '../http/context.ts';
import type { Link } from '../links/links.types.ts';
import { Elysia } from 'elysia';
import { DomainError } from '../errors.ts';
import { linkRow, linksPageBody, linksTable, viewQuery, type LinkView } from '../../views/dashboard/links.ts';
import { currentPage, parseId, refinesSearch, type PageCtx } from './dashboard-kit.ts';
import type { WebModule } from './index.ts';
import { toastHeaders as toast } from './links-toast.ts';
import { listView, ownerEmails, parseView } from './links-view.ts';

const POST = { parse: 'none' as const, detail: { hide: true } };
const MAX_BULK = 100;

export const linksRoutes: WebModule = (deps, kit) => {
  const { services } = deps;
  const isAdmin = (c: PageCtx) => c.actor.user.role === 'admin';
  const tableProps = (c: PageCtx, owners?: ReadonlyMap<number, string>) => ({ isAdmin: isAdmin(c), actorId: c.actor.user.id, csrfToken: c.session.csrfToken, shortUrl: services.shortUrl, now: services.now(), owners });

  /** The emails of the users owning `items`, for an admin's table (none for a member, who sees only their own). */
  const ownersOf = async (c: PageCtx, items: readonly Link[]) => (isAdmin(c) ? ownerEmails(services)(items) : undefined);

  /** An admin acting on another user's link (or an anonymous one) is said in the log: who, what, whose. */
  function logTakeDown(c: PageCtx, link: Link, action: string): void {
    if (link.userId === c.actor.user.id) return;
    deps.logger.info(`admin ${action} another user's link`, { admin_id: c.actor.user.id, link_id: link.id, code: link.code, owner_id: link.userId ?? 'anonymous' });
  }

  async function table(c: PageCtx, view: LinkView, headers: Record<string, string> = {}): Promise<Response> {
    const listed = await listView(services, c.actor, view);
    const body = linksTable({ ...tableProps(c, await ownersOf(c, listed.page.items)), ...listed });
    // a view asked for by GET is a new history entry; after a bulk POST the same view is redrawn, so the
    // entry is replaced (pushing one per action would take an extra Back press each); so is a search
    // typed on from one already shown, or each pause in typing would be a step of Back
    const history = c.request.method === 'GET' && !refinesSearch(c.request, 'q', 'q') ? 'hx-push-url' : 'hx-replace-url';
    return kit.fragment(body, 200, { [history]: `/dashboard${viewQuery(listed.view)}`, ...headers });
  }

  const idOf = (c: PageCtx) => parseId(c.params.id);

  /**
   * One link at a time through the service, so ownership and cache rules apply to each; ids the actor
   * may not manage (another user's, for a member) are skipped. Returns the ids acted on.
   */
  async function applyBulk(action: BulkAction, ids: number[], c: PageCtx): Promise<number[]> {
    const missing = (e: unknown) => {
      if (e instanceof DomainError && e.code === 'NOT_FOUND') return null;
      throw e;
    };
    const done: number[] = [];
    for (const id of ids) {
      const link =
        action === 'delete'
          ? await services.links.removeAsManager(c.actor, id).catch(missing)
          : await services.links.setActiveAsManager(c.actor, id, action === 'activate').catch(missing);
      if (!link) continue;
      logTakeDown(c, link, BULK_LOGGED[action]);
      done.push(id);
    }
    return done;
  }

  return new Elysia()
    // the list lives at /dashboard; /dashboard/links, where /dashboard/links/new and each link's pages
    // suggest it is, was a bare 404 (a typed or trimmed address)
    .get('/dashboard/links', ({ request }: HttpContext) => new Response(null, { status: 308, headers: { location: `/dashboard${new URL(request.url).search}` } }), { detail: { hide: true } })
    .get(
      '/dashboard',
      kit.route(async (c) => {
        const view = parseView((k) => c.query[k], isAdmin(c));
        const restore = c.request.headers.get('hx-history-restore-request') === 'true';
        if (c.isHtmx && !restore) return table(c, view);
        const listed = await listView(services, c.actor, view);
        const owners = await ownersOf(c, listed.page.items);
        const createdCode = c.query.created;
        const created = createdCode ? (listed.page.items.find((l) => l.code === createdCode && l.userId === c.actor.user.id) ?? null) : null;
        // after an edit (links-form.ts): the confirmation names the link, which need not be on this page
        const savedCode = c.query.saved;
        const saved = savedCode ? await services.links.getByCode(c.actor, savedCode).catch(() => null) : null;
        const body = linksPageBody({ ...tableProps(c, owners), ...listed, created, saved });
        return kit.page(c, { title: 'Links', nav: 'links', body });
      }),
      { detail: { hide: true } },
    )
    .post(
      '/dashboard/links/:id/toggle',
      kit.route(async (c) => {
        const link = await services.links.getViewable(c.actor, idOf(c));
        // the state the button showed it would set, not "the other one": a double click, or a second
        // tab's button, must not undo the first (a page without the field, from before it, still flips)
        const wanted = c.form.active === '0' ? false : c.form.active === '1' ? true : !link.isActive;
        const updated = await services.links.setActiveAsManager(c.actor, link.id, wanted);
        logTakeDown(c, updated, wanted ? 'activated' : 'paused');
        if (!c.isHtmx) return kit.redirect(c, '/dashboard');
        const expired = updated.expiresAt !== null && updated.expiresAt <= services.now();
        const message = !updated.isActive
          ? `${updated.code} is paused: visitors get “not found”.`
          : expired
            ? `${updated.code} is no longer paused, but it has expired: edit its expiry to let visitors through again.`
            : `${updated.code} is active again.`;
        return kit.fragment(linkRow(updated, tableProps(c, await ownersOf(c, [updated]))), 200, toast(message));
      }),
      POST,
    )
    .post(
      '/dashboard/links/:id/delete',
      kit.route(async (c) => {
        const link = await services.links.removeAsManager(c.actor, idOf(c));
        logTakeDown(c, link, 'deleted');
        if (!c.isHtmx) return kit.redirect(c, '/dashboard');
        // the whole view of the page it was deleted from, not just the row gone: the "16–30 of 41" bar,
        // the page's rows and the empty state stay true
        const from = currentPage(c.request, '/dashboard');
        const view = parseView((k) => from.searchParams.get(k) ?? undefined, isAdmin(c));
        return table(c, view, { ...toast(`${link.code} was deleted.`, { gone: `link-${link.id}` }), 'hx-retarget': '#links-table', 'hx-reswap': 'innerHTML' });
      }),
      POST,
    )
    .post(
      '/dashboard/links/bulk',
      kit.route(async (c) => {
        const view = parseView((k) => c.form[k], isAdmin(c));
        const ids = selectedIds(c.form).slice(0, MAX_BULK);
        const action = BULK_ACTIONS.find((a) => a === c.form.action) ?? null;
        if (!action || ids.length === 0) {
          const message = action ? 'Select at least one link first.' : 'Choose an action.';
          return c.isHtmx ? table(c, view, toast(message)) : kit.redirect(c, `/dashboard${viewQuery(view)}`);
        }
        const done = await applyBulk(action, ids, c);
        if (!c.isHtmx) return kit.redirect(c, `/dashboard${viewQuery(view)}`);
        const verb = { delete: 'Deleted', deactivate: 'Paused', activate: 'Activated' }[action];
        const message = `${verb} ${done.length} ${done.length === 1 ? 'link' : 'links'}.`;
        return table(c, view, toast(message, action === 'delete' ? { gone: done.map((id) => `link-${id}`) } : {}));
      }),
      POST,
    );

};

// deactivate pauses, as each row's button does (the action keeps the name forms have always sent)
const BULK_ACTIONS = ['delete', 'deactivate', 'activate'] as const;
type BulkAction = (typeof BULK_ACTIONS)[number];
const BULK_LOGGED: Record<BulkAction, string> = { delete: 'deleted', deactivate: 'paused', activate: 'activated' };

/** Checkbox fields are named select_ID (one field per row, since the form parser keeps one value per name). */
function selectedIds(form: Record<string, unknown>): number[] {
  return Object.keys(form)
    .map((k) => /^select_(\d{1,15})$/.exec(k)?.[1])
    .filter((v): v is string => v !== undefined)
    .map(Number);
}
