/**
 * LinkShrink request parsing, with the document's field names and limits.
 * Every rule the core also enforces (URL policy, password hashing, alias
 * uniqueness, plan gates) is left to the core; what is checked here is what
 * LinkShrink is stricter about (alias 3–20 without "_", password 4–128, TTL
 * range) and the shapes of its own fields.
 */
import type { Actor } from '../../../accounts/accounts.types.ts';
import { DomainError } from '../../../errors.ts';
import { charLength } from '../../../text.ts';
import { isPlainObject } from '../../../http/body.ts';
import type { CreateLinkInput } from '../../../links/links.service.ts';
import { applyUtm, checkDestination, type UrlPolicy } from '../../../links/url-policy.ts';

export const TTL = { min: 60, max: 31_536_000, default: 2_592_000 } as const;
export const MAX_BULK_URLS = 50;
export const MAX_BATCH_CODES = 50;
export const QR_SIZE = { min: 64, max: 1024, default: 512 } as const;
/** Marks links made here: their stats are public unless private_stats (see canSee in the stats routes). */
export const LINKSHRINK_SOURCE = 'linkshrink';
export const QR_FG = '#0a0a0f';
export const QR_BG = '#00f0ff';

const ALIAS = /^[A-Za-z0-9-]{3,20}$/;
const HEX = /^#?([0-9a-fA-F]{6})$/;

const bad = (field: string, message: string) => new DomainError('VALIDATION', message, { field });
const given = (v: unknown) => v !== undefined && v !== null;

export function object(body: unknown): Record<string, unknown> {
  if (!isPlainObject(body)) throw bad('body', 'The request body must be a JSON object.');
  return body;
}

/** A query value as a string. Elysia hands a repeated key over as its last value; an array (from another parser) counts by its first. */
export const queryValue = (v: unknown): string | undefined => (Array.isArray(v) ? queryValue(v[0]) : typeof v === 'string' ? v : undefined);

function bool(o: Record<string, unknown>, field: string): boolean {
  const v = o[field];
  if (!given(v)) return false;
  if (typeof v !== 'boolean') throw bad(field, `${field} must be true or false.`);
  return v;
}

function ttl(o: Record<string, unknown>): number | undefined {
  const v = o.ttl_seconds;
  if (!given(v)) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < TTL.min || v > TTL.max) {
    throw bad('ttl_seconds', `ttl_seconds must be an integer between ${TTL.min} and ${TTL.max}.`);
  }
  return v;
}

function alias(o: Record<string, unknown>): string | null {
  const v = o.customAlias;
  if (!given(v) || v === '') return null;
  if (typeof v !== 'string' || !ALIAS.test(v)) {
    throw bad('customAlias', 'customAlias must be 3–20 characters: letters, digits and hyphens only.');
  }
  return v;
}

function password(o: Record<string, unknown>): string | null {
  const v = o.password;
  if (!given(v)) return null;
  if (typeof v !== 'string' || charLength(v) < 4 || charLength(v) > 128) throw bad('password', 'password must be 4–128 characters.');
  return v;
}

export interface ShortenFields {
  url: unknown;
  alias: string | null;
  ttlSeconds: number | undefined;
  password: string | null;
  privateStats: boolean;
  forcePreview: boolean;
}

export function parseShorten(body: unknown): ShortenFields {
  const o = object(body);
  return {
    url: o.url,
    alias: alias(o),
    ttlSeconds: ttl(o),
    password: password(o),
    privateStats: bool(o, 'private_stats'),
    forcePreview: bool(o, 'force_preview'),
  };
}

export function parseBulk(body: unknown): { urls: unknown[]; ttlSeconds: number | undefined } {
  const o = object(body);
  if (!Array.isArray(o.urls) || o.urls.length === 0) throw bad('urls', 'urls must be a non-empty array of URLs.');
  if (o.urls.length > MAX_BULK_URLS) throw bad('urls', `A maximum of ${MAX_BULK_URLS} URLs can be shortened per request.`);
  return { urls: o.urls, ttlSeconds: ttl(o) };
}

export type UtmSet = { source: string; medium: string; campaign: string; term?: string; content?: string };

function utmValue(o: Record<string, unknown>, key: keyof UtmSet, required: boolean): string | undefined {
  const field = `utm_${key}`;
  const v = o[field];
  if (!given(v) || v === '') {
    if (required) throw bad(field, `${field} is required.`);
    return undefined;
  }
  if (typeof v !== 'string' || v.trim() === '') throw bad(field, `${field} must be a non-empty string.`);
  // trimmed as the core stores it: the tagged URL answered now must be the one redirects apply later
  const value = v.trim();
  if (charLength(value) > 255) throw bad(field, `${field} must not be longer than 255 characters.`);
  return value;
}

