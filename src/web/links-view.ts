/**
 * The links table's view (search, sort, page, all users) read from a query
 * string or a form, and the one listing call every table render goes
 * through. Unknown values fall back to the defaults instead of failing: a
 * hand-edited or stale URL still shows a table.
 */
import type { Actor } from '../accounts/accounts.types.ts';
import { LINK_STATUSES, type Link, type LinkSortColumn, type LinkStatus, type Page } from '../links/links.types.ts';
import type { Services } from '../services.ts';
import { DEFAULT_VIEW, viewQuery, type LinkView, type SortKey } from '../../views/dashboard/links.ts';
import { textOf } from './form-values.ts';

export const PER_PAGE = 15;

const COLUMNS: Record<SortKey, LinkSortColumn> = {
  code: 'code',
  destination: 'destination',
  title: 'title',
  clicks: 'total_clicks',
  unique: 'unique_clicks',
  created: 'created_at',
};

/** A view from query parameters or form fields; `all` only sticks for admins. */
export function parseView(get: (name: string) => unknown, isAdmin: boolean): LinkView {
  const sort = textOf(get('sort'));
  const dir = textOf(get('dir'));
  const page = Number.parseInt(textOf(get('page')), 10);
  const all = textOf(get('all'));
  const status = textOf(get('status'));
  return {
    q: textOf(get('q')).trim().slice(0, 200),
    status: (LINK_STATUSES as readonly string[]).includes(status) ? (status as LinkStatus) : '',
    sort: Object.hasOwn(COLUMNS, sort) ? (sort as SortKey) : DEFAULT_VIEW.sort,
    dir: dir === 'asc' || dir === 'desc' ? dir : DEFAULT_VIEW.dir,
    page: Number.isSafeInteger(page) && page > 0 ? Math.min(page, 100_000) : 1,
    all: isAdmin && (all === '1' || all === 'on' || all === 'true'),
  };
}

/**
 * One page of the view. A page past the end (the last rows were just deleted,
 * or a stale URL) shows the last page instead of an empty table.
 */
export async function listView(services: Services, actor: Actor, view: LinkView): Promise<{ view: LinkView; page: Page<Link> }> {
  const query = { search: view.q, status: view.status || undefined, sort: COLUMNS[view.sort], direction: view.dir, perPage: PER_PAGE, allUsers: view.all };
  const page = await services.links.list(actor, { ...query, page: view.page });
  const last = Math.max(1, Math.ceil(page.total / PER_PAGE));
  if (page.items.length > 0 || view.page <= last) return { view, page };
  const clamped = { ...view, page: last };
  return { view: clamped, page: await services.links.list(actor, { ...query, page: last }) };
}

/**
 * The emails of the users owning some links, each user read once however many pages or export batches
 * ask (an admin's list of everyone's links names them; views/dashboard/links.ts ownerLabel words it).
 */
export function ownerEmails(services: Services): (links: readonly Link[]) => Promise<ReadonlyMap<number, string>> {
  const known = new Map<number, string>();
  return async (links) => {
    for (const id of new Set(links.map((l) => l.userId))) {
      if (id === null || known.has(id)) continue;
      const user = await services.users.get(id).catch(() => null);
      if (user) known.set(id, user.email);
    }
    return known;
  };
}

/** Every row of a view (at most `max`), `size` at a time in its order, for the CSV export. */
export function viewInBatches(services: Services, actor: Actor, view: LinkView, max: number, size: number): AsyncGenerator<Link[]> {
  return services.links.listInBatches(actor, { search: view.q, status: view.status || undefined, sort: COLUMNS[view.sort], direction: view.dir, allUsers: view.all }, max, size);
}

/**
 * The links list view a page was opened from (its Referer, when that is the
 * list), as a path to go back to: rebuilt from the parsed view, so it can only
 * ever name this site's list, whatever the Referer's origin (behind a
 * TLS-terminating proxy the page is https:// and the request http://).
 * '/dashboard' otherwise.
 */
export function listReturn(from: string | null | undefined, base: string, isAdmin: boolean): string {
  if (!from) return '/dashboard';
  let url: URL;
  try {
    url = new URL(from, base);
  } catch {
    return '/dashboard';
  }
  if (url.pathname !== '/dashboard') return '/dashboard';
  return `/dashboard${viewQuery(parseView((k) => url.searchParams.get(k) ?? undefined, isAdmin))}`;
}
