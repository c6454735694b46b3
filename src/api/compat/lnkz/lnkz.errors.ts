/**
 * lnkz error rendering: {code, message, …}. Validation is 422
 * VALIDATION_ERROR with Laravel-style field errors (bulk items keyed
 * "index.field"); an unreadable body is 400 BAD_REQUEST. Every plan gate is
 * the document's PLAN_QUOTA_EXCEEDED body, sent as 403 (the document's only
 * plan error, and the spec's answer for a denied feature in lnkz): the link
 * quota with its real limit and usage; a plan lacking API access or a
 * feature with quota_key naming it (api_access, custom_alias, password,
 * expiry) and a policy_limit of 0, the plan allowing none of it. (It was a
 * code of our own, PLAN_FEATURE_UNAVAILABLE, which a client matching the
 * document's code did not recognise.)
 */
import type { DomainError } from '../../../errors.ts';
import type { ErrorTable } from '../../../http/dialect.ts';
import type { RouteErrorShape } from '../../../http/operations.ts';
import { itemMessage, laravelMessage, type FieldErrors } from '../../../http/laravel.ts';
import { json } from '../../../http/respond.ts';

const UPGRADE_HINT = 'Upgrade to PRO to unlock this capability.';
const FIELD_NAMES: Record<string, string> = { expires_at: 'expiresAt', code: 'hash' };
const FEATURE_KEYS: Record<string, string> = { customAlias: 'custom_alias', password: 'password', expiry: 'expiry' };

const fieldName = (field: string | undefined) => FIELD_NAMES[field ?? ''] ?? field ?? 'url';

function fieldErrors(e: DomainError, index?: number): FieldErrors {
  const items = e.meta.items as { index: number; error: DomainError }[] | undefined;
  if (items) return Object.assign({}, ...items.map((i) => fieldErrors(i.error, i.index)));
  const key = (field: string) => (index === undefined ? field : `${index}.${field}`);
  const errors = e.meta.errors as FieldErrors | undefined;
  if (errors) return Object.fromEntries(Object.entries(errors).map(([k, v]) => [key(k), v]));
  const name = fieldName(e.meta.field);
  return { [key(name)]: [index === undefined ? e.message : itemMessage(e.message, name, index)] };
}

function validation(e: DomainError) {
  const errors = fieldErrors(e);
  return json(422, { code: 'VALIDATION_ERROR', message: laravelMessage(errors), errors });
}

const plain = (status: number, code: string, message?: string) => (e: DomainError) => json(status, { code, message: message ?? e.message });

function planGate(e: DomainError, quota: { key: string; limit: number | null; usage: number | null; message?: string }) {
  return json(403, {
    code: 'PLAN_QUOTA_EXCEEDED',
    message: quota.message ?? e.message,
    current_plan: e.meta.plan ?? null,
    quota_key: quota.key,
    policy_limit: quota.limit,
    current_usage: quota.usage,
    upgrade_hint: UPGRADE_HINT,
  });
}

const featureUnavailable = (e: DomainError, key: string) => planGate(e, { key, limit: 0, usage: 0 });

export const lnkzErrors: ErrorTable = {
  VALIDATION: (e) => (e.meta.field === 'body' && e.meta.reason ? json(400, { code: 'BAD_REQUEST', message: e.message }) : validation(e)),
  CODE_TAKEN: validation,
  NOT_FOUND: plain(404, 'NOT_FOUND', 'URL not found.'),
  UNAUTHENTICATED: plain(401, 'UNAUTHENTICATED', 'Unauthenticated.'),
  INVALID_TOKEN: plain(401, 'UNAUTHENTICATED', 'Unauthenticated.'),
  API_ACCESS_DENIED: (e) => featureUnavailable(e, 'api_access'),
  FEATURE_DENIED: (e) => featureUnavailable(e, FEATURE_KEYS[String(e.meta.feature)] ?? String(e.meta.feature ?? 'feature')),
  QUOTA_EXCEEDED: (e) =>
    planGate(e, { key: 'max_links', limit: e.meta.limit ?? null, usage: e.meta.usage ?? null, message: 'You reached your link limit for the current plan.' }),
  FORBIDDEN: plain(403, 'FORBIDDEN'),
  RATE_LIMITED: plain(429, 'RATE_LIMITED', 'Too many requests. Retry after the time given in Retry-After.'),
  ANONYMOUS_DISABLED: plain(401, 'UNAUTHENTICATED', 'Unauthenticated.'),
  FETCH_FAILED: validation,
  UNAVAILABLE: plain(503, 'SERVICE_UNAVAILABLE'),
};

/** An unknown method or path under lnkz's /api/v1/urls answers in its {code, message} too (405 with Allow, 404). */
export const LNKZ_ROUTE_ERRORS: RouteErrorShape = {
  path: /^\/api\/v1\/urls(\/|$)/,
  body: (status, message) => ({ code: status === 404 ? 'NOT_FOUND' : status === 405 ? 'METHOD_NOT_ALLOWED' : 'SERVICE_UNAVAILABLE', message }),
};
