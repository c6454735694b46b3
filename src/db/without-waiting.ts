/**
 * A write that is only bookkeeping (a key's last use, a session's sliding
 * expiry), made while a request is answered: tried without waiting for the
 * write lock. bun:sqlite is synchronous, so waiting out busy_timeout (5 s,
 * behind a click fold, a backup, a CLI command) would hold the whole request
 * thread, not only this request, and then fail the request for a write its
 * answer does not need. The caller keeps the write pending and tries again
 * on a later request.
 */
import type { Database } from 'bun:sqlite';
import { BUSY_TIMEOUT_MS } from './connection.ts';
import { storageFailure } from './storage-failure.ts';

/**
 * Runs `write` unless another connection holds the write lock; false when the storage refused it (locked,
 * full, unreachable: a read must not fail for its bookkeeping; other writes report such a disk) or when
 * `write` says it changed nothing (the row went meanwhile).
 */
export function writeWithoutWaiting(sqlite: Database, write: () => boolean | void): boolean {
  // as it was, should a caller have set another: no await can fall between these, so no other statement
  // of this connection runs with the timeout at 0
  const before = sqlite.query<{ timeout: number }, []>('PRAGMA busy_timeout').get()?.timeout ?? BUSY_TIMEOUT_MS;
  sqlite.exec('PRAGMA busy_timeout = 0');
  try {
    return write() !== false;
  } catch (e) {
    if (!storageFailure(e)) throw e;
    return false;
  } finally {
    sqlite.exec(`PRAGMA busy_timeout = ${Math.trunc(before)}`);
  }
}
