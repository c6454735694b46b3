/**
 * Minilnk request parsing (Laravel rules and messages, as its document
 * states them) and the schemas /openapi.json shows for each route.
 */
import { Type as t, type TSchema } from '@sinclair/typebox';
import { DomainError } from '../../errors.ts';
import { PageLinkSchema, Rules } from '../../http/laravel.ts';
import { isPlainObject } from '../../http/body.ts';
import type { UrlPolicy } from '../../links/url-policy.ts';
import type { CreateLinkInput, UpdateLinkInput } from '../../links/links.service.ts';
import { capacityProblem, type QrInput } from '../../qr/qr.service.ts';
import { ERROR_CORRECTIONS, QR_TYPES, type ErrorCorrection } from '../../qr/qr.types.ts';

function object(body: unknown): Record<string, unknown> {
  if (!isPlainObject(body)) throw new DomainError('VALIDATION', 'The request body must be a JSON object.', { field: 'body' });
  return body;
}

/** Laravel treats a missing or malformed page as page 1. */
export function parsePage(raw: string | undefined): number {
  const n = Number(raw);
  return Number.isSafeInteger(n) && n >= 1 ? n : 1;
}

/** A route id: anything but a positive integer matches no resource. */
export function parseId(raw: string | undefined): number {
  return raw && /^\d{1,15}$/.test(raw) ? Number(raw) : -1;
}

/** `now` is the core's clock (services.now): expires_at's after:now must agree with the core's own check. */
export function parseCreateLink(body: unknown, policy: UrlPolicy, now: () => number): CreateLinkInput {
  const v = new Rules(object(body), now);
  const destination = v.url('original_url', policy, { required: true });
  const alias = v.string('alias', { min: 3, max: 20, alphaNum: true });
  const title = v.string('title', { max: 255 });
  const password = v.string('password', { max: 128 });
  const expiresAt = v.date('expires_at', { afterNow: true });
  v.check();
  return { destination: destination!, code: alias ?? null, title, password: password ?? null, expiresAt: expiresAt ?? null, source: 'api' };
}

export function parseUpdateLink(body: unknown, policy: UrlPolicy, now: () => number): UpdateLinkInput {
  const b = object(body);
  const v = new Rules(b, now);
  const destination = v.url('original_url', policy, { required: true });
  // a title sent as null, "" or blank (null to Laravel) clears it; left out, it stays
  const title = v.value('title') === null ? null : v.string('title', { max: 255 });
  const password = v.string('password', { max: 128 });
  const expiresAt = v.date('expires_at', { afterNow: true });
  const removePassword = v.boolean('remove_password');
  const removeExpiration = v.boolean('remove_expiration');
  v.check();
  return { destination, title, password, expiresAt, removePassword, removeExpiration };
}

/**
 * The QR fields by their rules, with every problem collected but not yet thrown: the route adds
 * link_id's ownership (Laravel's exists rule, which needs the store) and then checks, so one 422
 * names every field at fault.
 */
export function readQr(body: unknown): { rules: Rules; input: QrInput } {
  const v = new Rules(object(body));
  const name = v.string('name', { required: true, max: 255 });
  const type = v.oneOf('type', QR_TYPES, { required: true });
  const content = v.string('content', { required: true, max: 1000 });
  // capacity depends on error_correction, read ahead so the problem is listed in content's place
  const level = v.value('error_correction');
  const tooLong = type && content && ERROR_CORRECTIONS.includes(level as ErrorCorrection) ? capacityProblem(type, content, level as ErrorCorrection) : null;
  if (tooLong) v.fail('content', tooLong);
  const hex = /^#[0-9A-Fa-f]{6}$/;
  const foregroundColor = v.string('foreground_color', { pattern: hex });
  const backgroundColor = v.string('background_color', { pattern: hex });
  const margin = v.integer('margin', { min: 0, max: 10 });
  const size = v.integer('size', { min: 100, max: 1000 });
  const errorCorrection = v.oneOf('error_correction', ERROR_CORRECTIONS, { required: true });
  // no lower bound here: 0 or below is a link that does not exist, which the ownership check words as Laravel's exists rule
  const linkId = v.integer('link_id');
  return { rules: v, input: { name: name!, type: type!, content: content!, foregroundColor, backgroundColor, margin, size, errorCorrection: errorCorrection!, linkId } };
}

// ---- documentation schemas -------------------------------------------------

const date = t.String({ format: 'date-time', examples: ['2026-05-24T22:05:00.000000Z'] });
const nullable = <T extends ReturnType<typeof t.String>>(s: T) => t.Union([s, t.Null()]);

const urlOrNull = t.Union([t.String(), t.Null()]);
/** A Laravel length-aware paginator of `item`, as the list routes answer it (native.present.ts paginate). */
export const paginatorOf = (item: TSchema) =>
  t.Object({
    current_page: t.Integer(),
    data: t.Array(item),
    first_page_url: t.String(),
    from: t.Union([t.Integer(), t.Null()]),
    last_page: t.Integer(),
    last_page_url: t.String(),
    links: t.Array(PageLinkSchema),
    next_page_url: urlOrNull,
    path: t.String(),
    per_page: t.Integer(),
    prev_page_url: urlOrNull,
    to: t.Union([t.Integer(), t.Null()]),
    total: t.Integer(),
  });

