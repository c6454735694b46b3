/**
 * A storage failure met by a request (db/storage-failure.ts: a full disk, an
 * I/O error), for every kind of route alike — dialect handlers, dashboard
 * pages and the safety net: logged here, once, without a stack (it is not a
 * bug), and handed back as the core's UNAVAILABLE for the caller to answer in
 * its own shape, with Retry-After (rate-headers.ts withRetryAfter).
 */
import { storageFailure, type StorageFailure } from '../db/storage-failure.ts';
import { DomainError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { loggedPath } from './logged-path.ts';

// how long a client is asked to wait: long enough for an operator to notice, short enough to recover by itself
export const STORAGE_RETRY_AFTER_SECONDS = 30;

const MESSAGES: Record<StorageFailure['kind'], string> = {
  full: 'The server cannot save anything right now: its disk is full. Try again later.',
  unreachable: 'The server cannot reach its storage right now. Try again later.',
  busy: 'The server is busy with its storage right now. Try again later.',
};

export function storageUnavailable(e: unknown, logger: Logger, request: Request): DomainError | null {
  const failure = storageFailure(e);
  if (!failure) return null;
  logger.error('storage unavailable', { method: request.method, path: loggedPath(new URL(request.url).pathname), storage: failure.code });
  return new DomainError('UNAVAILABLE', MESSAGES[failure.kind], { retryAfter: STORAGE_RETRY_AFTER_SECONDS, storage: failure.code });
}
