/**
 * LinkShrink response shapes, field for field as its document shows them.
 * Dates are ISO 8601 with milliseconds (2026-02-20T12:00:00.000Z).
 */
import type { AnalyticsService, LinkAnalytics } from '../../../clicks/analytics.service.ts';
import type { CreatedLink } from '../../../links/links.service.ts';
import type { Link } from '../../../links/links.types.ts';
import type { UtmSet } from './linkshrink.schemas.ts';

type DayCount = LinkAnalytics['clicksOverTime'][number];
type Daily = Awaited<ReturnType<AnalyticsService['daily']>>;

export const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export interface LinkUrls {
  shortUrl: (code: string) => string;
  baseUrl: string;
}

export const success = (data: unknown) => ({ status: 'success', data });

export function presentCreated({ link, deleteToken, statsToken }: CreatedLink, urls: LinkUrls) {
  const { code } = link;
  return {
    code,
    shortUrl: urls.shortUrl(code),
    previewUrl: `${urls.baseUrl}/preview/${code}`,
    qrCode: `${urls.baseUrl}/api/v1/qr/${code}.png`,
    analytics: `${urls.baseUrl}/api/v1/stats/${code}`,
    deleteToken,
    // shown once: only its hash is stored
    ...(statsToken ? { statsToken } : {}),
    passwordProtected: link.passwordHash !== null,
    privateStats: link.statsPrivate,
    forcePreview: link.redirectMode === 'preview',
    originalUrl: link.destination,
    createdAt: iso(link.createdAt),
    expiresAt: iso(link.expiresAt),
  };
}

export function presentUtm(created: CreatedLink, urls: LinkUrls, utm: UtmSet) {
  const base = presentCreated(created, urls);
  return { ...base, taggedUrl: base.originalUrl, utm };
}

const days = (rows: DayCount[]) => rows.map((d) => ({ date: d.day, clicks: d.clicks }));

/** The top referring domains a stats answer lists. */
export const TOP_REFERRERS = 50;
/**
 * Values read per breakdown for a stats answer: more than there are country
 * codes, so that `countries` lists every country (it is the geographic
 * breakdown, not a top), and the referrers keep TOP_REFERRERS once direct
 * visits are left out.
 */
export const STATS_BREAKDOWN = { limit: 300 };

/**
 * Direct visits have no referring domain and unlocated ones no country; both
 * are left out of their lists (after the values are read, so neither takes
 * the place of a listed one). `destination` is null where the caller may
 * not see it (a password-protected link, see links.destinationVisible).
 */
export function presentStats(link: Link, a: LinkAnalytics, destination: string | null) {
  return {
    code: link.code,
    originalUrl: destination,
    clicks: link.totalClicks,
    clicksByDay: days(a.clicksOverTime).reverse(),
    referrers: a.referrers.filter((r) => r.value).slice(0, TOP_REFERRERS).map((r) => ({ domain: r.value, clicks: r.clicks })),
    countries: a.countries.filter((c) => c.code).map((c) => ({ country: c.code!, clicks: c.clicks })),
    createdAt: iso(link.createdAt),
    expiresAt: iso(link.expiresAt),
    lastClicked: iso(link.lastClickedAt),
  };
}

export function presentExport(link: Link, daily: Daily, destination: string | null) {
  return {
    code: link.code,
    originalUrl: destination,
    from: daily.range.from,
    to: daily.range.to,
    totalClicks: daily.total,
    clicksByDay: days(daily.days),
  };
}

export const exportCsv = (rows: DayCount[]) => ['date,clicks', ...rows.map((d) => `${d.day},${d.clicks}`)].join('\n') + '\n';
