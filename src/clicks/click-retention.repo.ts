/**
 * Raw click retention. No report reads the clicks table (analytics read the
 * rollups, profiles, counters and link_visitors), so a raw row is only cost
 * (~98 bytes with its index) and a visitor hash kept for good. Rows past the
 * retention are deleted a chunk at a time, found through the day-and-link
 * index (schema.ts): its expression is written the same way here so that
 * SQLite matches it, and the ids it yields are the rows' keys.
 */
import type { Database } from 'bun:sqlite';

export const PURGE_CLICKS_SQL = 'DELETE FROM clicks WHERE id IN (SELECT id FROM clicks WHERE clicked_at / 86400000 < ?1 LIMIT ?2)';

export function createClickRetentionRepo(sqlite: Database) {
  const purge = sqlite.prepare<unknown, [number, number]>(PURGE_CLICKS_SQL);
  // immediate: the write lock first, so that a commit by another connection between the read and the write is not a busy error
  const purgeChunk = sqlite.transaction((day: number, limit: number) => purge.run(day, limit).changes);
  return {
    /** Deletes at most `limit` raw clicks of days before `day` (days since the epoch, UTC) in one transaction; returns how many went. */
    async deleteBefore(day: number, limit: number): Promise<number> {
      return purgeChunk.immediate(day, limit);
    },
  };
}
export type ClickRetentionRepo = ReturnType<typeof createClickRetentionRepo>;
