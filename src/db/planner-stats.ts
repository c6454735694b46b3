/**
 * The query planner's statistics, kept fresh on a connection that lives for
 * months. SQLite gathers them only when told (ANALYZE); `PRAGMA optimize` on
 * close did that once a server stopped, so one left running planned its
 * queries on the row counts of its first day. Run once a day by the click
 * upkeep: mask 0x10002 looks at every table, not only those this connection
 * queried, and analysis_limit keeps each ANALYZE to a sample (a few ms at a
 * million links) rather than a full scan under the write lock.
 */
import type { Database } from 'bun:sqlite';

export function createPlannerStats(sqlite: Database) {
  return {
    /** Re-analyses the tables whose size changed enough since they were last analysed (or never were). */
    async refresh(): Promise<void> {
      sqlite.exec('PRAGMA analysis_limit = 400');
      sqlite.exec('PRAGMA optimize = 0x10002');
    },
  };
}
export type PlannerStats = ReturnType<typeof createPlannerStats>;
