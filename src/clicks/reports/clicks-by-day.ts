/** Daily counts of one series ('total', 'unique' or 'bots') between two days, inclusive. */
import type { Db } from '../../db/client.ts';

export interface DayCount {
  day: string;
  clicks: number;
}

// Days already over come from click_rollups (value = '' makes the range one run of its primary key,
// in day order); days not yet folded from click_profiles (today, and for a busy link part of today in
// each: its profiles are folded every 1,000). Both are read in one transaction, so a fold is seen
// whole or not at all.
const PROFILE_COLUMN = {
  total: 'CASE WHEN is_bot = 0 THEN clicks ELSE 0 END',
  unique: 'CASE WHEN is_bot = 0 THEN uniques ELSE 0 END',
  bots: 'CASE WHEN is_bot = 1 THEN clicks ELSE 0 END',
} as const;

export function createClicksByDayReport(db: Db) {
  const rolled = db.$client.prepare<DayCount, [number, string, string, string]>(
    `SELECT day, SUM(clicks) AS clicks FROM click_rollups
     WHERE link_id = ? AND dim = ? AND value = '' AND day BETWEEN ? AND ? GROUP BY day ORDER BY day`,
  );
  const live = Object.fromEntries(
    Object.entries(PROFILE_COLUMN).map(([series, column]) => [
      series,
      db.$client.prepare<DayCount, [number, string, string]>(
        `SELECT day, SUM(${column}) AS clicks FROM click_profiles
         WHERE link_id = ? AND day BETWEEN ? AND ? GROUP BY day HAVING SUM(${column}) > 0 ORDER BY day`,
      ),
    ]),
  ) as Record<keyof typeof PROFILE_COLUMN, ReturnType<typeof db.$client.prepare<DayCount, [number, string, string]>>>;

  const read = db.$client.transaction((linkId: number, series: 'total' | 'unique' | 'bots', from: string, to: string) => ({
    days: rolled.all(linkId, series, from, to),
    recent: live[series].all(linkId, from, to),
  }));

  return async (linkId: number, series: 'total' | 'unique' | 'bots', from: string, to: string): Promise<DayCount[]> => {
    // one read transaction: the flush worker may fold profiles into rollups between two statements
    const { days, recent } = read(linkId, series, from, to);
    if (!recent.length) return days;
    const byDay = new Map(days.map((d) => [d.day, d.clicks]));
    for (const d of recent) byDay.set(d.day, (byDay.get(d.day) ?? 0) + d.clicks);
    return [...byDay].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([day, clicks]) => ({ day, clicks }));
  };
}
