/**
 * Linx.ly error rendering: Laravel bodies. 422 = {message, errors}, every
 * other status = {message}. Plan limits that concern the whole account
 * (link quota, API access) are the documented 400 "Tariff limit reached";
 * a plan feature tied to one field (a custom short_code) is a 422 on that
 * field, the way the document's update route reports what a plan forbids.
 */
import type { DomainError } from '../../../errors.ts';
import type { ErrorTable } from '../../../http/dialect.ts';
import { laravelMessage, laravelValidationBody } from '../../../http/laravel.ts';
import { json } from '../../../http/respond.ts';

const FIELD_NAMES: Record<string, string> = { url: 'destination_url', code: 'short_code', 'schedule destination': 'schedules' };
const FEATURE_FIELDS: Record<string, string> = { customAlias: 'short_code', password: 'password', expiry: 'expires_at' };
const FEATURE_LABELS: Record<string, string> = { customAlias: 'custom short codes', password: 'password protection', expiry: 'expiration dates' };

const message = (status: number) => (e: { message: string }) => json(status, { message: e.message });
const tariffLimit = () => json(400, { message: 'Tariff limit reached' });

function fieldError(field: string, text: string) {
  const errors = { [field]: [text] };
  return json(422, { message: laravelMessage(errors), errors });
}

function featureDenied(e: DomainError) {
  const feature = String(e.meta.feature ?? '');
  return fieldError(FEATURE_FIELDS[feature] ?? 'plan', `Your tariff does not include ${FEATURE_LABELS[feature] ?? 'this feature'}.`);
}

export const linxlyErrors: ErrorTable = {
  VALIDATION: (e) => json(422, laravelValidationBody(e, FIELD_NAMES)),
  CODE_TAKEN: () => fieldError('short_code', 'The short code has already been taken.'),
  NOT_FOUND: () => json(404, { message: 'Short link not found.' }),
  UNAUTHENTICATED: () => json(401, { message: 'Unauthenticated.' }),
  INVALID_TOKEN: () => json(401, { message: 'Unauthenticated.' }),
  API_ACCESS_DENIED: tariffLimit,
  FEATURE_DENIED: featureDenied,
  QUOTA_EXCEEDED: tariffLimit,
  FORBIDDEN: message(403),
  RATE_LIMITED: () => json(429, { message: 'Too Many Attempts.' }),
  ANONYMOUS_DISABLED: () => json(401, { message: 'Unauthenticated.' }),
  FETCH_FAILED: (e) => fieldError('destination_url', e.message),
  UNAVAILABLE: (e) => json(503, { message: e.message }),
};
