/**
 * Click storage. The flusher's batch write is the busiest writer, so it is
 * built to cost little per click:
 * - a batch is written in link order, so consecutive rows share index pages;
 * - every table's rows go in with multi-row INSERTs and upserts (one
 *   statement call per 100 rows, db/multi-row.ts);
 * - a click's uniqueness is decided by a bounded in-memory set of (link,
 *   visitor) pairs already stored, so a returning visitor costs no query;
 * - clicks are folded by their whole profile (link, day, country, device,
 *   OS, browser, referrer, source), which real traffic repeats a lot, and each
 *   profile is one row upserted into click_profiles;
 * - each batch ends with one counter row upserted per link, in the narrow
 *   link_counters table;
 * - once a day is over, its profiles are folded into the per-dimension
 *   click_rollups and deleted (foldDaysBefore, run after a batch by
 *   click-upkeep.ts), so reports over long ranges read one row per value and
 *   day.
 */
import type { Database } from 'bun:sqlite';
import type { EnrichedClick } from './clicks.types.ts';
import { createMultiRowWriter } from '../db/multi-row.ts';
import { createVisitorPairs } from './visitor-pairs.ts';

const DAY_MS = 86_400_000;
let lastDayStart = -1;
let lastDay = '';
/** 'YYYY-MM-DD' (UTC) of a time; remembers the last day because a batch is nearly always one day. */
export function dayOf(ms: number): string {
  const start = ms - (ms % DAY_MS);
  if (start !== lastDayStart) {
    lastDay = new Date(start).toISOString().slice(0, 10);
    lastDayStart = start;
  }
  return lastDay;
}

// 32 bytes a pair (visitor-pairs.ts); past it the set restarts and the database answers
const SEEN_LIMIT = 100_000;
const SEP = '\u0001';
/** Links deleted since ?, through the partial index links_deleted_idx (schema.ts). */
export const DELETED_SINCE_SQL = 'SELECT id FROM links WHERE deleted_at IS NOT NULL AND deleted_at >= ?';
// longer than any request takes from finding its link to recording the click (a password check, a slow upload)
const REQUEST_MS = 60 * 60 * 1000;
// a link's current-day profiles are folded into its rollups past this many rows
const LINK_FOLD_ROWS = 1000;
// Past days' profiles folded per transaction (~4.5 µs a row: ~10 ms of write lock each). A whole day
// in one transaction held the lock 1.8 s at 400k profiles and 5.7 s at 1M, past the other writers'
// 5 s busy timeout (link edits, API keys' last use): they answered 503 meanwhile.
export const FOLD_CHUNK_ROWS = 2000;

interface Profile {
  c: EnrichedClick;
  day: string;
  n: number;
  unique: number;
}
interface Counter {
  linkId: number;
  total: number;
  unique: number;
  last: number;
}

