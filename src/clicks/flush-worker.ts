/**
 * The click flush worker: a thread of its own with its own SQLite connection
 * (WAL lets the server thread keep reading while this one writes), so
 * enriching clicks and writing them never takes time from the thread that
 * answers redirects. It speaks a tiny protocol with worker-writer.ts:
 *   init {dataDir, secret, retentionDays} → ready | failed
 *   write {id, chunks}     → written {id, heap} | failed {id, message}  (chunks: click-batch.ts lines in shared memory, read, never kept; heap: this thread's JS heap bytes)
 *                            then, when the tables' upkeep (click-upkeep.ts) fails: upkeep-failed {message}
 *   close                  → closed  (after the upkeep under way has stopped between two chunks)
 * Listed as a second entrypoint in scripts/build.ts so the compiled binary
 * carries it.
 */
import { heapSize } from 'bun:jsc';
import type { Database } from 'bun:sqlite';
import { closeConnection, FLUSHER_OPTIONS, openConnection } from '../db/connection.ts';
import { createBatchWriter } from './batch-writer.ts';
import { createPlannerStats } from '../db/planner-stats.ts';
import { createClickRetentionRepo } from './click-retention.repo.ts';
import { createDeletedHistoryRepo } from './deleted-history.repo.ts';
import { createClickUpkeep, type ClickUpkeep } from './click-upkeep.ts';
import { createClicksRepo } from './clicks.repo.ts';
import { loadCountryLookup } from './geoip-file.ts';
import { createEnricher } from './visitor.ts';

declare const self: Worker;

type Message = { type: 'init'; dataDir: string; secret: string; retentionDays: number } | { type: 'write'; id: number; chunks: Uint8Array[] } | { type: 'close' };

let connection: Database | null = null;
let write: ((chunks: Uint8Array[]) => Promise<void>) | null = null;
let upkeep: ClickUpkeep | null = null;
let idle: ReturnType<typeof setInterval> | null = null;
// The upkeep follows batches; a server no one clicks through writes none, and would then never purge
// past CLICK_RETENTION_DAYS nor erase the history of links deleted meanwhile: a round this often too
// (one that finds nothing due is a few indexed reads). The first comes this long after the start,
// out of the way of the first requests.
const IDLE_UPKEEP_MS = 5 * 60_000;
const runUpkeep = () => upkeep?.run().catch((e) => self.postMessage({ type: 'upkeep-failed', message: String(e) }));

self.onmessage = async (event: MessageEvent<Message>) => {
  const msg = event.data;
  if (msg.type === 'init') {
    try {
      connection = openConnection(msg.dataDir, FLUSHER_OPTIONS);
      const repo = createClicksRepo(connection);
      write = createBatchWriter(repo, createEnricher({ secret: msg.secret, country: await loadCountryLookup(msg.dataDir) }));
      upkeep = createClickUpkeep({ clicks: repo, retention: createClickRetentionRepo(connection), deleted: createDeletedHistoryRepo(connection), retentionDays: msg.retentionDays, stats: createPlannerStats(connection) });
      idle = setInterval(runUpkeep, IDLE_UPKEEP_MS);
      self.postMessage({ type: 'ready' });
    } catch (e) {
      self.postMessage({ type: 'failed', id: -1, message: String(e) });
    }
  } else if (msg.type === 'write') {
    try {
      if (!write) throw new Error('flush worker not initialised');
      await write(msg.chunks);
      self.postMessage({ type: 'written', id: msg.id, heap: heapSize() });
      // A batch leaves ~1 KB of garbage per click (parsed lines, enriched clicks, rollup keys) and
      // this thread sleeps until the next one: collecting now, off the request thread, keeps its
      // heap near what is live instead of letting it grow by a few batches' worth first.
      Bun.gc(true);
    } catch (e) {
      self.postMessage({ type: 'failed', id: msg.id, message: String(e) });
      return;
    }
    // after the reply: the recorder's next batch need not wait for it, and is written in its pauses
    runUpkeep();
  } else if (msg.type === 'close') {
    if (idle) clearInterval(idle);
    await upkeep?.stop();
    upkeep = null;
    if (connection) closeConnection(connection);
    connection = null;
    write = null;
    self.postMessage({ type: 'closed' });
  }
};
