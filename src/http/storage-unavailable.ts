/**
 * A storage failure met by a request (db/storage-failure.ts: a full disk, an
 * I/O error), for every kind of route alike — dialect handlers, dashboard
 * pages and the safety net: logged here, once, without a stack (it is not a
 * bug), and handed back as the core's UNAVAILABLE for the caller to answer in
 * its own shape, with Retry-After (rate-headers.ts withRetryAfter).
 */
import { storageFailure } from '../db/storage-failure.ts';
import type { DomainError } from '../errors.ts';
import type { Logger } from '../logger.ts';

export function storageUnavailable(e: unknown, logger: Logger, request: Request): DomainError | null {
  const unavailable = storageFailure(e);
  if (unavailable) logger.error('storage unavailable', { method: request.method, path: new URL(request.url).pathname, storage: unavailable.meta.storage });
  return unavailable;
}