/** The shorten fields with the destination already tagged, plus the UTM set itself. */
export function parseUtm(body: unknown, policy: UrlPolicy): ShortenFields & { url: string; utm: UtmSet } {
  const o = object(body);
  const fields = parseShorten(o);
  const destination = checkDestination(o.url, policy, 'url');
  const utm: UtmSet = {
    source: utmValue(o, 'source', true)!,
    medium: utmValue(o, 'medium', true)!,
    campaign: utmValue(o, 'campaign', true)!,
  };
  const term = utmValue(o, 'term', false);
  const content = utmValue(o, 'content', false);
  if (term !== undefined) utm.term = term;
  if (content !== undefined) utm.content = content;
  // URLSearchParams encoding, as the document's example shows (running+shoes → running%2Bshoes)
  return { ...fields, url: applyUtm(destination, utm), utm };
}

/**
 * The core input for one LinkShrink link. Anonymous links always expire (the
 * document's 30-day default); a key whose plan has no expiry feature gets a
 * link without expiry unless it asks for a TTL, which the core then refuses.
 */
export function toCreateInput(f: Omit<ShortenFields, 'url'>, url: unknown, actor: Actor | null): CreateLinkInput {
  const defaultTtl = actor && !actor.plan.expiry ? undefined : TTL.default;
  const seconds = f.ttlSeconds ?? defaultTtl;
  return {
    destination: url as string,
    code: f.alias,
    password: f.password,
    // counted from the creation time the core stamps, so expiresAt - createdAt is exactly the TTL
    expiresInSeconds: seconds,
    statsPrivate: f.privateStats,
    redirectMode: f.forcePreview ? 'preview' : 'direct',
    issueDeleteToken: true,
    metadata: 'background',
    source: LINKSHRINK_SOURCE,
  };
}

export function parseBatch(body: unknown): { codes: string[]; tokens: Record<string, string> } {
  const o = object(body);
  const codes = o.codes;
  if (!Array.isArray(codes) || codes.length === 0 || !codes.every((c) => typeof c === 'string')) {
    throw bad('codes', 'codes must be a non-empty array of short codes.');
  }
  if (codes.length > MAX_BATCH_CODES) throw bad('codes', `A maximum of ${MAX_BATCH_CODES} codes can be queried per request.`);
  const tokens: Record<string, string> = Object.create(null);
  if (given(o.tokens)) {
    if (!isPlainObject(o.tokens)) throw bad('tokens', 'tokens must be an object mapping codes to stats tokens.');
    for (const [code, token] of Object.entries(o.tokens)) {
      if (typeof token !== 'string') throw bad('tokens', 'tokens must map each code to a stats token string.');
      tokens[code] = token;
    }
  }
  return { codes: codes as string[], tokens };
}

function color(raw: string | undefined, field: string, fallback: string): string {
  if (raw === undefined || raw === '') return fallback;
  const m = HEX.exec(raw);
  if (!m) throw bad(field, `${field} must be a hex colour like 000000 or #ff00aa.`);
  return `#${m[1]!.toLowerCase()}`;
}

export function parseQrQuery(query: Record<string, unknown>): { size: number; fg: string; bg: string } {
  const rawSize = queryValue(query.size);
  let size: number = QR_SIZE.default;
  if (rawSize !== undefined && rawSize !== '') {
    size = /^\d{1,5}$/.test(rawSize) ? Number(rawSize) : NaN;
    if (!(size >= QR_SIZE.min && size <= QR_SIZE.max)) throw bad('size', `size must be an integer between ${QR_SIZE.min} and ${QR_SIZE.max}.`);
  }
  return { size, fg: color(queryValue(query.fg), 'fg', QR_FG), bg: color(queryValue(query.bg), 'bg', QR_BG) };
}

export function parseExportQuery(query: Record<string, unknown>): { format: 'json' | 'csv'; from?: string; to?: string } {
  const format = (queryValue(query.format) || 'json').toLowerCase();
  if (format !== 'json' && format !== 'csv') throw bad('format', 'format must be csv or json.');
  // the analytics service checks the dates (real YYYY-MM-DD days, from <= to)
  return { format, from: queryValue(query.from) || undefined, to: queryValue(query.to) || undefined };
}
