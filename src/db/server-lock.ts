/**
 * One server per DATA_DIR. Each server keeps its own redirect cache, which
 * only its own writes invalidate: a second server on the same database would
 * go on redirecting to destinations changed or deleted through the first, and
 * two first starts would race through the migrations. The lock is SQLite's
 * own (an exclusive transaction held open on a small side file), so the
 * operating system drops it when the process dies, kill -9 included: there is
 * no stale lock file to clean up. CLI commands do not take it; they run beside
 * a server by design.
 *
 * The start lock (lockStart) is the same kind of lock on another side file,
 * held only for the moments in which a program of this version opens the
 * database and brings it up to date: a server until its migrations are done,
 * a command until its own are. Every program waits for it, so two first
 * starts on an empty folder, or a server and a command started together,
 * take turns instead of refusing each other with the wrong reason (each
 * found the other's DATA_DIR lock, or its migrating connection, and took it
 * for a server of another version). A server holds the DATA_DIR lock only
 * once it has the start lock, and keeps the start lock until its migrations
 * are done: so whoever holds the start lock and finds the DATA_DIR lock taken
 * knows that server has already brought the database up to date, or never
 * will (it is of an older version).
 */
import { Database } from 'bun:sqlite';
import { truncateSync } from 'node:fs';
import { join } from 'node:path';
import { privateFileIn } from './connection.ts';

export const LOCK_FILE = 'shrinkray.lock';
export const START_LOCK_FILE = 'shrinkray.start.lock';

/** The DATA_DIR is held by a running server (callers that are not servers word their own refusal). */
export class DataDirBusy extends Error {}

export interface ServerLock {
  release(): void;
}

/** The lock, or null when another process holds it. */
function tryLock(dataDir: string, name: string): ServerLock | null {
  const path = privateFileIn(dataDir, name);
  for (let attempt = 0; ; attempt++) {
    const db = new Database(path);
    try {
      db.exec('PRAGMA busy_timeout = 0');
      db.exec('BEGIN EXCLUSIVE');
    } catch (e) {
      db.close();
      const code = (e as { code?: string }).code ?? '';
      if (code.startsWith('SQLITE_BUSY') || /locked|busy/i.test(String((e as Error)?.message))) return null;
      // nothing is kept in a lock file, and one that is not SQLite's cannot be held by anyone (a stray
      // copy, a file damaged on disk): emptied, it is a lock again, instead of refusing every start
      if (code === 'SQLITE_NOTADB' && attempt === 0) {
        truncateSync(path, 0);
        continue;
      }
      throw new Error(`cannot use the lock file ${path}: ${(e as Error)?.message ?? e}`);
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
}

/** @throws DataDirBusy */
export function lockDataDir(dataDir: string): ServerLock {
  const lock = tryLock(dataDir, LOCK_FILE);
  if (lock) return lock;
  throw new DataDirBusy(`another shrinkray server is using ${dataDir}; stop it first, or give this one its own DATA_DIR`);
}

export const START_WAIT_MS = 60_000;

/**
 * Waits for the start lock (see above), on later turns (a signal is handled meanwhile), for waitMs at
 * most: a program updating a large database takes seconds, one stopped with Ctrl-Z forever.
 */
export async function lockStart(dataDir: string, waitMs = START_WAIT_MS): Promise<ServerLock> {
  const until = performance.now() + waitMs;
  for (;;) {
    const lock = tryLock(dataDir, START_LOCK_FILE);
    if (lock) return lock;
    if (performance.now() >= until) {
      throw new Error(`another shrinkray program has been opening or updating the database in ${dataDir} for over ${Math.round(waitMs / 1000)} s (${join(dataDir, START_LOCK_FILE)} is held); let it finish, or stop it, and try again`);
    }
    await Bun.sleep(20);
  }
}
