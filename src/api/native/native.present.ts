/** Minilnk response shapes, field for field as its document shows them. */
import { laravelPageLinks } from '../../http/laravel.ts';
import type { Link } from '../../links/links.types.ts';
import type { LinkAnalytics } from '../../clicks/analytics.service.ts';
import type { QrCode } from '../../qr/qr.types.ts';

/** Laravel's JSON date: ISO 8601 with microseconds, e.g. 2026-05-24T22:00:00.000000Z */
export const laravelDate = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z'));

export function presentLink(link: Link, shortUrl: (code: string) => string) {
  return {
    id: link.id,
    user_id: link.userId,
    domain_id: null,
    original_url: link.destination,
    short_code: link.code,
    alias: link.isAlias ? link.code : null,
    title: link.title,
    description: link.description,
    total_clicks: link.totalClicks,
    unique_clicks: link.uniqueClicks,
    is_active: link.isActive,
    // beyond the document: what a client needs to show protection and expiry
    password_protected: link.passwordHash !== null,
    expires_at: laravelDate(link.expiresAt),
    created_at: laravelDate(link.createdAt),
    updated_at: laravelDate(link.updatedAt),
    short_url: shortUrl(link.code),
  };
}

/** Laravel's LengthAwarePaginator body; page URLs carry only ?page, as in the document's search example. */
export function paginate<T>(items: T[], total: number, page: number, perPage: number, path: string) {
  const lastPage = Math.max(1, Math.ceil(total / perPage));
  const url = (p: number) => `${path}?page=${p}`;
  const from = items.length ? (page - 1) * perPage + 1 : null;
  return {
    current_page: page,
    data: items,
    first_page_url: url(1),
    from,
    last_page: lastPage,
    last_page_url: url(lastPage),
    links: [
      { url: page > 1 ? url(page - 1) : null, label: '&laquo; Previous', active: false },
      ...laravelPageLinks(page, lastPage, url),
      { url: page < lastPage ? url(page + 1) : null, label: 'Next &raquo;', active: false },
    ],
    next_page_url: page < lastPage ? url(page + 1) : null,
    path,
    per_page: perPage,
    prev_page_url: page > 1 ? url(page - 1) : null,
    to: from === null ? null : from + items.length - 1,
    total,
  };
}

/** previewSvg is null only for a code saved before capacity was checked, whose content no QR code holds. */
export function presentQr(qr: QrCode, baseUrl: string, previewSvg: string | null, isDynamic: boolean) {
  return {
    id: qr.id,
    user_id: qr.userId,
    link_id: qr.linkId,
    name: qr.name,
    content: qr.content,
    type: qr.type,
    foreground_color: qr.foregroundColor,
    background_color: qr.backgroundColor,
    margin: qr.margin,
    size: qr.size,
    error_correction: qr.errorCorrection,
    is_dynamic: isDynamic,
    created_at: laravelDate(qr.createdAt),
    download_svg_url: `${baseUrl}/dashboard/qrcodes/${qr.id}/download/svg`,
    download_png_url: `${baseUrl}/dashboard/qrcodes/${qr.id}/download/png`,
    preview_svg: previewSvg,
  };
}

const orUnknown = (v: string) => v || 'Unknown';
const OTHER = '(other)';
const withOther = <T>(rows: T[], other: number, entry: (count: number) => T): T[] => (other > 0 ? [...rows, entry(other)] : rows);

export function presentAnalytics(link: Link, a: LinkAnalytics, shortUrl: (code: string) => string) {
  return {
    link: {
      id: link.id,
      title: link.title,
      short_code: link.code,
      short_url: shortUrl(link.code),
      original_url: link.destination,
      total_clicks: link.totalClicks,
      unique_clicks: link.uniqueClicks,
    },
    summary: {
      total_clicks: a.summary.totalClicks,
      unique_clicks: a.summary.uniqueClicks,
      last_clicked_at: laravelDate(a.summary.lastClickedAt),
    },
    // each breakdown lists its 50 largest values; the clicks of the rest are one last "(other)" entry, so
    // that every breakdown still adds up to the period's clicks
    breakdown: {
      clicks_over_time: a.clicksOverTime.map((d) => ({ date: d.day, count: d.clicks })),
      unique_clicks_over_time: a.uniqueOverTime.map((d) => ({ date: d.day, count: d.clicks })),
      devices: withOther(a.devices.map((d) => ({ device_type: orUnknown(d.value), count: d.clicks })), a.otherClicks.device, (count) => ({ device_type: OTHER, count })),
      countries: withOther(a.countries.map((c) => ({ country: c.name, country_code: c.code, count: c.clicks })), a.otherClicks.country, (count) => ({ country: 'Other', country_code: null, count })),
      browsers: withOther(a.browsers.map((b) => ({ browser: orUnknown(b.value), count: b.clicks })), a.otherClicks.browser, (count) => ({ browser: OTHER, count })),
      operating_systems: withOther(a.os.map((o) => ({ os: orUnknown(o.value), count: o.clicks })), a.otherClicks.os, (count) => ({ os: OTHER, count })),
      referrers: withOther(a.referrers.map((r) => ({ referrer: r.value || '(direct)', count: r.clicks })), a.otherClicks.referrer, (count) => ({ referrer: OTHER, count })),
      sources: withOther(a.sources.map((s) => ({ source: s.value, count: s.clicks })), a.otherClicks.source, (count) => ({ source: OTHER, count })),
    },
    range: { from: a.range.from, to: a.range.to },
  };
}
