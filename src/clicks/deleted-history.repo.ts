/**
 * The click history of deleted links, erased in the background. A deleted
 * link answers 404 everywhere and no route shows its clicks again, yet its
 * raw clicks (referrers, visitor hashes), its list of visitor hashes (kept
 * for the link's life), its rollups, profiles, counter and schedules stayed
 * in the file for good. The click upkeep (click-upkeep.ts) erases them here,
 * a link at a time, a chunk of rows per transaction so that no write of
 * the server waits long for the lock (a link with a million clicks is
 * hundreds of chunks, not one transaction of seconds). The row of the link
 * itself stays, emptied of all but its code, owner and times: it keeps the
 * code from being issued again.
 *
 * The next link to erase is found through links_unerased_idx (schema.ts),
 * which holds the deleted links whose row is not yet emptied: a link stopped
 * part-way is taken up again, and a link deleted while the clock was behind
 * is found as surely as any other. A click queued before its link was
 * deleted and written after this erased the link's history is dropped by the
 * batch writer (clicks.repo.ts, DELETED_SINCE_SQL), so nothing comes back.
 */
import type { Database } from 'bun:sqlite';

const DAY_MS = 86_400_000;
/** A link's raw clicks on days ?1..?2: the expression is the index's (schema.ts), written the same way so that SQLite matches it. */
export const ERASE_CLICKS_SQL = `WITH RECURSIVE d(x) AS (SELECT ?1 UNION ALL SELECT x + 1 FROM d WHERE x < ?2)
  DELETE FROM clicks WHERE clicked_at / 86400000 IN d AND link_id = ?3`;

