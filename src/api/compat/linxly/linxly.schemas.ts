/**
 * Linx.ly request parsing (Laravel rules and messages, nested fields named
 * the Laravel way: "utm.utm_source", "schedules.0.start_at") and the schemas
 * /openapi.json shows for each route.
 */
import { Type as t } from '@sinclair/typebox';
import { DomainError } from '../../../errors.ts';
import { isPlainObject } from '../../../http/body.ts';
import { PageLinkSchema, Rules } from '../../../http/laravel.ts';
import type { CreateLinkInput, UpdateLinkInput } from '../../../links/links.service.ts';
import type { LinkSortColumn, Schedule, Utm } from '../../../links/links.types.ts';
import type { UrlPolicy } from '../../../links/url-policy.ts';

export const DEFAULT_PER_PAGE = 10;
export const MAX_PER_PAGE = 100;
export const MAX_SCHEDULES = 20;

/** Linx.ly's sortable columns, in its own words, mapped to the core's. */
const SORT_COLUMNS: Record<string, LinkSortColumn> = {
  id: 'id',
  short_code: 'code',
  destination_url: 'destination',
  status: 'is_active',
  clicks_count: 'total_clicks',
  created_at: 'created_at',
  updated_at: 'updated_at',
};
export const SORT_COLUMN_NAMES = Object.keys(SORT_COLUMNS);
const UTM_KEYS = ['source', 'medium', 'campaign', 'term', 'content'] as const satisfies readonly (keyof Utm)[];

export interface ListQuery {
  page: number;
  perPage: number;
  sort: LinkSortColumn;
  direction: 'asc' | 'desc';
}

function object(body: unknown): Record<string, unknown> {
  if (!isPlainObject(body)) throw new DomainError('VALIDATION', 'The request body must be a JSON object.', { field: 'body' });
  return body;
}

/** Runs rules on a nested object and files its errors under prefix.field, as Laravel names them. */
function nested<T>(parent: Rules, prefix: string, value: Record<string, unknown>, fn: (r: Rules) => T): T {
  const r = new Rules(value);
  const out = fn(r);
  for (const [field, messages] of Object.entries(r.errors)) {
    const label = field.replace(/_/g, ' ');
    for (const m of messages) parent.fail(`${prefix}.${field}`, m.replace(label, `${prefix}.${label}`));
  }
  return out;
}

/** undefined = leave as is; null = no UTM set; otherwise the whole set (missing keys cleared). */
function parseUtm(v: Rules): Partial<Utm> | null | undefined {
  if (!v.has('utm')) return undefined;
  const raw = v.value('utm');
  // a list (PHP's [] for an empty array) passes Laravel's array rule and has no utm_* keys: no UTM values
  if (raw === null || Array.isArray(raw)) return null;
  if (!isPlainObject(raw)) return void v.fail('utm', 'The utm field must be an array.');
  return nested(v, 'utm', raw, (r) => Object.fromEntries(UTM_KEYS.map((k) => [k, r.string(`utm_${k}`, { max: 255 }) ?? null])));
}

function parseSchedules(v: Rules, policy: UrlPolicy): Omit<Schedule, 'id'>[] | undefined {
  if (!v.has('schedules')) return undefined;
  const value = v.value('schedules');
  if (value === null) return [];
  // PHP's json_encode writes an array whose keys are not 0..n-1 (after array_filter, say) as an object
  // of numbered keys, and {} for an empty one; Laravel reads both as the array they were
  const numbered = isPlainObject(value) && Object.keys(value).every((k) => /^(0|[1-9]\d{0,8})$/.test(k));
  if (!Array.isArray(value) && !numbered) return void v.fail('schedules', 'The schedules field must be an array.');
  const raw: [string, unknown][] = Array.isArray(value)
    ? value.map((item, i) => [String(i), item])
    : Object.entries(value as Record<string, unknown>).sort(([a], [b]) => Number(a) - Number(b));
  if (raw.length > MAX_SCHEDULES) return void v.fail('schedules', `The schedules field must not have more than ${MAX_SCHEDULES} items.`);
  return raw.map(([i, item]) => {
    const prefix = `schedules.${i}`;
    if (!isPlainObject(item)) {
      v.fail(prefix, `The ${prefix} field must be an array.`);
      return { startsAt: null, endsAt: null, destination: '' };
    }
    return nested(v, prefix, item, (r) => {
      const destination = r.url('destination_url', policy, { required: true }) ?? '';
      const startsAt = r.date('start_at', { required: true }) ?? null;
      const endsAt = r.date('end_at') ?? null;
      // Laravel names the other field in after:schedules.*.start_at as it names any field: underscores as spaces
      if (startsAt !== null && endsAt !== null && endsAt <= startsAt) r.fail('end_at', `The end at field must be a date after ${prefix}.start at.`);
      return { startsAt, endsAt, destination };
    });
  });
}

