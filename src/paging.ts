/**
 * The page window of a list request, clamped the same way for every list
 * (links, QR codes): a missing or malformed page is page 1, and a page holds
 * 1 to 100 items, 15 when unsaid, so no request can ask for the whole table.
 * Pages past the end are empty, however far: the page number is capped only
 * so that its offset stays an exact integer (page=1e308 once made an infinite
 * OFFSET, which SQLite refused with a 500).
 */
const DEFAULT_PER_PAGE = 15;
const MAX_PER_PAGE = 100;
const MAX_PAGE = Math.floor(Number.MAX_SAFE_INTEGER / MAX_PER_PAGE);

export interface PageWindow {
  page: number;
  perPage: number;
  offset: number;
}

export function pageWindow(q: { page: number; perPage: number }): PageWindow {
  const page = Math.min(MAX_PAGE, Math.max(1, Math.trunc(q.page) || 1));
  const perPage = Math.max(1, Math.min(MAX_PER_PAGE, Math.trunc(q.perPage) || DEFAULT_PER_PAGE));
  return { page, perPage, offset: (page - 1) * perPage };
}
