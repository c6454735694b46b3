/**
 * The schemas /openapi.json shows for the LinkShrink routes. Bodies are
 * parsed by linkshrink.schemas.ts (LinkShrink's messages and envelope), so
 * these describe the contract without being handed to Elysia's validator.
 */
import { Type as t } from '@sinclair/typebox';
import type { TSchema } from '@sinclair/typebox';
import { MAX_BATCH_CODES, MAX_BULK_URLS, TTL } from './linkshrink.schemas.ts';

const date = t.String({ format: 'date-time', examples: ['2026-02-20T12:00:00.000Z'] });
const day = t.String({ format: 'date', examples: ['2026-03-10'] });
const nullable = <T extends TSchema>(s: T) => t.Union([s, t.Null()]);
export const envelope = <T extends TSchema>(data: T) => t.Object({ status: t.Literal('success'), data });

const ttl = t.Optional(t.Integer({ minimum: TTL.min, maximum: TTL.max, default: TTL.default, description: 'Expiry in seconds (default 30 days).' }));
const alias = t.Optional(t.String({ minLength: 3, maxLength: 20, pattern: '^[A-Za-z0-9-]+$', description: 'Custom code; with an API key, needs the plan’s custom-alias feature.' }));
const forcePreview = t.Optional(t.Boolean({ default: false, description: 'Visitors see the /preview safety page first.' }));
const password = t.Optional(t.String({ minLength: 4, maxLength: 128, description: 'Stored as a bcrypt hash.' }));
const privateStats = t.Optional(t.Boolean({ default: false, description: 'Stats then need ?token=statsToken.' }));

export const ShortenBody = t.Object({
  url: t.String({ maxLength: 2048, description: 'http or https; private and loopback hosts are refused.' }),
  customAlias: alias,
  ttl_seconds: ttl,
  password,
  private_stats: privateStats,
  force_preview: forcePreview,
});

export const BulkBody = t.Object({ urls: t.Array(t.String(), { minItems: 1, maxItems: MAX_BULK_URLS }), ttl_seconds: ttl });

export const UtmBody = t.Object({
  url: t.String({ maxLength: 2048 }),
  utm_source: t.String(),
  utm_medium: t.String(),
  utm_campaign: t.String(),
  utm_term: t.Optional(t.String()),
  utm_content: t.Optional(t.String()),
  customAlias: alias,
  ttl_seconds: ttl,
  // not in LinkShrink's table for this route, but accepted as on /shorten (see linkshrink.routes.ts)
  password,
  private_stats: privateStats,
  force_preview: forcePreview,
});

export const BatchBody = t.Object({
  codes: t.Array(t.String(), { minItems: 1, maxItems: MAX_BATCH_CODES }),
  tokens: t.Optional(t.Record(t.String(), t.String(), { description: 'code → statsToken for private-stats links.' })),
});

export const VerifyBody = t.Object({ password: t.String({ description: 'Required for password-protected links.' }) });

export const CreatedSchema = t.Object({
  code: t.String(),
  shortUrl: t.String({ format: 'uri' }),
  previewUrl: t.String({ format: 'uri' }),
  qrCode: t.String({ format: 'uri' }),
  analytics: t.String({ format: 'uri' }),
  deleteToken: t.String({ pattern: '^[0-9a-f]{48}$', description: 'Shown once; needed to delete the link.' }),
  statsToken: t.Optional(t.String({ pattern: '^[0-9a-f]{48}$', description: 'Only with private_stats; shown once.' })),
  passwordProtected: t.Boolean(),
  privateStats: t.Boolean(),
  forcePreview: t.Boolean(),
  originalUrl: t.String({ format: 'uri' }),
  createdAt: date,
  expiresAt: nullable(date),
});

export const UtmCreatedSchema = t.Composite([
  CreatedSchema,
  t.Object({
    taggedUrl: t.String({ format: 'uri' }),
    utm: t.Object({ source: t.String(), medium: t.String(), campaign: t.String(), term: t.Optional(t.String()), content: t.Optional(t.String()) }),
  }),
]);

export const BulkSchema = envelope(
  t.Array(t.Object({ url: t.Unknown(), success: t.Boolean(), data: t.Optional(CreatedSchema), error: t.Optional(t.String()) })),
);

export const ExpandSchema = envelope(t.Object({ code: t.String(), originalUrl: t.String({ format: 'uri' }) }));

const dayCounts = t.Array(t.Object({ date: day, clicks: t.Integer() }));

// a password-protected link's destination is shown only to its owner's key: the password guards it
const statsDestination = nullable(t.String({ format: 'uri', description: 'null for a password-protected link, unless the owner’s key asks.' }));

export const StatsSchema = t.Object({
  code: t.String(),
  originalUrl: statsDestination,
  clicks: t.Integer(),
  clicksByDay: dayCounts,
  referrers: t.Array(t.Object({ domain: t.String(), clicks: t.Integer() })),
  countries: t.Array(t.Object({ country: t.String({ description: 'ISO 3166-1 alpha-2' }), clicks: t.Integer() })),
  createdAt: date,
  expiresAt: nullable(date),
  lastClicked: nullable(date),
});

export const ExportSchema = envelope(
  t.Object({ code: t.String(), originalUrl: statsDestination, from: day, to: day, totalClicks: t.Integer(), clicksByDay: dayCounts }),
);

export const BatchSchema = envelope(
  t.Array(t.Object({ code: t.String(), success: t.Boolean(), data: t.Optional(StatsSchema), error: t.Optional(t.String()) })),
);

export const DeletedSchema = t.Object({ status: t.Literal('success'), message: t.String(), data: t.Object({ code: t.String() }) });

export const UnshortenSchema = envelope(
  t.Object({
    originalUrl: t.String(),
    destinationUrl: t.String(),
    redirectChain: t.Array(t.Object({ url: t.String(), statusCode: t.Integer() })),
    redirectCount: t.Integer(),
  }),
);

export const ErrorSchema = t.Object({ error: t.String(), message: t.String(), hint: t.Optional(t.String()) });

const err = (description: string) => ({ description, schema: ErrorSchema });
export const E = {
  400: err('Missing or invalid input (URL, alias format, TTL out of range, malformed JSON).'),
  401: err('Anonymous links are off and no API key was sent, a bad API key, or a missing/wrong token.'),
  403: err('With an API key: the plan lacks API access, the feature, or link quota.'),
  404: err('Short code does not exist, was deleted, or has expired.'),
  429: err('Rate limit exceeded; see Retry-After.'),
};
