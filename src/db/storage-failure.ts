/**
 * SQLite's refusals that say nothing about the request — the disk is full,
 * the file cannot be read or written, a lock held too long — told apart from
 * everything else, in the engine's terms. http/storage-unavailable.ts makes
 * them the core's UNAVAILABLE, which every dialect answers 503 with
 * Retry-After in its own envelope: a full disk is the operator's to fix and
 * the client's to retry, not a bug in a handler (500). A PostgreSQL engine
 * would classify SQLSTATE classes 53 (insufficient resources) and 08
 * (connection) the same way.
 */

export interface StorageFailure {
  kind: 'full' | 'unreachable' | 'busy';
  /** the engine's own code, for the log (SQLITE_FULL, SQLITE_IOERR_WRITE …) */
  code: string;
}

const codeOf = (x: unknown) => {
  const code = (x as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : '';
};

/** What kind of storage failure `e` is (drizzle wraps the driver's error as `cause`), or null for anything else. */
export function storageFailure(e: unknown): StorageFailure | null {
  const code = codeOf(e) || codeOf((e as { cause?: unknown } | null)?.cause);
  if (code === 'SQLITE_FULL') return { kind: 'full', code };
  if (/^SQLITE_(IOERR|CANTOPEN|READONLY)/.test(code)) return { kind: 'unreachable', code };
  if (/^SQLITE_(BUSY|LOCKED)/.test(code)) return { kind: 'busy', code };
  return null;
}