/** Over the raw connection: the flush worker's thread loads no drizzle (db/connection.ts). */
export function createClicksRepo(sqlite: Database) {
  const insertRows = createMultiRowWriter<EnrichedClick>(
    sqlite,
    (values) => `INSERT INTO clicks (link_id, clicked_at, referrer_domain, country_code, device_type, os, browser, is_bot, source, visitor_hash) VALUES ${values}`,
    10,
    (c, params, at) => {
      params[at] = c.linkId;
      params[at + 1] = c.at;
      params[at + 2] = c.referrerDomain;
      params[at + 3] = c.countryCode;
      params[at + 4] = c.deviceType;
      params[at + 5] = c.os;
      params[at + 6] = c.browser;
      params[at + 7] = c.isBot ? 1 : 0;
      params[at + 8] = c.source;
      params[at + 9] = c.visitorHash;
    },
  );
  const insertVisitor = sqlite.prepare('INSERT OR IGNORE INTO link_visitors (link_id, visitor_hash) VALUES (?, ?)');
  const upsertProfiles = createMultiRowWriter<Profile>(
    sqlite,
    (values) =>
      `INSERT INTO click_profiles (link_id, day, is_bot, country, device, os, browser, referrer, source, clicks, uniques) VALUES ${values}
       ON CONFLICT (link_id, day, is_bot, country, device, os, browser, referrer, source)
       DO UPDATE SET clicks = clicks + excluded.clicks, uniques = uniques + excluded.uniques`,
    11,
    ({ c, day, n, unique }, params, at) => {
      params[at] = c.linkId;
      params[at + 1] = day;
      params[at + 2] = c.isBot ? 1 : 0;
      // a bot's clicks are one profile a link and day: nothing is reported about them but their number
      params[at + 3] = c.isBot ? '' : (c.countryCode ?? '');
      params[at + 4] = c.isBot ? '' : c.deviceType;
      params[at + 5] = c.isBot ? '' : (c.os ?? '');
      params[at + 6] = c.isBot ? '' : (c.browser ?? '');
      params[at + 7] = c.isBot ? '' : (c.referrerDomain ?? '');
      params[at + 8] = c.isBot ? '' : c.source;
      params[at + 9] = n;
      params[at + 10] = c.isBot ? 0 : unique;
    },
  );
  // Folds profiles into rollups, either those of days before ?1 of links ?2 < id <= ?3 (a day is over) or one link's (?1 = link id)
  const foldSql = (where: string) => {
    const part = (dim: string, value: string, total: string, bots: 0 | 1, extra = '') =>
      `SELECT link_id, day, '${dim}', ${value}, SUM(${total}) FROM click_profiles WHERE ${where} AND is_bot = ${bots} GROUP BY link_id, day${value === "''" ? '' : `, ${value}`}${extra}`;
    const parts = [
      part('total', "''", 'clicks', 0),
      part('unique', "''", 'uniques', 0, ' HAVING SUM(uniques) > 0'),
      part('bots', "''", 'clicks', 1),
      ...['country', 'device', 'os', 'browser', 'referrer', 'source'].map((d) => part(d, d, 'clicks', 0)),
    ];
    return sqlite.prepare(
      `INSERT INTO click_rollups (link_id, day, dim, value, clicks) ${parts.join(' UNION ALL ')}
       ON CONFLICT (link_id, dim, value, day) DO UPDATE SET clicks = clicks + excluded.clicks`,
    );
  };
  const foldDays = foldSql('day < ?1 AND link_id > ?2 AND link_id <= ?3');
  const dropDays = sqlite.prepare('DELETE FROM click_profiles WHERE day < ?1 AND link_id > ?2 AND link_id <= ?3');
  // the link whose past-day profiles reach ?3 + 1 rows after link ?2: a chunk ends with it (every row of a
  // link in the same chunk; one link has ~LINK_FOLD_ROWS a day at most), null when fewer are left
  const chunkEnd = sqlite.prepare<{ link_id: number }, [string, number, number]>(
    'SELECT link_id FROM click_profiles WHERE link_id > ?2 AND day < ?1 ORDER BY link_id LIMIT 1 OFFSET ?3',
  );
  const foldLink = foldSql('link_id = ?1');
  const dropLink = sqlite.prepare('DELETE FROM click_profiles WHERE link_id = ?1');
  // profile rows written per link since its last fold: a link past LINK_FOLD_ROWS is folded at once, so
  // that reading a busy link's current day never means summing more than that many profiles
  const sinceFold = new Map<number, number>();
  const oldestProfile = () => sqlite.query<{ day: string | null }, []>('SELECT min(day) AS day FROM click_profiles').get()?.day ?? null;
  let oldestProfileDay = oldestProfile();
  const bumpLinks = createMultiRowWriter<Counter>(
    sqlite,
    (values) =>
      `INSERT INTO link_counters (link_id, total_clicks, unique_clicks, last_clicked_at) VALUES ${values}
       ON CONFLICT (link_id) DO UPDATE SET total_clicks = total_clicks + excluded.total_clicks,
         unique_clicks = unique_clicks + excluded.unique_clicks,
         last_clicked_at = max(coalesce(last_clicked_at, 0), excluded.last_clicked_at)`,
    4,
    (c, params, at) => {
      params[at] = c.linkId;
      params[at + 1] = c.total;
      params[at + 2] = c.unique;
      params[at + 3] = c.last;
    },
  );
  // (link, visitor) pairs known to be stored: a hit means "not unique" without a query
  const seen = createVisitorPairs(SEEN_LIMIT);

  function isNewVisitor(c: EnrichedClick): boolean {
    if (c.visitorHash === null || seen.has(c.linkId, c.visitorHash)) return false;
    // marked before its transaction commits: writeBatch forgets every pair if it rolls back
    seen.add(c.linkId, c.visitorHash);
    return insertVisitor.run(c.linkId, c.visitorHash).changes > 0;
  }

  // A click can reach the writer after its link was deleted (queued just before the delete, or
  // recorded by a request already under way, e.g. a password check); it is not stored. Only links
  // deleted since the batch's oldest click (less the longest a request may take between finding
  // its link and recording the click) can have such clicks: a handful of rows of a partial index.
  // Read inside the batch's write transaction, so a delete either committed before it (and is seen
  // here) or after it (and erases what it wrote).
  const deletedSince = sqlite.prepare<{ id: number }, [number]>(DELETED_SINCE_SQL);

  // A scan is a scan while its link has a QR code: deleting the QR code stops scan tracking (Minilnk),
  // while the printed code keeps working as the link. Asked here rather than on the redirect path,
  // which never waits on the database; a batch asks once per scanned link.
  const hasQr = sqlite.prepare<{ one: number }, [number]>('SELECT 1 AS one FROM qr_codes WHERE link_id = ? LIMIT 1');
  function untrackedScansToClicks(batch: EnrichedClick[]) {
    let scanned: Map<number, boolean> | undefined;
    for (const c of batch) {
      if (c.source !== 'qr') continue;
      scanned ??= new Map();
      let tracked = scanned.get(c.linkId);
      if (tracked === undefined) scanned.set(c.linkId, (tracked = hasQr.get(c.linkId) !== null));
      if (!tracked) c.source = 'link';
    }
  }

  const writeBatch = sqlite.transaction((all: EnrichedClick[]) => {
    let oldest = Infinity;
    for (const c of all) if (c.at < oldest) oldest = c.at;
    const deleted = new Set(deletedSince.all(oldest - REQUEST_MS).map((r) => r.id));
    const batch = deleted.size ? all.filter((c) => !deleted.has(c.linkId)) : all.slice();
    // In link order every row this writes lands next to the previous one in its index (raw clicks by
    // day and link, profiles, counters), so a batch reads and dirties each page once: in arrival
    // order, clicks to many links touched a random page each, over and over (-35% CPU a click,
    // bench:flush). By time within a link: a visitor's unique click is its earliest, in whatever order
    // the clicks arrived.
    batch.sort((a, b) => a.linkId - b.linkId || a.at - b.at);
    untrackedScansToClicks(batch);
    insertRows(batch);
    const profiles = new Map<string, Profile>();
    const counters = new Map<number, Counter>();
    for (const c of batch) {
      const day = dayOf(c.at);
      const unique = !c.isBot && isNewVisitor(c) ? 1 : 0;
      const key = c.isBot
        ? `${c.linkId}${SEP}${day}${SEP}bot`
        : `${c.linkId}${SEP}${day}${SEP}${c.countryCode}${SEP}${c.deviceType}${SEP}${c.os}${SEP}${c.browser}${SEP}${c.referrerDomain}${SEP}${c.source}`;
      const p = profiles.get(key);
      if (p) {
        p.n++;
        p.unique += unique;
      } else profiles.set(key, { c, day, n: 1, unique });
      if (c.isBot) continue;
      const ctr = counters.get(c.linkId);
      if (ctr) {
        ctr.total++;
        ctr.unique += unique;
        if (c.at > ctr.last) ctr.last = c.at;
      } else counters.set(c.linkId, { linkId: c.linkId, total: 1, unique, last: c.at });
    }
    const busy = new Set<number>();
    upsertProfiles(profiles.values());
    for (const { c, day } of profiles.values()) {
      if (oldestProfileDay === null || day < oldestProfileDay) oldestProfileDay = day;
      const rows = (sinceFold.get(c.linkId) ?? 0) + 1;
      sinceFold.set(c.linkId, rows);
      if (rows >= LINK_FOLD_ROWS) busy.add(c.linkId);
    }
    bumpLinks(counters.values());
    for (const linkId of busy) {
      foldLink.run(linkId);
      dropLink.run(linkId);
      sinceFold.delete(linkId);
    }
  });

  // One chunk of links' past-day profiles folded and deleted in the same transaction: committed, its rows
  // are in the rollups and gone from the profiles; not, neither. So a crash or a failure between chunks
  // leaves every click counted once (a report reads both tables), and the next fold takes up the rest.
  // Returns the chunk's last link id, or null when it took every profile left.
  const foldChunk = sqlite.transaction((today: string, after: number): number | null => {
    const end = chunkEnd.get(today, after, FOLD_CHUNK_ROWS - 1)?.link_id ?? null;
    foldDays.run(today, after, end ?? Number.MAX_SAFE_INTEGER);
    dropDays.run(today, after, end ?? Number.MAX_SAFE_INTEGER);
    return end;
  });

  return {
    /** Whether profiles of a day before `today` wait to be folded (known without a query). */
    hasDaysBefore(today: string): boolean {
      return oldestProfileDay !== null && oldestProfileDay < today;
    },

    /**
     * Folds every profile of a day before `today` into click_rollups and deletes it, FOLD_CHUNK_ROWS
     * at a time in link order, each chunk its own transaction. `between` runs after each chunk but
     * the last (click-upkeep.ts pauses there, so that other writers take the lock); false stops the
     * fold, which the next one finishes. True when every such profile was folded.
     */
    async foldDaysBefore(today: string, between: () => Promise<boolean> = async () => true): Promise<boolean> {
      // the counts of the days being folded; writes landing in the pauses (today's) keep theirs
      const counted = new Map(sinceFold);
      let after = 0;
      for (;;) {
        const end = foldChunk.immediate(today, after);
        if (end === null) break;
        after = end;
        if (!(await between())) return false;
      }
      oldestProfileDay = oldestProfile();
      // the counts restart with the day (an estimate either way: they count writes, not rows)
      for (const [linkId, n] of counted) {
        const left = (sinceFold.get(linkId) ?? 0) - n;
        if (left > 0) sinceFold.set(linkId, left);
        else sinceFold.delete(linkId);
      }
      return true;
    },

    /** Writes a batch of clicks, their profiles and link counters in one transaction (a past day's profiles wait for foldDaysBefore). */
    async writeBatch(batch: EnrichedClick[]): Promise<void> {
      if (!batch.length) return;
      try {
        // immediate: the write lock first, so the deleted-link check reads the latest commit
        writeBatch.immediate(batch);
      } catch (e) {
        // rolled back: what the batch did to the profile bookkeeping and the known visitors did not happen either
        oldestProfileDay = oldestProfile();
        seen.clear();
        throw e;
      }
    },
  };
}
export type ClicksRepo = ReturnType<typeof createClicksRepo>;
