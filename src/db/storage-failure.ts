/**
 * SQLite's refusals that say nothing about the request — the disk is full,
 * the file cannot be read or written, a lock held too long — as the core's
 * UNAVAILABLE, which every dialect answers 503 with Retry-After in its own
 * envelope: a full disk is the operator's to fix and the client's to retry,
 * not a bug in a handler (500). A PostgreSQL engine would map SQLSTATE
 * classes 53 (insufficient resources) and 08 (connection) the same way.
 */
import { DomainError } from '../errors.ts';

// how long a client is asked to wait: long enough for an operator to notice, short enough to recover by itself
export const STORAGE_RETRY_AFTER_SECONDS = 30;

const codeOf = (x: unknown) => {
  const code = (x as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : '';
};

/** The DomainError for a storage failure (drizzle wraps the driver's error as `cause`), or null for anything else. */
export function storageFailure(e: unknown): DomainError | null {
  const code = codeOf(e) || codeOf((e as { cause?: unknown } | null)?.cause);
  let message: string;
  if (code === 'SQLITE_FULL') message = 'The server cannot save anything right now: its disk is full. Try again later.';
  else if (/^SQLITE_(IOERR|CANTOPEN|READONLY)/.test(code)) message = 'The server cannot reach its storage right now. Try again later.';
  else if (/^SQLITE_(BUSY|LOCKED)/.test(code)) message = 'The server is busy with its storage right now. Try again later.';
  else return null;
  return new DomainError('UNAVAILABLE', message, { retryAfter: STORAGE_RETRY_AFTER_SECONDS, storage: code });
}
