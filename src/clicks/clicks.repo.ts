/**
 * Click storage. The flusher's batch write is the busiest writer, so it is
 * built to cost little per click:
 * - raw rows go in with multi-row INSERTs (one statement call per 100 rows);
 * - a click's uniqueness is decided by a bounded in-memory set of (link,
 *   visitor) pairs already stored, so a returning visitor costs no query;
 * - clicks are first folded by their whole profile (link, day, country,
 *   device, OS, browser, referrer, source), which real traffic repeats a lot,
 *   and only then expanded into the per-dimension daily rollups;
 * - each batch ends with one counter upsert per link, in the narrow
 *   link_counters table.
 */
import type { Db } from '../db/client.ts';
import type { EnrichedClick } from './clicks.types.ts';

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

const ROWS_PER_INSERT = 100;
const COLUMNS = '(link_id, clicked_at, referrer_domain, country_code, device_type, os, browser, is_bot, source, visitor_hash)';
// ~100 bytes a pair: at most ~10 MB; past it the set restarts and the database answers
const SEEN_LIMIT = 100_000;
const SEP = '\u0001';

type Value = string | number | null;

export function createClicksRepo(db: Db) {
  const sqlite = db.$client;
  const one = sqlite.prepare(`INSERT INTO clicks ${COLUMNS} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const many = sqlite.prepare(`INSERT INTO clicks ${COLUMNS} VALUES ${Array(ROWS_PER_INSERT).fill('(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`);
  const insertVisitor = sqlite.prepare('INSERT OR IGNORE INTO link_visitors (link_id, visitor_hash) VALUES (?, ?)');
  const upsertRollup = sqlite.prepare(
    `INSERT INTO click_rollups (link_id, day, dim, value, clicks) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (link_id, dim, day, value) DO UPDATE SET clicks = clicks + excluded.clicks`,
  );
  const bumpLink = sqlite.prepare(
    `INSERT INTO link_counters (total_clicks, unique_clicks, last_clicked_at, link_id) VALUES (?, ?, ?, ?)
     ON CONFLICT (link_id) DO UPDATE SET total_clicks = total_clicks + excluded.total_clicks,
       unique_clicks = unique_clicks + excluded.unique_clicks,
       last_clicked_at = max(coalesce(last_clicked_at, 0), excluded.last_clicked_at)`,
  );
  // (link, visitor) pairs known to be stored: a hit means "not unique" without a query
  let seen = new Set<string>();

  const params: Value[] = new Array(ROWS_PER_INSERT * 10);
  const fill = (c: EnrichedClick, at: number) => {
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
  };

  function insertRows(batch: EnrichedClick[]) {
    let i = 0;
    for (; i + ROWS_PER_INSERT <= batch.length; i += ROWS_PER_INSERT) {
      for (let j = 0; j < ROWS_PER_INSERT; j++) fill(batch[i + j]!, j * 10);
      many.run(...params);
    }
    for (; i < batch.length; i++) {
      fill(batch[i]!, 0);
      one.run(...params.slice(0, 10));
    }
  }

  function isNewVisitor(c: EnrichedClick, added: Set<string>): boolean {
    if (c.visitorHash === null) return false;
    const key = `${c.linkId}${SEP}${c.visitorHash}`;
    if (seen.has(key) || added.has(key)) return false;
    added.add(key);
    return insertVisitor.run(c.linkId, c.visitorHash).changes > 0;
  }

  const writeBatch = sqlite.transaction((batch: EnrichedClick[], added: Set<string>) => {
    insertRows(batch);
    const profiles = new Map<string, { c: EnrichedClick; day: string; n: number; unique: number }>();
    const counters = new Map<number, { total: number; unique: number; last: number }>();
    for (const c of batch) {
      const day = dayOf(c.at);
      const unique = !c.isBot && isNewVisitor(c, added) ? 1 : 0;
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
      } else counters.set(c.linkId, { total: 1, unique, last: c.at });
    }
    const rollups = new Map<string, [number, string, string, string, number]>();
    const add = (linkId: number, day: string, dim: string, value: string | null, n: number) => {
      if (n === 0) return;
      const key = `${linkId}${SEP}${day}${SEP}${dim}${SEP}${value ?? ''}`;
      const r = rollups.get(key);
      if (r) r[4] += n;
      else rollups.set(key, [linkId, day, dim, value ?? '', n]);
    };
    for (const { c, day, n, unique } of profiles.values()) {
      if (c.isBot) {
        add(c.linkId, day, 'bots', '', n);
        continue;
      }
      add(c.linkId, day, 'total', '', n);
      add(c.linkId, day, 'unique', '', unique);
      add(c.linkId, day, 'country', c.countryCode, n);
      add(c.linkId, day, 'device', c.deviceType, n);
      add(c.linkId, day, 'os', c.os, n);
      add(c.linkId, day, 'browser', c.browser, n);
      add(c.linkId, day, 'referrer', c.referrerDomain, n);
      add(c.linkId, day, 'source', c.source, n);
    }
    for (const r of rollups.values()) upsertRollup.run(...r);
    for (const [linkId, c] of counters) bumpLink.run(c.total, c.unique, c.last, linkId);
  });

  return {
    /** Writes a batch of clicks, their rollups and link counters in one transaction. */
    async writeBatch(batch: EnrichedClick[]): Promise<void> {
      if (!batch.length) return;
      const added = new Set<string>();
      writeBatch(batch, added);
      // only after the commit: a rolled-back batch must not mark visitors as stored
      if (seen.size + added.size > SEEN_LIMIT) seen = new Set();
      for (const k of added) seen.add(k);
    },
  };
}
export type ClicksRepo = ReturnType<typeof createClicksRepo>;
