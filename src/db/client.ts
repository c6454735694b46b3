/**
 * The database as the app uses it: drizzle over the connection that
 * connection.ts opens.
 */
import type { Database } from 'bun:sqlite';
import { drizzle } from 'drizzle-orm/bun-sqlite';
import { closeConnection, openConnection, type OpenOptions } from './connection.ts';
import * as schema from './schema.ts';

export { CHECKPOINT_PAGES, createPrivateFile, DB_FILE, FLUSHER_OPTIONS, type OpenOptions } from './connection.ts';

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
