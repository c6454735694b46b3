/**
 * Link analytics screens (HTML only; the JSON sibling is the native API's
 * GET /api/v1/links/{id}/analytics):
 *   GET /dashboard/links/:id/analytics       the page; with HX-Target: analytics,
 *                                            only the #analytics section (range picker swaps)
 *   GET /dashboard/links/:id/analytics.csv   the same numbers as CSV
 * Both take ?range=7|30|90 (default 30) or ?from=YYYY-MM-DD&to=YYYY-MM-DD.
 * Owners see their links; admins may look at anyone's (links.getViewable);
 * anyone else gets 404, as if the link did not exist.
 *
 * Choices: a range the core refuses is shown next to the date fields —
 * 422 on a full page, 200 on an htmx swap (htmx swaps only 2xx answers).
 * A fragment is returned only when htmx targets #analytics: a history
 * restore (back button, historyCacheSize 0) asks for the whole page.
 */
import { csvDownload } from '../http/respond.ts';
import { Elysia } from 'elysia';
import type { LinkAnalytics } from '../clicks/analytics.service.ts';
import { DomainError } from '../errors.ts';
import type { AppDeps } from '../http/app-deps.ts';
import { analyticsPage, analyticsSection, linkName, type AnalyticsView } from '../../views/dashboard/analytics.ts';
import { analyticsCsv } from './analytics-csv.ts';
import { dayOf, parseRange, type RangeChoice } from './analytics-range.ts';
import { parseId, type PageCtx } from './dashboard-kit.ts';
import { fieldErrorOf } from './form-errors.ts';
import type { WebModule } from './index.ts';

function rangeError(e: unknown) {
  const error = fieldErrorOf(e);
  return error?.field === 'from' || error?.field === 'to' ? error : null;
}

export const analyticsRoutes: WebModule = (deps: AppDeps, kit) => {
  const { services } = deps;

  /** The data for a range, or the reason the range is unusable (then the page says so). `limit` null: every breakdown value. */
  async function load(c: PageCtx, limit?: number | null) {
    const link = await services.links.getViewable(c.actor, parseId(c.params.id));
    const query = c.query;
    const fallback: RangeChoice = { key: 'custom', from: query.from ?? '', to: query.to ?? '' };
    try {
      // the core's clock: the presets' today and the analytics' today must be the same day
      const range = parseRange(query, services.now());
      const data: LinkAnalytics = await services.analytics.forLink(link, range, { limit });
      return { link, range, data, error: null };
    } catch (e) {
      const error = rangeError(e);
      if (!error) throw e;
      return { link, range: fallback, data: null, error };
    }
  }

  return new Elysia({ name: 'web-analytics' })
    .get(
      '/dashboard/links/:id/analytics',
      kit.route(async (c) => {
        const loaded = await load(c);
        const v: AnalyticsView = { ...loaded, shortUrl: services.shortUrl(loaded.link.code), today: dayOf(services.now()) };
        if (c.isHtmx && c.request.headers.get('hx-target') === 'analytics') {
          return kit.fragment(analyticsSection(v), 200);
        }
        // htmx restores history only from a 2xx answer: Back to a refused range shows it, with its message
        const restoring = c.request.headers.get('hx-history-restore-request') === 'true';
        return kit.page(c, { title: `Analytics · ${linkName(v.link)}`, nav: 'links', body: analyticsPage(v), status: v.error && !restoring ? 422 : 200 });
      }),
      { detail: { hide: true } },
    )
    .get(
      '/dashboard/links/:id/analytics.csv',
      kit.route(async (c) => {
        // every value: an export that stops at the top 50 would drop rows without saying so
        const { link, data, error } = await load(c, null);
        if (!data) throw new DomainError('VALIDATION', error!.message, { field: error!.field });
        return csvDownload(analyticsCsv(data), `analytics-${link.code}-${data.range.from}-${data.range.to}.csv`, { 'cache-control': 'no-store' });
      }),
      { detail: { hide: true } },
    );
};
