/**
 * Routes on one existing link — GET /api/v1/expand/:code, POST /verify/:code,
 * GET /qr/:code.(png|svg), DELETE /:code — and GET /unshorten (see
 * linkshrink.routes.ts for the dialect's contract).
 */
import { Elysia } from 'elysia';
import { DomainError } from '../../../errors.ts';
import { clickFacts } from '../../../http/click-facts.ts';
import type { HttpContext } from '../../../http/context.ts';
import { doc, QUERY_KEY } from '../../../http/openapi-doc.ts';
import { json } from '../../../http/respond.ts';
import type { RedirectTarget } from '../../../links/links.types.ts';
import { DeletedSchema, E, ExpandSchema, UnshortenSchema, VerifyBody } from './linkshrink.docs.ts';
import { DELETE_TOKEN_BODY, INVALID_PASSWORD_BODY, linkshrinkErrors } from './linkshrink.errors.ts';
import { LIMITS, TAG, type LinkshrinkKit } from './linkshrink.kit.ts';
import { success } from './linkshrink.present.ts';
import { object, parseQrQuery, queryValue } from './linkshrink.schemas.ts';

const QR_FILE = /^(.+)\.(png|svg)$/;
const notFound = () => new DomainError('NOT_FOUND', 'Short URL not found or expired.');

const qrDoc = (format: 'png' | 'svg') => {
  const operation = doc({
    tag: TAG,
    summary: `QR code of a short link (${format.toUpperCase()})`,
    description: 'Encodes the short URL; cached for 24 hours. Colours are free on this route.',
    security: 'optional-key',
    query: {
      size: { description: 'Pixels, 64–1024 (default 512).', type: 'integer' },
      fg: { description: 'Dark modules, hex with or without # (default #0a0a0f).' },
      bg: { description: 'Background, hex with or without # (default #00f0ff).' },
    },
    responses: { 200: { description: 'The image.', type: format === 'png' ? 'image/png' : 'image/svg+xml' }, 400: E[400], 404: E[404], 429: E[429] },
  });
  const code = { name: 'code', in: 'path', required: true, description: 'The short code.', schema: { type: 'string' } };
  const { [QUERY_KEY]: query = [], ...rest } = operation;
  return { get: { ...rest, operationId: `getLinkShrinkQr${format === 'png' ? 'Png' : 'Svg'}`, parameters: [code, ...query] } };
};

/**
 * GET /api/v1/qr/{code}.png and .svg as the document names them. Elysia's
 * router has no parameter with a suffix, so one route (/qr/:file) serves
 * both and these path items describe it in /openapi.json.
 */
export const QR_DOC_PATHS = { '/api/v1/qr/{code}.png': qrDoc('png'), '/api/v1/qr/{code}.svg': qrDoc('svg') };