export function createDeletedHistoryRepo(sqlite: Database) {
  // the WHERE is the partial index's, so that SQLite reads the first entry of it
  const nextDeleted = sqlite.prepare<{ id: number; created_at: number; deleted_at: number }, []>(
    "SELECT id, created_at, deleted_at FROM links WHERE deleted_at IS NOT NULL AND destination <> '' ORDER BY id LIMIT 1",
  );
  const historyDays = sqlite.prepare<{ first: string | null; last: string | null }, [number]>(
    `SELECT min(first) AS first, max(last) AS last FROM (
       SELECT min(day) AS first, max(day) AS last FROM click_rollups WHERE link_id = ?1
       UNION ALL SELECT min(day), max(day) FROM click_profiles WHERE link_id = ?1)`,
  );
  const rawClicks = sqlite.prepare<unknown, [number, number, number, number]>(
    `WITH RECURSIVE d(x) AS (SELECT ?1 UNION ALL SELECT x + 1 FROM d WHERE x < ?2)
     DELETE FROM clicks WHERE id IN (SELECT id FROM clicks WHERE clicked_at / 86400000 IN d AND link_id = ?3 LIMIT ?4)`,
  );
  const allRawClicks = sqlite.prepare<unknown, [number, number, number]>(ERASE_CLICKS_SQL);
  // for day bounds that cannot be read (a day column edited by hand): every click of the link, the slow way
  const rawClicksAnyDay = sqlite.prepare<unknown, [number, number]>('DELETE FROM clicks WHERE id IN (SELECT id FROM clicks WHERE link_id = ?1 LIMIT ?2)');
  const allRawClicksAnyDay = sqlite.prepare<unknown, [number]>('DELETE FROM clicks WHERE link_id = ?');
  const visitors = sqlite.prepare<unknown, [number, number]>('DELETE FROM link_visitors WHERE rowid IN (SELECT rowid FROM link_visitors WHERE link_id = ?1 LIMIT ?2)');
  const rollups = sqlite.prepare<unknown, [number, number]>(
    'DELETE FROM click_rollups WHERE (link_id, dim, value, day) IN (SELECT link_id, dim, value, day FROM click_rollups WHERE link_id = ?1 LIMIT ?2)',
  );
  const allVisitors = sqlite.prepare<unknown, [number]>('DELETE FROM link_visitors WHERE link_id = ?');
  const allRollups = sqlite.prepare<unknown, [number]>('DELETE FROM click_rollups WHERE link_id = ?');
  // a day or two of profiles (older ones are folded into rollups): one statement
  const profiles = sqlite.prepare<unknown, [number]>('DELETE FROM click_profiles WHERE link_id = ?');
  const counter = sqlite.prepare<unknown, [number]>('DELETE FROM link_counters WHERE link_id = ?');
  const schedules = sqlite.prepare<unknown, [number]>('DELETE FROM link_schedules WHERE link_id = ?');
  // what the row needs to keep its code (the code, its owner, when) stays; what it said about its destination
  // and creator goes: the address (a query string can hold an email), titles, image, tags, labels, secrets
  const blankRow = sqlite.prepare<unknown, [number]>(
    `UPDATE links SET destination = '', title = NULL, description = NULL, page_title = NULL, thumbnail_url = NULL, password_hash = NULL,
       utm_source = NULL, utm_medium = NULL, utm_campaign = NULL, utm_term = NULL, utm_content = NULL, delete_token_hash = NULL,
       stats_token_hash = NULL, label_user_id = NULL, label_user_agent = NULL, label_ip = NULL
     WHERE id = ? AND deleted_at IS NOT NULL`,
  );

  // immediate: the write lock first, so that another connection's commit between reading and deleting is not a busy error
  const rawChunk = sqlite.transaction((range: [number, number] | null, id: number, limit: number) =>
    (range ? rawClicks.run(range[0], range[1], id, limit) : rawClicksAnyDay.run(id, limit)).changes,
  ).immediate;
  const visitorChunk = sqlite.transaction((id: number, limit: number) => visitors.run(id, limit).changes).immediate;
  const rollupChunk = sqlite.transaction((id: number, limit: number) => rollups.run(id, limit).changes).immediate;
  const rest = (id: number) => {
    profiles.run(id);
    counter.run(id);
    schedules.run(id);
  };
  const finish = sqlite.transaction((id: number) => {
    rest(id);
    blankRow.run(id);
  }).immediate;

  // every day the link's raw clicks can be on: from its creation (or its first counted day, for history
  // older than the row) to now, with a day's margin either side for a clock that was stepped; null when
  // a day cannot be read
  function dayRange(id: number, createdAt: number): [number, number] | null {
    const counted = historyDays.get(id);
    const days = [createdAt, Date.now()].map((ms) => Math.floor(ms / DAY_MS));
    for (const day of [counted?.first, counted?.last]) if (day) days.push(Math.floor(Date.parse(`${day}T00:00:00Z`) / DAY_MS));
    return days.every(Number.isFinite) ? [Math.min(...days) - 1, Math.max(...days) + 1] : null;
  }

  return {
    /**
     * Erases the history of the next deleted link not yet done, `chunk` rows a transaction, calling
     * `between` after each (false: stop there; the link is taken up again next time). Resolves to
     * true when a link was done, false when none is left or it stopped.
     */
    async eraseNext(chunk: number, between: () => Promise<boolean>): Promise<boolean> {
      const link = nextDeleted.get();
      if (!link) return false;
      const range = dayRange(link.id, link.created_at);
      for (const run of [() => rawChunk(range, link.id, chunk), () => visitorChunk(link.id, chunk), () => rollupChunk(link.id, chunk)]) {
        while (run() === chunk) if (!(await between())) return false;
      }
      finish(link.id);
      return true;
    },

    /**
     * Erases a link's whole history at once, in the caller's transaction (the deletes that APIs document
     * as permanent, links.repo purge); its row is emptied later, by eraseNext.
     */
    eraseNow(id: number, createdAt: number): void {
      const range = dayRange(id, createdAt);
      if (range) allRawClicks.run(range[0], range[1], id);
      else allRawClicksAnyDay.run(id);
      allVisitors.run(id);
      allRollups.run(id);
      rest(id);
    },
  };
}
export type DeletedHistoryRepo = ReturnType<typeof createDeletedHistoryRepo>;
