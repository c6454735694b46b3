/**
 * lnkz request parsing and the schemas /openapi.json shows. Field errors are
 * collected Laravel-style ({field: [messages]}); bulk items are keyed by
 * index ("1.url"). Whether expiresAt lies in the future is judged here too,
 * on the core's clock (services.now, pinned in tests), so that one 422 names
 * every field at fault as Laravel's does; the core's own check stays behind it.
 */
import { Type as t } from '@sinclair/typebox';
import { DomainError } from '../../../errors.ts';
import { isPlainObject } from '../../../http/body.ts';
import { itemMessage, Rules } from '../../../http/laravel.ts';
import type { CreateLinkInput, UpdateLinkInput } from '../../../links/links.service.ts';
import type { UrlPolicy } from '../../../links/url-policy.ts';

export const MAX_BULK_ITEMS = 100;
export const MAX_PER_PAGE = 100;

function object(body: unknown): Record<string, unknown> {
  if (!isPlainObject(body)) throw new DomainError('VALIDATION', 'The request body must be a JSON object.', { field: 'body' });
  return body;
}

/** A route id: anything but a positive integer matches no URL. */
export function parseId(raw: string | undefined): number {
  return raw && /^\d{1,15}$/.test(raw) ? Number(raw) : -1;
}

/** Optional paging of the list; null = the whole list, as the document shows it. */
export function parseListQuery(query: Record<string, string | undefined>): { page: number; perPage: number } | null {
  const v = new Rules(query);
  const page = v.integer('page', { min: 1 });
  const perPage = v.integer('per_page', { min: 1, max: MAX_PER_PAGE });
  v.check();
  return page === undefined && perPage === undefined ? null : { page: page ?? 1, perPage: perPage ?? MAX_PER_PAGE };
}

/** undefined = not sent; null, "" or blank (Laravel reads it as null) = none, which clears it on update; else epoch ms. */
function expiry(v: Rules): number | null | undefined {
  return v.value('expiresAt') === null ? null : v.date('expiresAt', { afterNow: true });
}

function item(v: Rules, body: Record<string, unknown>, policy: UrlPolicy): CreateLinkInput {
  const destination = v.url('url', policy, { required: true });
  const expiresAt = expiry(v);
  // lnkz answers with the link at once: Open Graph metadata is fetched after the response
  return { destination: destination ?? '', expiresAt: expiresAt ?? null, source: 'api', metadata: 'background' };
}

export function parseCreate(body: unknown, policy: UrlPolicy, now: () => number): CreateLinkInput {
  const b = object(body);
  const v = new Rules(b, now);
  const input = item(v, b, policy);
  v.check();
  return input;
}

export function parseBulk(body: unknown, policy: UrlPolicy, now: () => number): CreateLinkInput[] {
  if (!Array.isArray(body)) throw new DomainError('VALIDATION', 'The request body must be a JSON array of URL objects.', { field: 'body' });
  if (body.length === 0) throw new DomainError('VALIDATION', 'The request body must contain at least 1 item.', { field: 'body' });
  if (body.length > MAX_BULK_ITEMS) {
    throw new DomainError('VALIDATION', `The request body must not contain more than ${MAX_BULK_ITEMS} items.`, { field: 'body' });
  }
  const all = new Rules({});
  const inputs = body.map((raw, i) => {
    if (!isPlainObject(raw)) {
      all.fail(String(i), `The ${i} item must be an object.`);
      return null;
    }
    const v = new Rules(raw, now);
    const input = item(v, raw, policy);
    for (const [field, messages] of Object.entries(v.errors)) {
      for (const m of messages) all.fail(`${i}.${field}`, itemMessage(m, field, i));
    }
    return input;
  });
  all.check();
  return inputs as CreateLinkInput[];
}

export function parseUpdate(body: unknown, policy: UrlPolicy, now: () => number): UpdateLinkInput {
  const b = object(body);
  const v = new Rules(b, now);
  const destination = v.url('url', policy, { required: v.has('url') });
  const expiresAt = expiry(v);
  v.check();
  return { destination, expiresAt };
}

// ---- documentation schemas -------------------------------------------------

const base = {
  id: t.Integer(),
  hash: t.String({ description: 'The short code.' }),
  shortUrl: t.String({ format: 'uri' }),
  url: t.String({ format: 'uri' }),
};

export const StoredUrlSchema = t.Object({
  ...base,
  clicks: t.Integer(),
  expiresAt: t.Union([t.String({ examples: ['2023-07-04 10:00:00'], description: 'UTC, Y-m-d H:i:s' }), t.Null()]),
});

export const CreatedUrlSchema = t.Object({
  ...base,
  clicks: t.Null({ description: 'Always null on creation, as documented.' }),
  expiresAt: t.Union([t.String({ examples: ['2025-12-31T23:59:59.000000Z'] }), t.Null()]),
});

const expiresAtInput = t.Optional(
  t.Union([t.String({ description: '"Y-m-d H:i:s" (UTC) or ISO 8601; must be in the future.', examples: ['2025-12-31 23:59:59'] }), t.Null()]),
);

export const CreateBody = t.Object({ url: t.String({ maxLength: 2048 }), expiresAt: expiresAtInput });
export const BulkBody = t.Array(CreateBody, { minItems: 1, maxItems: MAX_BULK_ITEMS });
export const UpdateBody = t.Object({
  url: t.Optional(t.String({ maxLength: 2048 })),
  expiresAt: t.Optional(t.Union([t.String(), t.Null()], { description: 'null removes the expiry.' })),
});

export const ErrorSchema = t.Object({ code: t.String(), message: t.String() });
export const ValidationSchema = t.Object({ code: t.Literal('VALIDATION_ERROR'), message: t.String(), errors: t.Record(t.String(), t.Array(t.String())) });
export const PlanErrorSchema = t.Object({
  code: t.Literal('PLAN_QUOTA_EXCEEDED'),
  message: t.String(),
  current_plan: t.String(),
  quota_key: t.String(),
  policy_limit: t.Union([t.Integer(), t.Null()]),
  current_usage: t.Union([t.Integer(), t.Null()]),
  upgrade_hint: t.String(),
});
