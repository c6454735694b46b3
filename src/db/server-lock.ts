/**
 * One server per DATA_DIR. Each server keeps its own redirect cache, which
 * only its own writes invalidate: a second server on the same database would
 * go on redirecting to destinations changed or deleted through the first, and
 * two first starts would race through the migrations. The lock is SQLite's
 * own (an exclusive transaction held open on a small side file), so the
 * operating system drops it when the process dies, kill -9 included: there is
 * no stale lock file to clean up. CLI commands do not take it; they run beside
 * a server by design.
 */
import { Database } from 'bun:sqlite';
import { privateFileIn } from './connection.ts';

export const LOCK_FILE = 'shrinkray.lock';

/** The DATA_DIR is held by a running server (callers that are not servers word their own refusal). */
export class DataDirBusy extends Error {}

export interface ServerLock {
  release(): void;
}

export function lockDataDir(dataDir: string): ServerLock {
  const db = new Database(privateFileIn(dataDir, LOCK_FILE));
  try {
    db.exec('PRAGMA busy_timeout = 0');
    db.exec('BEGIN EXCLUSIVE');
  } catch (e) {
    db.close();
    if (/locked|busy/i.test(String((e as Error)?.message))) {
      throw new DataDirBusy(`another shrinkray server is using ${dataDir}; stop it first, or give this one its own DATA_DIR`);
    }
    throw e;
  }
  let held = true;
  return {
    release() {
      if (!held) return;
      held = false;
      db.exec('ROLLBACK');
      db.close();
    },
  };
}
