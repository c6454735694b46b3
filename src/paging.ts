/**
 * The page window of a list request, clamped the same way for every list
 * (links, QR codes): a missing or malformed page is page 1, and a page holds
 * 1 to 100 items, 15 when unsaid, so no request can ask for the whole table.
 */
const DEFAULT_PER_PAGE = 15;
const MAX_PER_PAGE = 100;

export interface PageWindow {
  page: number;
  perPage: number;
  offset: number;
}

export function pageWindow(q: { page: number; perPage: number }): PageWindow {
  const page = Math.max(1, Math.trunc(q.page) || 1);
  const perPage = Math.max(1, Math.min(MAX_PER_PAGE, Math.trunc(q.perPage) || DEFAULT_PER_PAGE));
  return { page, perPage, offset: (page - 1) * perPage };
}
