import { UniqueViolation } from '../errors.ts';

/**
 * Runs a write, turning SQLite's unique-index refusal (SQLITE_CONSTRAINT_UNIQUE)
 * into the engine-neutral UniqueViolation; a PostgreSQL engine would map
 * SQLSTATE 23505 the same way.
 */
export function uniqueWrite<T>(write: () => T): T {
  try {
    return write();
  } catch (e) {
    // drizzle's async paths wrap the driver's error (DrizzleQueryError.cause)
    const code = (x: unknown) => (x as { code?: unknown } | null)?.code;
    if (code(e) === 'SQLITE_CONSTRAINT_UNIQUE' || code((e as { cause?: unknown } | null)?.cause) === 'SQLITE_CONSTRAINT_UNIQUE') throw new UniqueViolation(e);
    throw e;
  }
}
