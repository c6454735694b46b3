/** Click counts by one dimension (country, device, os, browser, referrer, source) between two days, largest first. */
import type { Db } from '../../db/client.ts';

export type Dimension = 'country' | 'device' | 'os' | 'browser' | 'referrer' | 'source';

export interface ValueCount {
  value: string;
  clicks: number;
}

const DAY_MS = 86_400_000;
/**
 * Two plans for one question. Over a long range, click_rollups_value_idx
 * hands the rows over already grouped by value, so nothing is sorted; over a
 * short one, the primary key reads only the days asked for. SQLite does not
 * weigh the sort it would save: with ANALYZE statistics it takes the primary
 * key even for a year (28 ms instead of 13 ms for a link with 1M clicks).
 */
const LONG_RANGE_DAYS = 60;

export function createBreakdownReport(db: Db) {
  const sql = (from: string) => `SELECT value, SUM(clicks) AS clicks FROM ${from}
     WHERE link_id = ? AND dim = ? AND day BETWEEN ? AND ?
     GROUP BY value ORDER BY clicks DESC, value LIMIT ?`;
  const short = db.$client.prepare<ValueCount, [number, string, string, string, number]>(sql('click_rollups'));
  const long = db.$client.prepare<ValueCount, [number, string, string, string, number]>(sql('click_rollups INDEXED BY click_rollups_value_idx'));
  return async (linkId: number, dim: Dimension, from: string, to: string, limit = 50): Promise<ValueCount[]> => {
    const days = (Date.parse(to) - Date.parse(from)) / DAY_MS;
    return (days >= LONG_RANGE_DAYS ? long : short).all(linkId, dim, from, to, limit);
  };
}
