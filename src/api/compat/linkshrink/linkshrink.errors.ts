/**
 * LinkShrink error rendering: `{ error, message }` (+ `hint`) with the
 * document's statuses. The `error` title of a 400 depends on the route (the
 * shorten routes say "Failed to shorten URL", as the document's example
 * does), and a few routes render token failures with their own documented
 * body, so the table is built per route group rather than once.
 */
import type { DomainError } from '../../../errors.ts';
import type { ErrorRenderer, ErrorTable } from '../../../http/dialect.ts';
import { json } from '../../../http/respond.ts';

export const NOT_FOUND_MESSAGE = 'Short URL not found or expired';
export const ALIAS_TAKEN_MESSAGE = 'This alias is already taken';
export const PRIVATE_STATS_MESSAGE = 'This link has private analytics. Pass the statsToken from the creation response as ?token=';
export const SHORTEN_FAILED = 'Failed to shorten URL';

export const DELETE_TOKEN_BODY = {
  error: 'Unauthorized',
  message: 'A delete_token is required to delete this link',
  hint: 'Use the delete_token returned when the link was created',
};

export const INVALID_PASSWORD_BODY = { error: 'Invalid password', message: 'The provided password is incorrect.' };

export const errorBody = (error: string, e: DomainError) => ({
  error,
  message: e.message,
  ...(typeof e.meta.hint === 'string' ? { hint: e.meta.hint } : {}),
});

const as = (status: number, error: string): ErrorRenderer => (e) => json(status, errorBody(error, e));

/** `badRequest` titles VALIDATION and CODE_TAKEN errors; `overrides` replace single renderers. */
export function linkshrinkErrors(badRequest = 'Bad Request', overrides: Partial<ErrorTable> = {}): ErrorTable {
  return {
    VALIDATION: as(400, badRequest),
    // the core's wording differs; the document pins this one
    CODE_TAKEN: () => json(400, { error: badRequest, message: ALIAS_TAKEN_MESSAGE }),
    NOT_FOUND: () => json(404, { error: 'Not Found', message: NOT_FOUND_MESSAGE }),
    UNAUTHENTICATED: as(401, 'Unauthorized'),
    INVALID_TOKEN: as(401, 'Unauthorized'),
    ANONYMOUS_DISABLED: as(401, 'Unauthorized'),
    API_ACCESS_DENIED: as(403, 'Forbidden'),
    FEATURE_DENIED: as(403, 'Forbidden'),
    FORBIDDEN: as(403, 'Forbidden'),
    QUOTA_EXCEEDED: (e) =>
      json(403, { error: 'Forbidden', message: `${e.message} (${e.meta.usage}/${e.meta.limit} links on the ${e.meta.plan} plan)` }),
    // dialectHandler adds Retry-After from meta.retryAfter
    RATE_LIMITED: (e) =>
      json(429, { error: 'Too Many Requests', message: `Rate limit exceeded. Retry after ${e.meta.retryAfter ?? 60} seconds.` }),
    // the document's only status for a bad URL is 400 (it lists no 422)
    FETCH_FAILED: as(400, 'Failed to unshorten URL'),
    UNAVAILABLE: as(503, 'Service Unavailable'),
    ...overrides,
  };
}

export const internalError = () => json(500, { error: 'Internal Server Error', message: 'Something went wrong on our side' });
