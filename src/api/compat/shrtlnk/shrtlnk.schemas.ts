/**
 * ShrtLnk request parsing: Laravel rules and messages for every documented
 * field, after the document's URL normalisation. A destination that is a
 * valid URL but refused by policy (a private or loopback host) is not a rule
 * failure: it is reported the way ShrtLnk reports it, {"success": false,
 * "message": "Invalid URL"} (meta.reason 'private', see shrtlnk.errors.ts),
 * and only once every rule has passed, as a controller check would be.
 */
import { isIP } from 'node:net';
import { Type as t } from '@sinclair/typebox';
import { DomainError } from '../../../errors.ts';
import { isPlainObject } from '../../../http/body.ts';
import { Rules } from '../../../http/laravel.ts';
import type { CreateLinkInput, UpdateLinkInput } from '../../../links/links.service.ts';
import { checkDestination, hostOf, normalizeUrl, type UrlPolicy } from '../../../links/url-policy.ts';

/** What the request itself says when the body does not: its User-Agent and client address. */
export interface RequestDefaults {
  userAgent: string | null;
}

const MAX_USER_AGENT = 1000;
const MAX_SOURCE = 50;

function object(body: unknown): Record<string, unknown> {
  if (!isPlainObject(body)) throw new DomainError('VALIDATION', 'The request body must be a JSON object or form fields.', { field: 'body' });
  return body;
}

const present = (v: unknown) => v !== undefined && v !== null;
/** Sent as null, "" or blank (all null once Laravel's middleware has run: Rules.value). */
const cleared = (v: Rules, field: string) => v.has(field) && v.value(field) === null;

/**
 * A URL field judged by the core policy. The destination is normalised first
 * and a private host on it is returned as `refused` (reported apart, see the
 * module comment); for other URL fields every failure is a rule failure.
 */
function url(v: Rules, field: string, policy: UrlPolicy, o: { required?: boolean; normalize?: boolean }) {
  const raw = v.value(field);
  const label = field.replace(/_/g, ' ');
  if (!present(raw)) return void (o.required && v.fail(field, `The ${label} field is required.`));
  if (typeof raw !== 'string') return void v.fail(field, `The ${label} field must be a string.`);
  try {
    return { value: checkDestination(o.normalize ? normalizeUrl(raw) : raw.trim(), policy, field), refused: null };
  } catch (e) {
    if (!(e instanceof DomainError)) throw e;
    const reason = e.meta.reason;
    if ((reason === 'private' || reason === 'loop') && o.normalize) return { value: undefined, refused: e };
    v.fail(field, reason === 'invalid' || reason === 'scheme' ? `The ${label} field must be a valid URL.` : e.message);
  }
}

/** url_cloak is Laravel's in:0,1; JSON booleans are accepted as PHP compares them. */
function cloak(v: Rules): boolean | undefined {
  const c = v.value('url_cloak');
  if (!present(c)) return undefined;
  if (c === 1 || c === '1' || c === true) return true;
  if (c === 0 || c === '0' || c === false) return false;
  v.fail('url_cloak', 'The selected url cloak is invalid.');
}

function ipAddress(v: Rules): string | undefined {
  const ip = v.value('ip_address');
  if (!present(ip)) return undefined;
  if (typeof ip === 'string' && isIP(ip)) return ip;
  v.fail('ip_address', 'The ip address field must be a valid IP address.');
}

const defaultAgent = (ua: string | null) => ua?.trim().slice(0, MAX_USER_AGENT) || null;

/** Throws the collected rule failures, then a policy refusal of the destination. */
function finish(v: Rules, refused: DomainError | null | undefined) {
  v.check();
  if (refused) throw new DomainError('VALIDATION', 'Invalid URL', { ...refused.meta });
}

export function parseCreate(raw: unknown, defaults: RequestDefaults, policy: UrlPolicy): CreateLinkInput {
  const v = new Rules(object(raw));
  const destination = url(v, 'original_url', policy, { required: true, normalize: true });
  const userId = v.integer('user_id', { min: 1 });
  const userAgent = v.string('user_agent', { max: MAX_USER_AGENT });
  const ip = ipAddress(v);
  const pageTitle = v.string('page_title', { max: 500 });
  const thumbnail = url(v, 'thumbnail_url', policy, {});
  const source = v.string('source', { max: MAX_SOURCE });
  const cloaked = cloak(v);
  finish(v, destination?.refused);
  const thumbnailUrl = thumbnail?.value ?? null;
  return {
    destination: destination!.value!,
    source: source?.trim() || 'api',
    redirectMode: cloaked === false ? 'direct' : 'bridge',
    pageTitle: pageTitle ?? null,
    thumbnailUrl,
    // with both preview fields given there is nothing left to fetch from the destination: the title is
    // the document's fallback, the hostname (not a copy of page_title, which would outlive clearing it)
    title: pageTitle && thumbnailUrl ? (hostOf(destination!.value!) ?? undefined) : undefined,
    labels: { userId: userId ?? null, userAgent: userAgent?.trim() || defaultAgent(defaults.userAgent), ip: ip ?? null },
    metadata: 'sync',
  };
}

