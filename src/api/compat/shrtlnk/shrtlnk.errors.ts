/**
 * ShrtLnk error rendering. Rule failures are Laravel 422 bodies
 * {message, errors}; a destination refused by policy is ShrtLnk's own
 * {"success": false, "message": "Invalid URL"} (422); everything else uses
 * the {"success": false, "message"} envelope of its documented 404, with the
 * status below. The status table is also what the HTML answer of POST
 * /shorten uses, so both speak the same codes.
 */
import type { ErrorCode } from '../../../errors.ts';
import type { ErrorTable } from '../../../http/dialect.ts';
import type { RouteErrorShape } from '../../../http/operations.ts';
import { laravelValidationBody } from '../../../http/laravel.ts';
import { json } from '../../../http/respond.ts';

export const NOT_FOUND_MESSAGE = 'Short link not found.';
export const CSRF_MISMATCH = { message: 'CSRF token mismatch.' };
/** Laravel's status for a failed CSRF check ("page expired"). */
export const CSRF_STATUS = 419;

// the core's field names, as ShrtLnk's clients know them
const FIELD_NAMES: Record<string, string> = {
  url: 'original_url',
  'page title': 'page_title',
  title: 'page_title',
  'thumbnail url': 'thumbnail_url',
  'user agent': 'user_agent',
  source: 'source',
};

export const shrtlnkStatus: Record<ErrorCode, number> = {
  VALIDATION: 422,
  CODE_TAKEN: 422,
  NOT_FOUND: 404,
  UNAUTHENTICATED: 401,
  INVALID_TOKEN: 403,
  API_ACCESS_DENIED: 403,
  FEATURE_DENIED: 403,
  QUOTA_EXCEEDED: 403,
  FORBIDDEN: 403,
  RATE_LIMITED: 429,
  ANONYMOUS_DISABLED: 401,
  FETCH_FAILED: 422,
  UNAVAILABLE: 503,
};

/** A destination refused by policy rather than by a rule. */
export const isInvalidUrl = (meta: { field?: string; reason?: unknown }) =>
  (meta.reason === 'private' || meta.reason === 'loop') && (meta.field === 'original_url' || meta.field === 'url');

const fail = (code: ErrorCode, message: string) => json(shrtlnkStatus[code], { success: false, message });
const plain = (code: ErrorCode) => (e: { message: string }) => fail(code, e.message);

export const shrtlnkErrors: ErrorTable = {
  VALIDATION: (e) => {
    if (e.meta.field === 'body') return json(400, { success: false, message: e.message });
    if (isInvalidUrl(e.meta)) return fail('VALIDATION', 'Invalid URL');
    return json(422, laravelValidationBody(e, FIELD_NAMES));
  },
  CODE_TAKEN: (e) => json(422, laravelValidationBody(e, FIELD_NAMES)),
  NOT_FOUND: () => fail('NOT_FOUND', NOT_FOUND_MESSAGE),
  UNAUTHENTICATED: plain('UNAUTHENTICATED'),
  INVALID_TOKEN: plain('INVALID_TOKEN'),
  API_ACCESS_DENIED: plain('API_ACCESS_DENIED'),
  FEATURE_DENIED: plain('FEATURE_DENIED'),
  QUOTA_EXCEEDED: (e) => fail('QUOTA_EXCEEDED', `${e.message} (${e.meta.usage}/${e.meta.limit} links on the ${e.meta.plan} plan)`),
  FORBIDDEN: plain('FORBIDDEN'),
  RATE_LIMITED: () => fail('RATE_LIMITED', 'Too Many Attempts.'),
  ANONYMOUS_DISABLED: plain('ANONYMOUS_DISABLED'),
  FETCH_FAILED: plain('FETCH_FAILED'),
  UNAVAILABLE: plain('UNAVAILABLE'),
};

export const shrtlnkServerError = () => json(500, { success: false, message: 'Server Error' });

/** An unknown method or path under ShrtLnk's /api/links answers in its {success: false, message} too (405 with Allow, 404). */
export const SHRTLNK_ROUTE_ERRORS: RouteErrorShape = {
  path: /^\/api\/links(\/|$)/,
  body: (_status, message) => ({ success: false, message }),
};
