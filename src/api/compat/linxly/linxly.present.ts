/** Linx.ly response shapes, field for field as its document shows them. */
import { laravelPageLinks } from '../../../http/laravel.ts';
import { isLive, type Link, type Schedule } from '../../../links/links.types.ts';

/** Linx.ly's dates: "2026-06-04 12:20:00", UTC. */
export const linxDate = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString().slice(0, 19).replace('T', ' '));

/** The core keeps UTM on the link itself, so the link id doubles as the UTM set's id. */
function presentUtm(link: Link) {
  if (!link.utm) return null;
  const u = link.utm;
  return { id: link.id, utm_source: u.source, utm_medium: u.medium, utm_campaign: u.campaign, utm_term: u.term, utm_content: u.content };
}

export function presentListItem(link: Link) {
  return {
    id: link.id,
    utm_id: link.utm ? link.id : null,
    short_code: link.code,
    // Linx.ly has no expiry field: an expired link (expiry set elsewhere) answers 404, so it is not active
    status: isLive(link, Date.now()),
    destination_url: link.destination,
    created_at: linxDate(link.createdAt),
    clicks_count: link.totalClicks,
    utm: presentUtm(link),
  };
}

export function presentLink(link: Link, schedules: Schedule[]) {
  return {
    data: {
      id: link.id,
      short_code: link.code,
      destination_url: link.destination,
      user_id: link.userId,
      created_at: linxDate(link.createdAt),
      updated_at: linxDate(link.updatedAt),
      utm: presentUtm(link),
      schedules: schedules.map((s) => ({ id: s.id, start_at: linxDate(s.startsAt), end_at: linxDate(s.endsAt), destination_url: s.destination })),
    },
  };
}

/**
 * Laravel's API-resource pagination body ({data, links, meta}). Like the
 * document, page URLs carry only ?page (Laravel without withQueryString()).
 */
export function paginate<T>(items: T[], total: number, page: number, perPage: number, path: string) {
  const lastPage = Math.max(1, Math.ceil(total / perPage));
  const url = (p: number) => `${path}?page=${p}`;
  const from = items.length ? (page - 1) * perPage + 1 : null;
  const prev = page > 1 ? url(page - 1) : null;
  const next = page < lastPage ? url(page + 1) : null;
  return {
    data: items,
    links: { first: url(1), last: url(lastPage), prev, next },
    meta: {
      current_page: page,
      from,
      last_page: lastPage,
      links: [
        { url: prev, label: '« Previous', active: false },
        ...laravelPageLinks(page, lastPage, url),
        { url: next, label: 'Next »', active: false },
      ],
      path,
      per_page: perPage,
      to: from === null ? null : from + items.length - 1,
      total,
    },
  };
}
