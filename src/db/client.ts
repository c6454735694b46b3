/**
 * The database as the app uses it: drizzle over the connection that
 * connection.ts opens.
 */
import type { Database } from 'bun:sqlite';
import { drizzle } from 'drizzle-orm/bun-sqlite';
import { closeConnection, openAlone, openConnection, type OpenOptions } from './connection.ts';
import { appliedMigrations, checkSchemaKnown, migrate, pendingMigrations } from './migrate.ts';
import * as schema from './schema.ts';

export { CHECKPOINT_PAGES, createPrivateFile, DatabaseInUse, DB_FILE, FLUSHER_OPTIONS, type OpenOptions } from './connection.ts';

export type Db = ReturnType<typeof drizzle<typeof schema>>;

export interface DbHandle {
  db: Db;
  sqlite: Database;
  close(): void;
}

export function openDatabase(dataDir: string, options: OpenOptions = {}): DbHandle {
  const sqlite = openConnection(dataDir, options);
  return { db: drizzle({ client: sqlite, schema }), sqlite, close: () => closeConnection(sqlite) };
}

/**
 * Opens the database with its schema brought up to date. Pending migrations
 * run on a connection no other process may share (connection.ts openAlone);
 * beforeMigrating runs first (the CLI takes the DATA_DIR lock there). With
 * nothing pending it is one connection, as before: a restart costs nothing.
 * @throws DatabaseInUse, NewerSchemaError
 */
export function openMigrated(dataDir: string, options: OpenOptions = {}, beforeMigrating?: () => void): DbHandle {
  const handle = openDatabase(dataDir, options);
  let pending: boolean;
  try {
    pending = pendingMigrations(handle.sqlite).length > 0;
    // nothing to apply: only a newer version's schema is refused
    if (!pending) checkSchemaKnown(appliedMigrations(handle.sqlite), 'the database');
  } catch (e) {
    handle.close();
    throw e;
  }
  if (!pending) return handle;
  handle.close();
  beforeMigrating?.();
  const alone = openAlone(dataDir, 'update the database for this version');
  try {
    migrate(alone);
  } finally {
    alone.close();
  }
  return openDatabase(dataDir, options);
}
