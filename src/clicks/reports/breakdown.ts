/** Click counts by one dimension (country, device, os, browser, referrer, source) between two days, largest first. */
import type { Db } from '../../db/client.ts';

export type Dimension = 'country' | 'device' | 'os' | 'browser' | 'referrer' | 'source';

export interface ValueCount {
  value: string;
  clicks: number;
}

/** The largest values, and the clicks of those left out (shares are of all of them). */
export interface Breakdown {
  rows: ValueCount[];
  otherClicks: number;
}

const DIMENSIONS: Dimension[] = ['country', 'device', 'os', 'browser', 'referrer', 'source'];

export function createBreakdownReport(db: Db) {
  // days already over: click_rollups' primary key (link, dim, value, day) hands the rows over grouped by value
  const rolled = db.$client.prepare<ValueCount, [number, string, string, string]>(
    `SELECT value, SUM(clicks) AS clicks FROM click_rollups
     WHERE link_id = ? AND dim = ? AND day BETWEEN ? AND ? GROUP BY value`,
  );
  // days not folded yet (usually just today): the profiles of the link, grouped by the dimension's column
  const live = Object.fromEntries(
    DIMENSIONS.map((dim) => [
      dim,
      db.$client.prepare<ValueCount, [number, string, string]>(
        `SELECT ${dim} AS value, SUM(clicks) AS clicks FROM click_profiles
         WHERE link_id = ? AND day BETWEEN ? AND ? AND is_bot = 0 GROUP BY ${dim}`,
      ),
    ]),
  ) as Record<Dimension, ReturnType<typeof db.$client.prepare<ValueCount, [number, string, string]>>>;

  /** `limit` null: every value. */
  return async (linkId: number, dim: Dimension, from: string, to: string, limit: number | null = 50): Promise<Breakdown> => {
    const counts = new Map<string, number>();
    for (const r of rolled.all(linkId, dim, from, to)) counts.set(r.value, r.clicks);
    for (const r of live[dim].all(linkId, from, to)) counts.set(r.value, (counts.get(r.value) ?? 0) + r.clicks);
    const all = [...counts]
      .map(([value, clicks]) => ({ value, clicks }))
      .sort((a, b) => b.clicks - a.clicks || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
    const rows = limit === null ? all : all.slice(0, limit);
    return { rows, otherClicks: all.slice(rows.length).reduce((n, r) => n + r.clicks, 0) };
  };
}
