/** Daily counts of one rollup series ('total', 'unique' or 'bots') between two days, inclusive. */
import type { Db } from '../../db/client.ts';

export interface DayCount {
  day: string;
  clicks: number;
}

// value = '' (what these series store) makes the range one run of the primary key, already in day order
export function createClicksByDayReport(db: Db) {
  const q = db.$client.prepare<DayCount, [number, string, string, string]>(
    `SELECT day, SUM(clicks) AS clicks FROM click_rollups
     WHERE link_id = ? AND dim = ? AND value = '' AND day BETWEEN ? AND ? GROUP BY day ORDER BY day`,
  );
  return async (linkId: number, series: 'total' | 'unique' | 'bots', from: string, to: string): Promise<DayCount[]> =>
    q.all(linkId, series, from, to);
}
