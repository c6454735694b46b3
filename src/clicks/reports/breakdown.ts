/** Click counts by one dimension (country, device, os, browser, referrer, source) between two days, largest first. */
import type { Db } from '../../db/client.ts';

export type Dimension = 'country' | 'device' | 'os' | 'browser' | 'referrer' | 'source';

export interface ValueCount {
  value: string;
  clicks: number;
}

export function createBreakdownReport(db: Db) {
  const sql = `SELECT value, SUM(clicks) AS clicks FROM click_rollups
     WHERE link_id = ? AND dim = ? AND day BETWEEN ? AND ?
     GROUP BY value ORDER BY clicks DESC, value LIMIT ?`;
  // the primary key (link, dim, value, day) hands the rows over grouped by value: nothing is sorted but the result
  const query = db.$client.prepare<ValueCount, [number, string, string, string, number]>(sql);
  return async (linkId: number, dim: Dimension, from: string, to: string, limit = 50): Promise<ValueCount[]> => query.all(linkId, dim, from, to, limit);
}