export function parseListQuery(query: Record<string, string | undefined>): ListQuery {
  const v = new Rules(query);
  const page = v.integer('page', { min: 1 }) ?? 1;
  const perPage = v.integer('per_page', { min: 1 }) ?? DEFAULT_PER_PAGE;
  const column = v.oneOf('sort_column', SORT_COLUMN_NAMES) ?? 'created_at';
  const direction = v.oneOf('sort_type', ['asc', 'desc'] as const) ?? 'desc';
  v.check();
  return { page, perPage: Math.min(perPage, MAX_PER_PAGE), sort: SORT_COLUMNS[column]!, direction };
}

export function parseCreate(body: unknown, policy: UrlPolicy): CreateLinkInput {
  const b = object(body);
  const v = new Rules(b);
  const destination = v.url('destination_url', policy, { required: true });
  const code = v.string('short_code', { min: 3, max: 32, alphaDash: true });
  const utm = parseUtm(v);
  const schedules = parseSchedules(v, policy);
  v.check();
  // the title is only shown in the dashboard: never make an API client wait on the destination site
  return { destination: destination!, code: code ?? null, utm, schedules, source: 'api', metadata: 'background' };
}

export function parseUpdate(body: unknown, policy: UrlPolicy): UpdateLinkInput {
  const b = object(body);
  const v = new Rules(b);
  const destination = v.url('destination_url', policy, { required: v.has('destination_url') });
  const isActive = v.boolean('status');
  const utm = parseUtm(v);
  const schedules = parseSchedules(v, policy);
  v.check();
  return { destination, isActive, utm, schedules };
}

// ---- documentation schemas -------------------------------------------------

const date = t.String({ examples: ['2026-06-04 12:20:00'], description: 'UTC, Y-m-d H:i:s' });
const utmFields = {
  utm_source: t.Optional(t.Union([t.String({ maxLength: 255 }), t.Null()])),
  utm_medium: t.Optional(t.Union([t.String({ maxLength: 255 }), t.Null()])),
  utm_campaign: t.Optional(t.Union([t.String({ maxLength: 255 }), t.Null()])),
  utm_term: t.Optional(t.Union([t.String({ maxLength: 255 }), t.Null()])),
  utm_content: t.Optional(t.Union([t.String({ maxLength: 255 }), t.Null()])),
};
const UtmSchema = t.Union([t.Object({ id: t.Integer(), ...utmFields }), t.Null()]);
const ScheduleSchema = t.Object({ id: t.Integer(), start_at: t.Union([date, t.Null()]), end_at: t.Union([date, t.Null()]), destination_url: t.String() });
const ScheduleInput = t.Object({
  start_at: t.String({ description: 'Y-m-d H:i:s (UTC) or ISO 8601' }),
  end_at: t.Optional(t.Union([t.String(), t.Null()])),
  destination_url: t.String({ maxLength: 2048 }),
});

export const ListItemSchema = t.Object({
  id: t.Integer(),
  utm_id: t.Union([t.Integer(), t.Null()]),
  short_code: t.String(),
  status: t.Boolean(),
  destination_url: t.String(),
  created_at: date,
  clicks_count: t.Integer(),
  utm: UtmSchema,
});

export const ListSchema = t.Object({
  data: t.Array(ListItemSchema),
  links: t.Object({ first: t.String(), last: t.String(), prev: t.Union([t.String(), t.Null()]), next: t.Union([t.String(), t.Null()]) }),
  meta: t.Object({
    current_page: t.Integer(),
    from: t.Union([t.Integer(), t.Null()]),
    last_page: t.Integer(),
    links: t.Array(PageLinkSchema),
    path: t.String(),
    per_page: t.Integer(),
    to: t.Union([t.Integer(), t.Null()]),
    total: t.Integer(),
  }),
});

export const LinkSchema = t.Object({
  data: t.Object({
    id: t.Integer(),
    short_code: t.String(),
    destination_url: t.String(),
    user_id: t.Integer(),
    created_at: date,
    updated_at: date,
    utm: UtmSchema,
    schedules: t.Array(ScheduleSchema),
  }),
});

export const CreateBody = t.Object({
  destination_url: t.String({ maxLength: 2048, description: 'http or https URL' }),
  short_code: t.Optional(t.String({ minLength: 3, maxLength: 32, pattern: '^[A-Za-z0-9_-]+$', description: 'Custom code (plans with custom aliases). Omit to auto-generate.' })),
  utm: t.Optional(t.Union([t.Object(utmFields), t.Null()])),
  schedules: t.Optional(t.Array(ScheduleInput, { maxItems: MAX_SCHEDULES })),
});

export const UpdateBody = t.Object({
  destination_url: t.Optional(t.String({ maxLength: 2048 })),
  status: t.Optional(t.Boolean({ description: 'false pauses the link (its short URL answers 404)' })),
  utm: t.Optional(t.Union([t.Object(utmFields), t.Null()], { description: 'replaces the whole UTM set; null removes it' })),
  schedules: t.Optional(t.Array(ScheduleInput, { maxItems: MAX_SCHEDULES, description: 'replaces every schedule; [] removes them' })),
});

export const MessageSchema = t.Object({ message: t.String() });
export const ValidationSchema = t.Object({ message: t.String(), errors: t.Record(t.String(), t.Array(t.String())) });