/** POST /shorten: the web form's two fields; everything else is the homepage's fixed choice. */
export function parseWebShorten(raw: unknown, defaults: RequestDefaults, policy: UrlPolicy): CreateLinkInput {
  const v = new Rules(object(raw));
  const destination = url(v, 'original_url', policy, { required: true, normalize: true });
  const userAgent = v.string('user_agent', { max: MAX_USER_AGENT });
  finish(v, destination?.refused);
  return {
    destination: destination!.value!,
    source: 'web',
    redirectMode: 'bridge',
    labels: { userId: null, userAgent: userAgent?.trim() || defaultAgent(defaults.userAgent), ip: null },
    metadata: 'sync',
  };
}

/** PATCH/PUT: only what is sent changes; null or "" clears page_title, thumbnail_url and the user_id label. */
export function parseUpdate(raw: unknown, policy: UrlPolicy): UpdateLinkInput {
  const v = new Rules(object(raw));
  const destination = url(v, 'original_url', policy, { required: v.has('original_url'), normalize: true });
  const cloaked = cloak(v);
  const pageTitle = v.string('page_title', { max: 500 });
  const thumbnail = url(v, 'thumbnail_url', policy, {});
  const source = v.string('source', { max: MAX_SOURCE });
  const userId = v.integer('user_id', { min: 1 });
  finish(v, destination?.refused);
  const input: UpdateLinkInput = {};
  if (destination) input.destination = destination.value;
  if (cloaked !== undefined) input.redirectMode = cloaked ? 'bridge' : 'direct';
  if (pageTitle !== undefined || cleared(v, 'page_title')) input.pageTitle = pageTitle ?? null;
  if (thumbnail || cleared(v, 'thumbnail_url')) input.thumbnailUrl = thumbnail?.value ?? null;
  if (source !== undefined) input.source = source.trim() || 'api';
  if (userId !== undefined || cleared(v, 'user_id')) input.labels = { userId: userId ?? null };
  return input;
}

// ---- documentation schemas -------------------------------------------------

const date = t.String({ format: 'date-time', examples: ['2026-05-26T14:30:00+00:00'] });
const nullableString = t.Union([t.String(), t.Null()]);
const mode = t.Union([t.Literal('bridge'), t.Literal('direct')]);
const cloakFlag = t.Union([t.Literal(0), t.Literal(1)]);

const common = {
  success: t.Literal(true),
  id: t.Integer(),
  short_url: t.String({ format: 'uri', examples: ['https://sho.rt/s/a1B2c3'] }),
  short_code: t.String(),
  original_url: t.String({ format: 'uri', description: 'The normalised destination.' }),
  redirect_mode: mode,
};
const preview = { page_title: nullableString, thumbnail_url: nullableString, source: t.String(), url_cloak: cloakFlag, cloaked: t.Boolean(), clicks: t.Integer() };

export const CreatedSchema = t.Object({ ...common, ...preview, existing: t.Boolean(), created_at: date });
export const LinkSchema = t.Object({
  ...common,
  bridge_delay_seconds: t.Integer(),
  ...preview,
  user_id: t.Union([t.Integer(), t.Null()], { description: 'The integrator’s user_id label, not a shrinkray account.' }),
  created_at: date,
  updated_at: date,
});

export const CreateBody = t.Object({
  original_url: t.String({ maxLength: 2048, description: 'Destination; https:// is added when no scheme is given.' }),
  user_id: t.Optional(t.Integer({ minimum: 1, description: 'Your own user label: scopes deduplication, grants nothing.' })),
  user_agent: t.Optional(t.String({ maxLength: MAX_USER_AGENT, description: 'Defaults to the request User-Agent.' })),
  ip_address: t.Optional(t.String({ description: 'IPv4 or IPv6, stored as a label. Unlike the hosted service, not defaulted to the client IP: shrinkray stores no raw address.' })),
  page_title: t.Optional(t.String({ maxLength: 500, description: 'Bridge preview title; fetched from the page when omitted.' })),
  thumbnail_url: t.Optional(t.String({ format: 'uri', description: 'Bridge preview image; og:image when omitted.' })),
  source: t.Optional(t.String({ maxLength: MAX_SOURCE, default: 'api' })),
  url_cloak: t.Optional(t.Union([t.Literal(0), t.Literal(1)], { default: 1, description: '1 = bridge page, 0 = direct 302.' })),
});

export const UpdateBody = t.Partial(
  t.Object({
    original_url: t.String({ maxLength: 2048 }),
    url_cloak: cloakFlag,
    page_title: t.Union([t.String({ maxLength: 500 }), t.Null()]),
    thumbnail_url: t.Union([t.String({ format: 'uri' }), t.Null()]),
    source: t.String({ maxLength: MAX_SOURCE }),
    user_id: t.Union([t.Integer({ minimum: 1 }), t.Null()], { description: 'Changes the label only; never the owner.' }),
  }),
);

export const ShortenBody = t.Object({
  original_url: t.String({ maxLength: 2048 }),
  user_agent: t.Optional(t.String({ maxLength: MAX_USER_AGENT })),
  _token: t.Optional(t.String({ description: 'The CSRF token, when not sent as X-CSRF-TOKEN.' })),
});

export const FailSchema = t.Object({ success: t.Literal(false), message: t.String() });
export const ValidationSchema = t.Object({ message: t.String(), errors: t.Record(t.String(), t.Array(t.String())) });
export const CsrfSchema = t.Object({ message: t.Literal('CSRF token mismatch.') });
