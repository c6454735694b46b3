/**
 * Minilnk error rendering: Laravel bodies. 422 = {message, errors}; every
 * other status = {message}. Core field names are renamed to Minilnk's.
 */
import type { ErrorTable } from '../../http/dialect.ts';
import { laravelValidationBody } from '../../http/laravel.ts';
import { json } from '../../http/respond.ts';

const FIELD_NAMES: Record<string, string> = { url: 'original_url', code: 'alias', body: 'body' };

const message = (status: number) => (e: { message: string }) => json(status, { message: e.message });

export const nativeErrors: ErrorTable = {
  VALIDATION: (e) =>
    e.meta.field === 'body' ? json(400, { message: e.message }) : json(422, laravelValidationBody(e, FIELD_NAMES)),
  CODE_TAKEN: (e) => json(422, laravelValidationBody(e, FIELD_NAMES)),
  NOT_FOUND: message(404),
  UNAUTHENTICATED: () => json(401, { message: 'Unauthenticated.' }),
  INVALID_TOKEN: message(401),
  API_ACCESS_DENIED: message(403),
  FEATURE_DENIED: message(403),
  QUOTA_EXCEEDED: (e) => json(403, { message: `${e.message} (${e.meta.usage}/${e.meta.limit} links on the ${e.meta.plan} plan)` }),
  FORBIDDEN: message(403),
  RATE_LIMITED: () => json(429, { message: 'Too Many Attempts.' }),
  ANONYMOUS_DISABLED: message(401),
  FETCH_FAILED: (e) => json(422, { message: e.message, errors: { original_url: [e.message] } }),
  UNAVAILABLE: message(503),
};
