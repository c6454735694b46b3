/**
 * Opens the SQLite database with the PRAGMAs the appliance relies on:
 * WAL so redirects keep reading while the click flusher writes, foreign keys
 * for cascades, a busy timeout so the CLI and a running server can share the
 * file, and synchronous=NORMAL (durable across process crashes in WAL mode;
 * only an OS crash can lose the last transactions).
 */
import { Database } from 'bun:sqlite';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { drizzle } from 'drizzle-orm/bun-sqlite';
import * as schema from './schema.ts';

export type Db = ReturnType<typeof drizzle<typeof schema>>;

export interface DbHandle {
  db: Db;
  sqlite: Database;
  close(): void;
}

export const DB_FILE = 'shrinkray.db';

/**
 * When the server runs the click flush worker: ~40 MB of WAL between
 * checkpoints, done by the worker, off the request thread; the request
 * thread's connection checkpoints only past four times that, as a backstop
 * should the worker be gone.
 */
export const CHECKPOINT_PAGES = { flusher: 10_000, server: 40_000 };

export interface OpenOptions {
  /**
   * Off only for the click flush worker's connection: everything it inserts
   * references a link that existed when it was clicked, and links are never
   * removed (deletion is soft), so the check would only cost a parent lookup
   * per row — ~20% of a click batch's write time with random links.
   */
  foreignKeys?: boolean;
  /**
   * WAL pages before a commit on this connection checkpoints (SQLite's
   * default is 1,000 ≈ 4 MB). The click flusher rewrites the same rollup and
   * counter pages batch after batch; checkpointing less often copies each
   * page back once instead of every few batches.
   */
  walAutocheckpoint?: number;
}

export function openDatabase(dataDir: string, options: OpenOptions = {}): DbHandle {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, DB_FILE);
  const sqlite = new Database(path, { create: true, strict: true });
  // first: setting the journal mode takes a lock, and without a busy timeout it fails at once
  // ("database is locked") while another process holds one, e.g. a CLI command checkpointing on close
  sqlite.exec('PRAGMA busy_timeout = 5000');
  sqlite.exec('PRAGMA journal_mode = WAL');
  sqlite.exec('PRAGMA synchronous = NORMAL');
  sqlite.exec(`PRAGMA foreign_keys = ${options.foreignKeys === false ? 'OFF' : 'ON'}`);
  sqlite.exec('PRAGMA temp_store = MEMORY');
  // 8 MB per connection (the server has two: requests and the click flush worker); hot lookups
  // are served from the redirect cache, and the OS page cache holds the rest of the file
  sqlite.exec('PRAGMA cache_size = -8000');
  if (options.walAutocheckpoint !== undefined) sqlite.exec(`PRAGMA wal_autocheckpoint = ${Math.trunc(options.walAutocheckpoint)}`);
  const db = drizzle({ client: sqlite, schema });
  return {
    db,
    sqlite,
    close: () => {
      try {
        sqlite.exec('PRAGMA optimize');
      } catch {
        // closing anyway
      }
      sqlite.close();
    },
  };
}
