/**
 * POST /api/v1/shorten, /shorten/bulk and /shorten/utm: the routes that
 * create links (see linkshrink.routes.ts for the dialect's contract).
 */
import type { TSchema } from '@sinclair/typebox';
import { Elysia } from 'elysia';
import type { DomainError } from '../../../errors.ts';
import { doc } from '../../../http/openapi-doc.ts';
import { json } from '../../../http/respond.ts';
import { BulkBody, BulkSchema, CreatedSchema, E, envelope, ShortenBody, UtmBody, UtmCreatedSchema } from './linkshrink.docs.ts';
import { linkshrinkErrors, SHORTEN_FAILED } from './linkshrink.errors.ts';
import { LIMITS, TAG, type LinkshrinkKit } from './linkshrink.kit.ts';
import { presentCreated, presentUtm, success } from './linkshrink.present.ts';
import { parseBulk, parseShorten, parseUtm, toCreateInput, type ShortenFields } from './linkshrink.schemas.ts';

const errors = linkshrinkErrors(SHORTEN_FAILED);
const created = (description: string, schema: TSchema = CreatedSchema) => ({ 201: { description, schema: envelope(schema) } });
const failures = { 400: E[400], 401: E[401], 403: E[403], 429: E[429] };

/** A failed bulk item reads like the single route's message, alias wording included. */
const itemError = (e: DomainError) => (e.code === 'CODE_TAKEN' ? 'This alias is already taken' : e.message);

export function shortenRoutes(kit: LinkshrinkKit) {
  const { services, urls } = kit;

  return new Elysia({ prefix: '/api/v1' })
    .post(
      '/shorten',
      kit.route(async (ctx) => {
        const actor = await kit.creator(ctx, LIMITS.shorten);
        const f = parseShorten(await kit.body(ctx));
        const link = await services.links.create(actor, toCreateInput(f, f.url, actor));
        return json(201, success(presentCreated(link, urls)));
      }, errors),
      {
        parse: 'none',
        detail: doc({
          tag: TAG,
          summary: 'Shorten a URL',
          description:
            'Anonymous (20/min per IP) when the server runs with ANONYMOUS_LINKS=true; with an API key the key’s user owns the link and its plan applies. The deleteToken (and statsToken) are shown only in this response.',
          security: 'optional-key',
          body: ShortenBody,
          responses: { ...created('The new short link.'), ...failures },
        }),
      },
    )
    .post(
      '/shorten/bulk',
      kit.route(async (ctx) => {
        const actor = await kit.creator(ctx, LIMITS.bulk);
        const { urls: list, ttlSeconds } = parseBulk(await kit.body(ctx));
        const fields: Omit<ShortenFields, 'url'> = { alias: null, ttlSeconds, password: null, privateStats: false, forcePreview: false };
        const results = await services.links.createMany(actor, list.map((url) => toCreateInput(fields, url, actor)));
        const items = results.map((r, i) =>
          r.ok ? { url: list[i], success: true, data: presentCreated(r.value, urls) } : { url: list[i], success: false, error: itemError(r.error) },
        );
        return json(207, success(items));
      }, errors),
      {
        parse: 'none',
        detail: doc({
          tag: TAG,
          summary: 'Shorten up to 50 URLs',
          description: 'One transaction; each URL succeeds or fails on its own (207). 5 requests/min per IP.',
          security: 'optional-key',
          body: BulkBody,
          responses: { 207: { description: 'Per-URL results.', schema: BulkSchema }, ...failures },
        }),
      },
    )
    .post(
      '/shorten/utm',
      kit.route(async (ctx) => {
        const actor = await kit.creator(ctx, LIMITS.shorten);
        const f = parseUtm(await kit.body(ctx), kit.policy);
        const link = await services.links.create(actor, { ...toCreateInput(f, f.url, actor), utm: f.utm });
        return json(201, success(presentUtm(link, urls, f.utm)));
      }, errors),
      {
        parse: 'none',
        detail: doc({
          tag: TAG,
          summary: 'Shorten a URL with UTM parameters',
          description: 'Appends utm_* parameters to the destination, then shortens it. Shares the 20/min budget of POST /shorten.',
          security: 'optional-key',
          body: UtmBody,
          responses: { ...created('The new short link with its tagged URL.', UtmCreatedSchema), ...failures },
        }),
      },
    );
}
