/** Click counts by one dimension (country, device, os, browser, referrer, source) between two days, largest first. */
import type { Db } from '../../db/client.ts';
import { Pacer } from '../../next-turn.ts';

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

/** Values read at a time: a link whose clicks came with 100,000 referrer domains (forged, or a viral link) is read in parts, with turns for other requests between. */
const VALUES_PER_READ = 2000;

/** `a` ranks before `b`: more clicks first, then by value. */
const ranksBefore = (a: ValueCount, b: ValueCount) => a.clicks > b.clicks || (a.clicks === b.clicks && a.value < b.value);

/** Keeps the `limit` largest of the counts it is given, in order, without sorting every value (null: keeps them all). */
function largest(limit: number | null) {
  const top: ValueCount[] = [];
  return {
    add(row: ValueCount): void {
      if (limit === null) return void top.push(row);
      if (top.length === limit && (limit === 0 || !ranksBefore(row, top[limit - 1]!))) return;
      let lo = 0;
      let hi = top.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (ranksBefore(top[mid]!, row)) lo = mid + 1;
        else hi = mid;
      }
      top.splice(lo, 0, row);
      if (top.length > limit) top.pop();
    },
    rows: (): ValueCount[] => (limit === null ? top.sort((a, b) => (ranksBefore(a, b) ? -1 : ranksBefore(b, a) ? 1 : 0)) : top),
  };
}

export function createBreakdownReport(db: Db) {
  // days already over: click_rollups' primary key (link, dim, value, day) hands the rows over grouped
  // by value, so a read resumes after the last value of the one before
  const rolledFrom = (op: '>=' | '>') =>
    db.$client.prepare<ValueCount, [number, string, string, string, string]>(
      `SELECT value, SUM(clicks) AS clicks FROM click_rollups
       WHERE link_id = ?1 AND dim = ?2 AND value ${op} ?3 AND day BETWEEN ?4 AND ?5
       GROUP BY value ORDER BY value LIMIT ${VALUES_PER_READ}`,
    );
  // the first read from '' (unknown, the least value) itself, each next one after the last value read
  const [rolledFirst, rolledNext] = [rolledFrom('>='), rolledFrom('>')];
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
    // today's few profiles first, so that each rolled-up value is complete when it is read
    const today = new Map(live[dim].all(linkId, from, to).map((r) => [r.value, r.clicks]));
    const kept = largest(limit);
    let total = 0;
    const count = (value: string, clicks: number) => {
      total += clicks;
      kept.add({ value, clicks });
    };
    const pacer = new Pacer();
    for (let after: string | null = null; ; ) {
      const rows: ValueCount[] = after === null ? rolledFirst.all(linkId, dim, '', from, to) : rolledNext.all(linkId, dim, after, from, to);
      for (const r of rows) {
        count(r.value, r.clicks + (today.get(r.value) ?? 0));
        today.delete(r.value);
      }
      if (rows.length < VALUES_PER_READ) break;
      after = rows[rows.length - 1]!.value;
      await pacer.pause();
    }
    for (const [value, clicks] of today) count(value, clicks);
    const rows = kept.rows();
    return { rows, otherClicks: total - rows.reduce((n, r) => n + r.clicks, 0) };
  };
}
