/**
 * Native API — Minilnk-compatible (seeds/minilnk-api.txt), mounted at /api/v1.
 *
 * Endpoints: GET|POST /links, GET|PUT|PATCH|DELETE /links/{id} (PATCH is PUT, as Laravel routes it),
 * GET /links/{id}/analytics, GET|POST /qrcodes, GET|DELETE /qrcodes/{id},
 * and the QR download URLs GET /dashboard/qrcodes/{id}/download/{svg|png}
 * (which also answer to a dashboard session, for browsers following them).
 * Auth: an API key as `Authorization: Bearer`, `X-API-Key` or `?api_key=`;
 * per-key per-minute limits of the key's plan (429 + Retry-After); plans
 * without API access get 403. Objects are visible only to their owner:
 * another user's id answers 404, exactly like a missing one.
 * Errors: Laravel bodies — 422 {message, errors}, otherwise {message};
 * a body that is not a JSON object (or form) is 400.
 *
 * Where the document is silent or we deliberately go further:
 * - Link objects also carry password_protected, expires_at and updated_at.
 * - The list is Laravel's full LengthAwarePaginator body (the document shows
 *   a subset); like the document's search example, page URLs carry only
 *   ?page (as Laravel's paginator does unless told otherwise).
 * - Analytics also returns operating_systems, referrers, sources (link vs QR
 *   scan) and unique_clicks_over_time, and accepts ?from=&to= (YYYY-MM-DD);
 *   unknown values read "Unknown", a missing referrer reads "(direct)".
 * - Bot visits (link unfurlers, crawlers) are not counted as clicks.
 * - QR colour customisation needs the plan's QR-colours feature (403);
 *   a QR code with link_id is dynamic and encodes the short URL with qr=1 so
 *   its scans are counted with source "qr".
 * - Delete is soft: the code stays reserved so old printed links never point
 *   somewhere someone else chose; only its owner may take it again.
 */
import { Elysia } from 'elysia';
import { DomainError } from '../../errors.ts';
import { extractApiKey } from '../../http/api-auth.ts';
import type { AppDeps } from '../../http/app-deps.ts';
import { createSessionAuth } from '../../http/session-auth.ts';
import type { HttpContext } from '../../http/context.ts';
import { dialectHandler } from '../../http/dialect.ts';
import { doc as docOf, type DocSpec } from '../../http/openapi-doc.ts';
import { json } from '../../http/respond.ts';
import { nativeErrors } from './native.errors.ts';
import { paginate, presentAnalytics, presentLink, presentQr } from './native.present.ts';
import { UNDRAWABLE } from '../../qr/qr.service.ts';
import {
  AnalyticsSchema,
  CreateLinkBody,
  CreateQrBody,
  LinkSchema,
  MessageSchema,
  QrSchema,
  paginatorOf,
  UpdateLinkBody,
  ValidationSchema,
  parseCreateLink,
  parseId,
  parsePage,
  readQr,
  parseUpdateLink,
} from './native.schemas.ts';
import { urlPolicyOf } from '../../links/url-policy.ts';

// bodies are read as JSON or as a form (Laravel's request), and the document says so
const doc = (spec: DocSpec) => docOf({ form: true, ...spec });

const TAG = 'Native (Minilnk)';
const PER_PAGE = 15;

const errors = {
  401: { description: 'Missing, inactive or revoked API key.', schema: MessageSchema },
  403: { description: 'The plan does not allow this (API access, alias, password, expiry, colours, link limit).', schema: MessageSchema },
  429: { description: 'Rate limit exceeded; see Retry-After.', schema: MessageSchema },
};
const notFound = { 404: { description: 'No such object of yours.', schema: MessageSchema } };
const invalid = { 400: { description: 'Body is not a JSON object.', schema: MessageSchema }, 422: { description: 'Validation failed.', schema: ValidationSchema } };

