/**
 * The click tables' upkeep, run by the click writer after a batch has
 * committed (never inside its transaction): once a day is over, its profiles
 * are folded into the rollups (clicks.repo.ts); once a day, raw click rows
 * older than CLICK_RETENTION_DAYS are deleted (click-retention.repo.ts), and
 * the planner's statistics refreshed (db/planner-stats.ts); and the history
 * of links deleted since the last round is erased (deleted-history.repo.ts).
 * The flush worker also runs a round when it has written nothing for a while
 * (flush-worker.ts), so a quiet server purges and erases too.
 *
 * Both are done a chunk at a time, each chunk a transaction of ~10-20 ms,
 * with a pause after it: the server's connection writes too (link edits, API
 * keys' last use) and waits for the lock at most busy_timeout (5 s). Without
 * the pause it would mostly wake to find the next chunk holding the lock. The
 * writer keeps writing batches in the pauses (it is this thread's next message).
 */
import type { ClickRetentionRepo } from './click-retention.repo.ts';
import type { DeletedHistoryRepo } from './deleted-history.repo.ts';
import { dayOf, type ClicksRepo } from './clicks.repo.ts';

const DAY_MS = 86_400_000;
// raw clicks deleted per transaction: a few µs each (a row and its index entry)
const PURGE_CHUNK_ROWS = 4000;
// as long as a chunk takes, about: other writers find the lock free half of the time
const PAUSE_MS = 10;

export interface UpkeepDeps {
  clicks: Pick<ClicksRepo, 'hasDaysBefore' | 'foldDaysBefore'>;
  retention: ClickRetentionRepo;
  deleted: Pick<DeletedHistoryRepo, 'eraseNext'>;
  /** raw clicks of days older than this are deleted; 0 keeps them forever */
  retentionDays: number;
  /** the planner's statistics (db/planner-stats.ts), refreshed once a day */
  stats: { refresh(): Promise<void> };
  now?: () => number;
  /** after each chunk (tests count the chunks) */
  pause?: () => Promise<void>;
}

export function createClickUpkeep(deps: UpkeepDeps) {
  const now = deps.now ?? Date.now;
  const pause = deps.pause ?? (() => Bun.sleep(PAUSE_MS));
  let running: Promise<void> | null = null;
  let stopping = false;
  // raw clicks of days before this one are known gone: the purge runs again once the cutoff moves, a day later
  let purgedBefore = -Infinity;
  let analysedOn = ''; // the day (YYYY-MM-DD) the statistics were last refreshed
  const between = async () => {
    if (stopping) return false;
    await pause();
    return !stopping;
  };

  async function round(): Promise<void> {
    const today = dayOf(now());
    if (deps.clicks.hasDaysBefore(today) && !(await deps.clicks.foldDaysBefore(today, between))) return;
    if (today !== analysedOn) {
      await deps.stats.refresh();
      analysedOn = today;
    }
    while (await deps.deleted.eraseNext(PURGE_CHUNK_ROWS, between)) {
      if (!(await between())) return;
    }
    if (stopping || deps.retentionDays === 0) return;
    const cutoff = Math.floor(now() / DAY_MS) - deps.retentionDays;
    if (cutoff <= purgedBefore) return;
    while ((await deps.retention.deleteBefore(cutoff, PURGE_CHUNK_ROWS)) === PURGE_CHUNK_ROWS) {
      if (!(await between())) return;
    }
    purgedBefore = cutoff;
  }

  return {
    /**
     * Does what is due, unless a round is under way already (then resolves at once: the round's
     * failure is its starter's to report, once). Resolves when it is over; rejects if a chunk failed
     * (retried next round).
     */
    run(): Promise<void> {
      if (stopping || running) return Promise.resolve();
      running = round().finally(() => (running = null));
      return running;
    },
    /** Ends the round under way after its current chunk (the next writer finishes the work); resolves once it has. */
    async stop(): Promise<void> {
      stopping = true;
      await running?.catch(() => undefined);
    },
  };
}
export type ClickUpkeep = ReturnType<typeof createClickUpkeep>;
