/** Sum of one series over a day range (for range-limited totals and exports): folded days plus the current ones. */
import type { Db } from '../../db/client.ts';
import { createClicksByDayReport } from './clicks-by-day.ts';

export function createTotalsReport(db: Db) {
  const byDay = createClicksByDayReport(db);
  return async (linkId: number, series: 'total' | 'unique' | 'bots', from: string, to: string): Promise<number> =>
    (await byDay(linkId, series, from, to)).reduce((n, d) => n + d.clicks, 0);
}
