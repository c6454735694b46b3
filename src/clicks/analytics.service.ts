/**
 * Per-link analytics, read from the daily rollups the flusher maintains, so
 * the cost depends on days and distinct values, not on the number of clicks.
 */
import { DomainError } from '../errors.ts';
import type { Link } from '../links/links.types.ts';
import type { Breakdown, Dimension, ValueCount } from './reports/breakdown.ts';
import type { DayCount } from './reports/clicks-by-day.ts';

export interface AnalyticsReports {
  clicksByDay: (linkId: number, series: 'total' | 'unique' | 'bots', from: string, to: string) => Promise<DayCount[]>;
  breakdown: (linkId: number, dim: Dimension, from: string, to: string, limit?: number | null) => Promise<Breakdown>;
}

export interface DateRange {
  from: string; // YYYY-MM-DD, inclusive
  to: string;
}

export interface LinkAnalytics {
  /**
   * uniqueClicks counts each visitor once, on their first visit to the link: over the whole history
   * that is the distinct visitors ('lifetime'); over a range, the visitors whose first visit falls in
   * it ('first-visits', new visitors). Distinct visitors of an arbitrary range would need the raw
   * clicks, and analytics read daily rollups only.
   */
  summary: { totalClicks: number; uniqueClicks: number; uniqueScope: 'lifetime' | 'first-visits'; lastClickedAt: number | null };
  clicksOverTime: DayCount[];
  uniqueOverTime: DayCount[];
  countries: { code: string | null; name: string; clicks: number }[];
  devices: ValueCount[];
  os: ValueCount[];
  browsers: ValueCount[];
  referrers: ValueCount[];
  sources: ValueCount[];
  /** per breakdown, the clicks of the values beyond those listed (none when every value is listed) */
  otherClicks: Record<Dimension, number>;
  range: DateRange;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
// built on first use, like every Intl formatter here: not part of every start
let regionNames: Intl.DisplayNames | undefined;

export function countryName(code: string | null): string {
  if (!code) return 'Unknown';
  try {
    return (regionNames ??= new Intl.DisplayNames(['en'], { type: 'region' })).of(code) ?? code;
  } catch {
    return code;
  }
}

/** @throws VALIDATION when from/to are not real YYYY-MM-DD dates or from > to */
export function checkRange(from: string | undefined, to: string | undefined, fallbackFrom: string, fallbackTo: string): DateRange {
  let f = from ?? fallbackFrom;
  let t = to ?? fallbackTo;
  for (const [field, v] of [['from', f], ['to', t]] as const) {
    if (!DAY.test(v) || Number.isNaN(Date.parse(`${v}T00:00:00Z`)) || new Date(`${v}T00:00:00Z`).toISOString().slice(0, 10) !== v) {
      throw new DomainError('VALIDATION', `The ${field} date must be a valid date in YYYY-MM-DD format.`, { field });
    }
  }
  if (f > t) {
    if (from !== undefined && to !== undefined) throw new DomainError('VALIDATION', 'The from date must be on or before the to date.', { field: 'from' });
    // one bound given, past the default of the other (to before the link existed, from after today):
    // a valid question whose answer is the one day asked about, with no clicks, not an error
    if (from === undefined) f = t;
    else t = f;
  }
  return { from: f, to: t };
}

export function createAnalyticsService(deps: { reports: AnalyticsReports; now?: () => number }) {
  const { reports } = deps;
  const now = deps.now ?? Date.now;
  const today = () => new Date(now()).toISOString().slice(0, 10);
  const dayOfMs = (ms: number) => new Date(ms).toISOString().slice(0, 10);

  return {
    /**
     * The whole link history by default; pass a range to narrow it. Each
     * breakdown lists its 50 largest values unless `limit` says otherwise
     * (null: all, for exports). @throws VALIDATION
     */
    async forLink(link: Link, range?: Partial<DateRange>, opts: { limit?: number | null } = {}): Promise<LinkAnalytics> {
      const r = checkRange(range?.from, range?.to, dayOfMs(link.createdAt), today());
      const all = !range?.from && !range?.to;
      const by = (dim: Dimension) => reports.breakdown(link.id, dim, r.from, r.to, opts.limit === undefined ? 50 : opts.limit);
      const [clicksOverTime, uniqueOverTime, countries, devices, os, browsers, referrers, sources] = await Promise.all([
        reports.clicksByDay(link.id, 'total', r.from, r.to),
        reports.clicksByDay(link.id, 'unique', r.from, r.to),
        by('country'),
        by('device'),
        by('os'),
        by('browser'),
        by('referrer'),
        by('source'),
      ]);
      const sum = (rows: DayCount[]) => rows.reduce((n, d) => n + d.clicks, 0);
      return {
        summary: all
          ? { totalClicks: link.totalClicks, uniqueClicks: link.uniqueClicks, uniqueScope: 'lifetime', lastClickedAt: link.lastClickedAt }
          : { totalClicks: sum(clicksOverTime), uniqueClicks: sum(uniqueOverTime), uniqueScope: 'first-visits', lastClickedAt: link.lastClickedAt },
        clicksOverTime,
        uniqueOverTime,
        countries: countries.rows.map((c) => ({ code: c.value || null, name: countryName(c.value || null), clicks: c.clicks })),
        devices: devices.rows,
        os: os.rows,
        browsers: browsers.rows,
        referrers: referrers.rows,
        sources: sources.rows,
        otherClicks: {
          country: countries.otherClicks,
          device: devices.otherClicks,
          os: os.otherClicks,
          browser: browsers.otherClicks,
          referrer: referrers.otherClicks,
          source: sources.otherClicks,
        },
        range: r,
      };
    },

    /** Daily totals only (exports, stats APIs). @throws VALIDATION */
    async daily(link: Link, range?: Partial<DateRange>): Promise<{ days: DayCount[]; total: number; range: DateRange }> {
      const r = checkRange(range?.from, range?.to, dayOfMs(link.createdAt), today());
      const days = await reports.clicksByDay(link.id, 'total', r.from, r.to);
      return { days, total: days.reduce((n, d) => n + d.clicks, 0), range: r };
    },
  };
}
export type AnalyticsService = ReturnType<typeof createAnalyticsService>;
