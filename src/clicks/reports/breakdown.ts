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
  // days not folded yet (usually just today): the link's profiles grouped by the dimension's column,
  // for the values of one read: after ?4 (none: from the least) up to ?5 (none: every value left)
  const live = Object.fromEntries(
    DIMENSIONS.map((dim) => [
      dim,
      db.$client.prepare<ValueCount, [number, string, string, string | null, string | null]>(
        `SELECT ${dim} AS value, SUM(clicks) AS clicks FROM click_profiles
         WHERE link_id = ?1 AND day BETWEEN ?2 AND ?3 AND is_bot = 0
           AND (?4 IS NULL OR ${dim} > ?4) AND (?5 IS NULL OR ${dim} <= ?5) GROUP BY ${dim}`,
      ),
    ]),
  ) as Record<Dimension, ReturnType<typeof db.$client.prepare<ValueCount, [number, string, string, string | null, string | null]>>>;

  /**
   * One read: up to VALUES_PER_READ rolled-up values after `after`, and the profiles of the same
   * values, in one read transaction. The flush worker folds profiles into rollups (a past day's, a
   * chunk of links at a time after a batch; a busy link's every 1,000 profiles) on its own
   * connection, between any two statements:
   * a value read from the profiles before a fold and from the rollups after it was counted twice.
   * Read together, each value is counted as of one moment; values never move between reads.
   */
  const readPart = db.$client.transaction((linkId: number, dim: Dimension, from: string, to: string, after: string | null) => {
    const rolled = after === null ? rolledFirst.all(linkId, dim, '', from, to) : rolledNext.all(linkId, dim, after, from, to);
    const last = rolled.length < VALUES_PER_READ ? null : rolled[rolled.length - 1]!.value;
    return { rolled, last, recent: live[dim].all(linkId, from, to, after, last) };
  });

  /** `limit` null: every value. */
  return async (linkId: number, dim: Dimension, from: string, to: string, limit: number | null = 50): Promise<Breakdown> => {
    const kept = largest(limit);
    let total = 0;
    const pacer = new Pacer();
    for (let after: string | null = null; ; ) {
      const { rolled, last, recent } = readPart(linkId, dim, from, to, after);
      // the part's unfolded profiles (few, or none) added to their values; the rest stand alone
      const unfolded = recent.length ? new Map(recent.map((r) => [r.value, r.clicks])) : null;
      for (const r of rolled) {
        const extra = unfolded?.get(r.value);
        if (extra !== undefined) unfolded!.delete(r.value);
        total += r.clicks + (extra ?? 0);
        kept.add(extra === undefined ? r : { value: r.value, clicks: r.clicks + extra });
      }
      if (unfolded) for (const [value, clicks] of unfolded) (total += clicks), kept.add({ value, clicks });
      if (last === null) break;
      after = last;
      await pacer.pause();
    }
    const rows = kept.rows();
    return { rows, otherClicks: total - rows.reduce((n, r) => n + r.clicks, 0) };
  };
}
