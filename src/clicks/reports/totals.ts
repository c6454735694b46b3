/** Sum of one rollup series over a day range (for range-limited totals and exports). */
import type { Db } from '../../db/client.ts';

export function createTotalsReport(db: Db) {
  const q = db.$client.prepare<{ clicks: number | null }, [number, string, string, string]>(
    "SELECT SUM(clicks) AS clicks FROM click_rollups WHERE link_id = ? AND dim = ? AND value = '' AND day BETWEEN ? AND ?",
  );
  return async (linkId: number, series: 'total' | 'unique' | 'bots', from: string, to: string): Promise<number> =>
    q.get(linkId, series, from, to)?.clicks ?? 0;
}