export const LinkSchema = t.Object({
  id: t.Integer(),
  user_id: t.Integer(),
  domain_id: t.Null(),
  original_url: t.String({ format: 'uri' }),
  short_code: t.String(),
  alias: nullable(t.String()),
  title: nullable(t.String()),
  description: nullable(t.String()),
  total_clicks: t.Integer(),
  unique_clicks: t.Integer(),
  is_active: t.Boolean(),
  password_protected: t.Boolean(),
  expires_at: nullable(date),
  created_at: date,
  updated_at: date,
  short_url: t.String({ format: 'uri' }),
});

export const CreateLinkBody = t.Object({
  original_url: t.String({ maxLength: 2048, description: 'The destination URL (http or https).' }),
  alias: t.Optional(t.String({ minLength: 3, maxLength: 20, pattern: '^[A-Za-z0-9]+$', description: 'Custom code. Pro/Enterprise.' })),
  title: t.Optional(t.String({ maxLength: 255, description: 'Fetched from the page when omitted.' })),
  password: t.Optional(t.String({ maxLength: 128, description: 'Pro/Enterprise.' })),
  expires_at: t.Optional(t.String({ format: 'date-time', description: 'After now. Pro/Enterprise.' })),
});

export const UpdateLinkBody = t.Object({
  original_url: t.String({ maxLength: 2048 }),
  title: t.Optional(t.String({ maxLength: 255 })),
  password: t.Optional(t.String({ maxLength: 128 })),
  expires_at: t.Optional(t.String({ format: 'date-time' })),
  remove_password: t.Optional(t.Boolean()),
  remove_expiration: t.Optional(t.Boolean()),
});

export const QrSchema = t.Object({
  id: t.Integer(),
  user_id: t.Integer(),
  link_id: t.Union([t.Integer(), t.Null()]),
  name: t.String(),
  content: t.String(),
  type: t.Union(QR_TYPES.map((q) => t.Literal(q))),
  foreground_color: t.String(),
  background_color: t.String(),
  margin: t.Integer(),
  size: t.Integer(),
  error_correction: t.Union(ERROR_CORRECTIONS.map((e) => t.Literal(e))),
  is_dynamic: t.Boolean(),
  created_at: date,
  download_svg_url: t.String({ format: 'uri' }),
  download_png_url: t.String({ format: 'uri' }),
  preview_svg: t.Union([t.String(), t.Null()], { description: 'Null only for a code whose content no QR code holds (saved before capacity was checked).' }),
});

export const CreateQrBody = t.Object({
  name: t.String({ maxLength: 255 }),
  type: t.Union(QR_TYPES.map((q) => t.Literal(q))),
  content: t.String({ maxLength: 1000 }),
  foreground_color: t.Optional(t.String({ pattern: '^#[0-9A-Fa-f]{6}$', description: 'Pro/Enterprise.' })),
  background_color: t.Optional(t.String({ pattern: '^#[0-9A-Fa-f]{6}$', description: 'Pro/Enterprise.' })),
  margin: t.Optional(t.Integer({ minimum: 0, maximum: 10, default: 4 })),
  size: t.Optional(t.Integer({ minimum: 100, maximum: 1000, default: 300 })),
  error_correction: t.Union(ERROR_CORRECTIONS.map((e) => t.Literal(e))),
  link_id: t.Optional(t.Integer({ description: 'A link of yours; makes the QR code dynamic (scans counted).' })),
});

const countOf = (key: string) => t.Array(t.Object({ [key]: t.String(), count: t.Integer() }));

export const AnalyticsSchema = t.Object({
  link: t.Object({
    id: t.Integer(),
    title: nullable(t.String()),
    short_code: t.String(),
    short_url: t.String(),
    original_url: t.String(),
    total_clicks: t.Integer(),
    unique_clicks: t.Integer(),
  }),
  summary: t.Object({ total_clicks: t.Integer(), unique_clicks: t.Integer(), last_clicked_at: nullable(date) }),
  breakdown: t.Object({
    clicks_over_time: t.Array(t.Object({ date: t.String({ format: 'date' }), count: t.Integer() })),
    unique_clicks_over_time: t.Array(t.Object({ date: t.String({ format: 'date' }), count: t.Integer() })),
    devices: countOf('device_type'),
    countries: t.Array(t.Object({ country: t.String(), country_code: t.Union([t.String(), t.Null()]), count: t.Integer() })),
    browsers: countOf('browser'),
    operating_systems: countOf('os'),
    referrers: countOf('referrer'),
    sources: countOf('source'),
  }),
  range: t.Object({ from: t.String({ format: 'date' }), to: t.String({ format: 'date' }) }),
});

export const MessageSchema = t.Object({ message: t.String() });
export const ValidationSchema = t.Object({ message: t.String(), errors: t.Record(t.String(), t.Array(t.String())) });