export function nativeApi(deps: AppDeps) {
  const { services, apiAuth } = deps;
  const sessionAuth = createSessionAuth(deps);
  const policy = urlPolicyOf(services.config);
  const base = services.config.baseUrl;
  const link = (l: Parameters<typeof presentLink>[0]) => presentLink(l, services.shortUrl);
  const body = (ctx: HttpContext) => apiAuth.body(ctx);
  const qrJson = async (qr: Awaited<ReturnType<typeof services.qr.get>>) =>
    presentQr(qr, base, await services.qr.svg(qr), await services.qr.isDynamic(qr));
  const r = dialectHandler(deps.logger, nativeErrors);

  const updateLink = r(async (ctx) => {
    const actor = await apiAuth.authenticate(ctx);
    const target = await services.links.get(actor, parseId(ctx.params.id));
    const input = parseUpdateLink(await body(ctx), policy, services.now);
    return json(200, link(await services.links.update(actor, target, input)));
  });
  const updateLinkOptions = (summary: string) => ({
    parse: 'none' as const,
    detail: doc({
      tag: TAG,
      summary,
      description: 'original_url is required; remove_password / remove_expiration clear protection and expiry.',
      body: UpdateLinkBody,
      responses: { 200: { description: 'The updated link.', schema: LinkSchema }, ...invalid, ...notFound, ...errors },
    }),
  });

  const api = new Elysia({ prefix: '/api/v1' })
    .get(
      '/links',
      r(async (ctx) => {
          const actor = await apiAuth.authenticate(ctx);
          const search = ctx.query.search?.trim() || undefined;
          const page = await services.links.list(actor, { search, page: parsePage(ctx.query.page), perPage: PER_PAGE });
          return json(200, paginate(page.items.map(link), page.total, page.page, page.perPage, `${base}/api/v1/links`));
        }),
      {
        detail: doc({
          tag: TAG,
          summary: 'List your links',
          description: 'Newest first, 15 per page. `search` matches title, original URL or short code.',
          query: { search: { description: 'Filter by title, URL or code.' }, page: { description: 'Page number (default 1).', type: 'integer' } },
          responses: { 200: { description: 'A Laravel paginator of link objects.', schema: paginatorOf(LinkSchema) }, ...errors },
        }),
      },
    )
    .post(
      '/links',
      r(async (ctx) => {
          const actor = await apiAuth.authenticate(ctx);
          const input = parseCreateLink(await body(ctx), policy, services.now);
          const { link: created } = await services.links.create(actor, input);
          return json(201, link(created));
        }),
      {
        parse: 'none',
        detail: doc({
          tag: TAG,
          summary: 'Create a link',
          body: CreateLinkBody,
          responses: { 201: { description: 'The new link.', schema: LinkSchema }, ...invalid, ...errors },
        }),
      },
    )
    .get(
      '/links/:id',
      r(async (ctx) => {
          const actor = await apiAuth.authenticate(ctx);
          return json(200, link(await services.links.get(actor, parseId(ctx.params.id))));
        }),
      { detail: doc({ tag: TAG, summary: 'Get a link', responses: { 200: { description: 'The link.', schema: LinkSchema }, ...notFound, ...errors } }) },
    )
    .put('/links/:id', updateLink, updateLinkOptions('Update a link'))
    // Laravel's apiResource routes PATCH to the same update (as Linx.ly's adapter does)
    .patch('/links/:id', updateLink, updateLinkOptions('Update a link (PATCH, the same as PUT)'))
    .delete(
      '/links/:id',
      r(async (ctx) => {
          const actor = await apiAuth.authenticate(ctx);
          await services.links.remove(actor, parseId(ctx.params.id));
          return json(200, { message: 'Link deleted successfully.' });
        }),
      { parse: 'none', detail: doc({ tag: TAG, summary: 'Delete a link', description: 'The short URL answers 404 from now on.', responses: { 200: { description: 'Deleted.', schema: MessageSchema }, ...notFound, ...errors } }) },
    )
    .get(
      '/links/:id/analytics',
      r(async (ctx) => {
          const actor = await apiAuth.authenticate(ctx);
          const target = await services.links.get(actor, parseId(ctx.params.id));
          // ?from= or a blank one is no date (Laravel trims, then reads an empty value as null): the default applies
          const bound = (v: string | undefined) => v?.trim() || undefined;
          const analytics = await services.analytics.forLink(target, { from: bound(ctx.query.from), to: bound(ctx.query.to) });
          return json(200, presentAnalytics(target, analytics, services.shortUrl));
        }),
      {
        detail: doc({
          tag: TAG,
          summary: 'Link analytics',
          description: 'Clicks over time, devices, countries, browsers, operating systems, referrers and sources; bots excluded. A visitor is unique on their first visit to the link: without a range unique_clicks is the distinct visitors; with from/to it is the visitors whose first visit falls in the range, as unique_clicks_over_time is per day. Each breakdown lists its 50 largest values, largest first; the clicks of any others are one last entry labelled "(other)" (country "Other", country_code null), so every breakdown adds up to the period’s clicks.',
          query: { from: { description: 'First day, YYYY-MM-DD (default: the link’s creation day).' }, to: { description: 'Last day, YYYY-MM-DD (default: today).' } },
          responses: { 200: { description: 'Aggregated statistics.', schema: AnalyticsSchema }, ...notFound, 422: { description: 'Bad date range.', schema: ValidationSchema }, ...errors },
        }),
      },
    )
    .get(
      '/qrcodes',
      r(async (ctx) => {
          const actor = await apiAuth.authenticate(ctx);
          const search = ctx.query.search?.trim() || undefined;
          const page = await services.qr.list(actor, { search, page: parsePage(ctx.query.page), perPage: PER_PAGE });
          const items = await Promise.all(page.items.map(qrJson));
          return json(200, paginate(items, page.total, page.page, page.perPage, `${base}/api/v1/qrcodes`));
        }),
      {
        detail: doc({
          tag: TAG,
          summary: 'List your QR codes',
          query: { search: { description: 'Filter by name.' }, page: { description: 'Page number.', type: 'integer' } },
          responses: { 200: { description: 'A Laravel paginator of QR objects.', schema: paginatorOf(QrSchema) }, ...errors },
        }),
      },
    )
    .post(
      '/qrcodes',
      r(async (ctx) => {
          const actor = await apiAuth.authenticate(ctx);
          const { rules, input } = readQr(await body(ctx));
          if (input.linkId != null && !rules.errors.link_id) {
            const owned = await services.links.get(actor, input.linkId).then(
              () => true,
              (e: unknown) => (e instanceof DomainError && e.code === 'NOT_FOUND' ? false : Promise.reject(e)),
            );
            if (!owned) rules.fail('link_id', 'The selected link id is invalid.');
          }
          rules.check();
          const created = await services.qr.create(actor, input);
          return json(201, await qrJson(created));
        }),
      {
        parse: 'none',
        detail: doc({ tag: TAG, summary: 'Create a QR code', body: CreateQrBody, responses: { 201: { description: 'The new QR code.', schema: QrSchema }, ...invalid, ...errors } }),
      },
    )
    .get(
      '/qrcodes/:id',
      r(async (ctx) => {
          const actor = await apiAuth.authenticate(ctx);
          return json(200, await qrJson(await services.qr.get(actor, parseId(ctx.params.id))));
        }),
      { detail: doc({ tag: TAG, summary: 'Get a QR code', responses: { 200: { description: 'The QR code with its SVG preview.', schema: QrSchema }, ...notFound, ...errors } }) },
    )
    .delete(
      '/qrcodes/:id',
      r(async (ctx) => {
          const actor = await apiAuth.authenticate(ctx);
          await services.qr.remove(actor, parseId(ctx.params.id));
          return json(200, { message: 'QR Code deleted successfully.' });
        }),
      { parse: 'none', detail: doc({ tag: TAG, summary: 'Delete a QR code', description: 'The linked short link is not affected.', responses: { 200: { description: 'Deleted.', schema: MessageSchema }, ...notFound, ...errors } }) },
    );

  // The download URLs Minilnk hands out live under /dashboard but answer to the API key too.
  const drawn = <T>(image: T | null): T => {
    if (image === null) throw new DomainError('VALIDATION', UNDRAWABLE, { field: 'content' });
    return image;
  };
  const downloads = new Elysia().get(
    '/dashboard/qrcodes/:id/download/:format',
    r(async (ctx) => {
        // an API key when one is sent, else the dashboard session (browsers following the link)
        const session = extractApiKey(ctx) ? null : await sessionAuth.context(ctx.request);
        // a resume that slid the session sends its cookie again, as a dashboard page does
        const renewed = (res: Response) => sessionAuth.withRenewal(res, sessionAuth.renewal(ctx.request, session));
        // a session still on a generated password opens nothing but the account screen (dashboard-kit.ts)
        const actor = session && !session.actor.user.mustChangePassword ? session.actor : await apiAuth.authenticate(ctx);
        const qr = await services.qr.get(actor, parseId(ctx.params.id));
        const filename = `qrcode-${qr.id}`;
        if (ctx.params.format === 'svg') {
          return renewed(new Response(drawn(await services.qr.svg(qr)), {
            headers: { 'content-type': 'image/svg+xml', 'content-disposition': `attachment; filename="${filename}.svg"`, 'cache-control': 'private, no-cache' },
          }));
        }
        if (ctx.params.format === 'png') {
          return renewed(new Response(drawn(await services.qr.png(qr)), {
            headers: { 'content-type': 'image/png', 'content-disposition': `attachment; filename="${filename}.png"`, 'cache-control': 'private, no-cache' },
          }));
        }
        return json(404, { message: 'Unknown format; use svg or png.' });
      }),
    {
      detail: doc({
        tag: TAG,
        summary: 'Download a QR code image',
        description: 'format is svg or png. Accepts the API key like every API route, or a dashboard session.',
        responses: { 200: { description: 'The image.', type: 'image/svg+xml', alsoAs: ['image/png'] }, ...notFound, ...errors },
      }),
    },
  );

  return new Elysia({ name: 'native-api' }).use(api).use(downloads);
}