export function linkRoutes(kit: LinkshrinkKit) {
  const { services } = kit;
  const { links } = services;

  /** The live link as the redirect sees it (cached; schedules and UTM applied by destinationFor). @throws NOT_FOUND */
  async function target(code: string): Promise<RedirectTarget> {
    const found = await links.resolve(code);
    if (!found) throw notFound();
    return found;
  }

  const destination = (code: string, t: RedirectTarget) => json(200, success({ code, originalUrl: links.destinationFor(t) }));

  // the document says expand counts a click, and its callers are scripts: HTTP tools count here (crawlers still do not)
  const countClick = (ctx: HttpContext, t: RedirectTarget) =>
    services.recorder.record(clickFacts(t.id, ctx.request, ctx.server, services.config.trustProxy, 'link', true));

  return new Elysia({ prefix: '/api/v1' })
    .get(
      '/expand/:code',
      kit.route(async (ctx) => {
        const code = kit.code(ctx.params.code);
        await kit.reader(ctx, LIMITS.links);
        const t = await target(code);
        if (t.passwordHash !== null) {
          return json(401, {
            error: 'Password required',
            message: 'This link is password-protected.',
            hint: `POST {"password": "…"} to /api/v1/verify/${code} to get its destination`,
          });
        }
        // Elysia answers HEAD with the GET handler; link checkers' HEADs are not clicks, as on redirects
        if (ctx.request.method !== 'HEAD') countClick(ctx, t);
        return destination(code, t);
      }),
      {
        detail: doc({
          tag: TAG,
          summary: 'Expand a short code (counts a click)',
          description:
            'Counts a click, HTTP tools included (crawlers and link unfurlers, by User-Agent, are recorded but not counted). Password-protected links answer 401: use POST /verify/{code}. To look without counting, open /preview/{code}.',
          security: 'optional-key',
          responses: { 200: { description: 'The destination.', schema: ExpandSchema }, 401: E[401], 404: E[404], 429: E[429] },
        }),
      },
    )
    .post(
      '/verify/:code',
      kit.route(async (ctx) => {
        const code = kit.code(ctx.params.code);
        await kit.reader(ctx, LIMITS.verify);
        const body = object(await kit.body(ctx));
        const t = await target(code);
        if (t.passwordHash === null) return destination(code, t);
        // counted only for a link with a password: made-up codes must not fill the limiter with budgets
        kit.verifyLimit(ctx, code);
        if (typeof body.password !== 'string' || body.password === '') {
          throw new DomainError('VALIDATION', 'The password field is required.', { field: 'password' });
        }
        const opened = await links.unlock(code, t, body.password);
        if (opened === null) throw notFound();
        return destination(code, opened);
      }, linkshrinkErrors('Bad Request', { INVALID_TOKEN: () => json(401, INVALID_PASSWORD_BODY) })),
      {
        parse: 'none',
        detail: doc({
          tag: TAG,
          summary: 'Verify a link password',
          description:
            'Returns the destination when the password matches; links without a password return it directly. Counts no click. 10 attempts/min per IP and code and 60/min per IP across links, shared with the password page, with or without a key (and 60 requests/min per IP overall without one).',
          security: 'optional-key',
          body: VerifyBody,
          responses: { 200: { description: 'The destination.', schema: ExpandSchema }, 400: E[400], 401: E[401], 404: E[404], 429: E[429] },
        }),
      },
    )
    .get(
      '/qr/:file',
      kit.route(async (ctx) => {
        const m = QR_FILE.exec(ctx.params.file ?? '');
        if (!m) throw notFound();
        const code = kit.code(m[1]);
        await kit.reader(ctx, LIMITS.links);
        const { size, fg, bg } = parseQrQuery(ctx.query);
        const link = await links.getPublic(code);
        // exactly the short URL: printed codes keep working whatever the link's mode or destination
        const payload = services.shortUrl(link.code);
        const style = { foregroundColor: fg, backgroundColor: bg, margin: 4, size, errorCorrection: 'M' as const };
        const cache = { 'cache-control': 'public, max-age=86400' };
        if (m[2] === 'svg') return new Response(await services.qr.renderSvg(payload, style), { headers: { 'content-type': 'image/svg+xml', ...cache } });
        return new Response(await services.qr.renderPng(payload, style), { headers: { 'content-type': 'image/png', ...cache } });
      }),
      // documented as two paths by QR_DOC_PATHS: the router's one parameter is not how clients see it
      { detail: { hide: true } },
    )
    .get(
      '/unshorten',
      kit.route(async (ctx) => {
        await kit.creator(ctx, LIMITS.unshorten);
        return json(200, success(await services.unshorten(queryValue(ctx.query.url))));
      }),
      {
        detail: doc({
          tag: TAG,
          summary: 'Follow a short URL’s redirects',
          description:
            'Up to 10 hops, 3 s in all, every hop checked against private and loopback addresses. Like creating links, needs ANONYMOUS_LINKS=true or an API key. 400: the url is missing or not http(s) ("error": "Bad Request"), or it could not be followed ("error": "Failed to unshorten URL": refused address, DNS, timeout, too many redirects).',
          security: 'optional-key',
          query: { url: { description: 'The URL to resolve (URL-encoded).', required: true } },
          responses: {
            200: { description: 'The redirect chain.', schema: UnshortenSchema },
            400: { description: 'The url is missing or not http(s), or it could not be followed ("Failed to unshorten URL").', schema: E[400].schema },
            401: E[401],
            429: E[429],
          },
        }),
      },
    )
    .delete(
      '/:code',
      kit.route(async (ctx) => {
        const code = kit.code(ctx.params.code);
        await kit.reader(ctx, LIMITS.links);
        await links.removeWithToken(code, queryValue(ctx.query.delete_token));
        return json(200, { status: 'success', message: 'Short URL deleted successfully', data: { code } });
      }, linkshrinkErrors('Bad Request', { INVALID_TOKEN: () => json(401, DELETE_TOKEN_BODY) })),
      {
        parse: 'none',
        detail: doc({
          tag: TAG,
          summary: 'Delete a short link with its delete token',
          description: 'The deleteToken from the creation response is the only way; afterwards the link answers 404 everywhere.',
          security: 'optional-key',
          query: { delete_token: { description: 'The deleteToken from the creation response.', required: true } },
          responses: { 200: { description: 'Deleted.', schema: DeletedSchema }, 401: E[401], 404: E[404], 429: E[429] },
        }),
      },
    );
}
