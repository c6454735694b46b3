/**
 * Linx.ly — Short Links API (seeds/linxly-short-links-api.txt), mounted at
 * /v1/client/short-links.
 *
 * Endpoints: GET|POST /v1/client/short-links,
 * GET|PUT|DELETE /v1/client/short-links/{short_code}.
 * Auth: the API key as `Authorization: Bearer` only (X-API-Key and ?api_key
 * are not Linx.ly's and answer 401); per-key per-minute limits of the plan
 * (429 {"message":"Too Many Attempts."} + Retry-After). Links are visible
 * only to their owner: another user's short_code is 404, like a missing one.
 * Errors: Laravel bodies — 422 {message, errors}; otherwise {message}:
 * 401 "Unauthenticated.", 404 "Short link not found.", 400 "Tariff limit
 * reached" when the plan's link quota is used up.
 *
 * Where the document is silent or we deliberately differ:
 * - A plan without API access also answers 400 "Tariff limit reached" (the
 *   tariff is what refuses it). A custom short_code on a plan without custom
 *   aliases is 422 with errors.short_code, like the document's 422 "plan does
 *   not allow …" on update. Every API plan may edit destinations.
 * - short_code: 3–32 of [A-Za-z0-9_-]; taken or reserved → 422
 *   errors.short_code ["The short code has already been taken."].
 * - Create also takes utm {utm_source, utm_medium, utm_campaign, utm_term,
 *   utm_content} and schedules [{start_at, end_at|null, destination_url}]
 *   (at most 20; dates "Y-m-d H:i:s" UTC or ISO 8601). UTM parameters are
 *   appended at redirect time; a schedule's destination is used between its
 *   start and end. Update takes destination_url, status (boolean: false
 *   pauses the link), utm (replaces the whole set; null removes it) and
 *   schedules (replace all; [] removes them); every field is optional and
 *   short_code cannot be changed.
 * - The core stores UTM on the link, so utm_id (and utm.id) is the link's
 *   own id when a UTM set exists, else null.
 * - List: per_page defaults to 10 and is capped at 100; page, per_page,
 *   sort_column (id, short_code, destination_url, status, clicks_count,
 *   created_at, updated_at) and sort_type (asc|desc) are validated (422).
 *   As in the document, page URLs carry only ?page, and the page links read
 *   "« Previous" / "Next »"; long lists get Laravel's "..." window.
 * - Delete erases the link's click logs and schedules as documented, and the
 *   short URL answers 404 everywhere; the code itself stays reserved (never
 *   reissued to anyone else) so old printed links cannot be hijacked; its
 *   owner may create it again, as a new link.
 * - Bot visits (link unfurlers, crawlers) are not counted in clicks_count.
 */
import { Elysia } from 'elysia';
import { BEARER_ONLY } from '../../../http/api-auth.ts';
import type { AppDeps } from '../../../http/app-deps.ts';
import type { HttpContext } from '../../../http/context.ts';
import { dialectHandler } from '../../../http/dialect.ts';
import { bearerDoc as bearerDocOf, type DocSpec } from '../../../http/openapi-doc.ts';
import { json } from '../../../http/respond.ts';
import type { Link } from '../../../links/links.types.ts';
import { linxlyErrors } from './linxly.errors.ts';
import { paginate, presentLink, presentListItem } from './linxly.present.ts';
import {
  CreateBody,
  LinkSchema,
  ListSchema,
  MessageSchema,
  SORT_COLUMN_NAMES,
  UpdateBody,
  ValidationSchema,
  parseCreate,
  parseListQuery,
  parseUpdate,
} from './linxly.schemas.ts';
import { urlPolicyOf } from '../../../links/url-policy.ts';

// bodies are read as JSON or as a form (Laravel's request), and the document says so
const bearerDoc = (spec: Omit<DocSpec, 'security'>) => bearerDocOf({ form: true, ...spec });

const TAG = 'Linx.ly';

const common = {
  401: { description: 'Missing or invalid token.', schema: MessageSchema },
  429: { description: 'Rate limit exceeded; see Retry-After.', schema: MessageSchema },
};
const tariff = { 400: { description: 'Tariff limit reached (link quota, or a plan without API access).', schema: MessageSchema } };
const notFound = { 404: { description: 'No such short link of yours.', schema: MessageSchema } };
const invalid = { 422: { description: 'Validation failed, short code taken, or a plan feature missing.', schema: ValidationSchema } };

export function linxlyRoutes(deps: AppDeps) {
  const { services, apiAuth } = deps;
  const policy = urlPolicyOf(services.config);
  const path = `${services.config.baseUrl}/v1/client/short-links`;
  const r = dialectHandler(deps.logger, linxlyErrors);
  const auth = (ctx: HttpContext) => apiAuth.authenticate(ctx, BEARER_ONLY);
  const body = (ctx: HttpContext) => apiAuth.body(ctx);
  const single = async (link: Link) => presentLink(link, await services.links.schedules(link.id));

  const update = r(async (ctx) => {
    const actor = await auth(ctx);
    const target = await services.links.getByCode(actor, ctx.params.short_code ?? '');
    const input = parseUpdate(await body(ctx), policy);
    return json(200, await single(await services.links.update(actor, target, input)));
  });
  const updateDoc = (summary: string, operationId: string) =>
    bearerDoc({
      tag: TAG,
      summary,
      operationId,
      description: 'Every field is optional; utm and schedules replace what the link had.',
      body: UpdateBody,
      responses: { 200: { description: 'The updated short link.', schema: LinkSchema }, ...notFound, ...tariff, ...invalid, ...common },
    });

  return new Elysia({ name: 'linxly-api', prefix: '/v1/client' })
    .get(
      '/short-links',
      r(async (ctx) => {
        const actor = await auth(ctx);
        const q = parseListQuery(ctx.query);
        const page = await services.links.list(actor, q);
        return json(200, paginate(page.items.map(presentListItem), page.total, page.page, page.perPage, path));
      }),
      {
        detail: bearerDoc({
          tag: TAG,
          summary: 'List short links',
          operationId: 'listLinxlyShortLinks',
          description: 'Your short links, paginated the Laravel API-resource way.',
          query: {
            page: { description: 'Page number (default 1).', type: 'integer' },
            per_page: { description: 'Items per page (default 10, at most 100).', type: 'integer' },
            sort_column: { description: `Column to sort by (default created_at): ${SORT_COLUMN_NAMES.join(', ')}.` },
            sort_type: { description: 'asc or desc (default desc).' },
          },
          responses: { 200: { description: 'A page of short links.', schema: ListSchema }, ...invalid, ...tariff, ...common },
        }),
      },
    )
    .post(
      '/short-links',
      r(async (ctx) => {
        const actor = await auth(ctx);
        const input = parseCreate(await body(ctx), policy);
        const { link } = await services.links.create(actor, input);
        return json(200, await single(link));
      }),
      {
        parse: 'none',
        detail: bearerDoc({
          tag: TAG,
          summary: 'Create a short link',
          operationId: 'createLinxlyShortLink',
          description: 'Omit short_code to let the API generate one. Answers 200, as documented.',
          body: CreateBody,
          responses: { 200: { description: 'The new short link.', schema: LinkSchema }, ...tariff, ...invalid, ...common },
        }),
      },
    )
    .get(
      '/short-links/:short_code',
      r(async (ctx) => {
        const actor = await auth(ctx);
        return json(200, await single(await services.links.getByCode(actor, ctx.params.short_code ?? '')));
      }),
      { detail: bearerDoc({ tag: TAG, summary: 'Get a short link', operationId: 'getLinxlyShortLink', responses: { 200: { description: 'The short link.', schema: LinkSchema }, ...notFound, ...tariff, ...common } }) },
    )
    .put('/short-links/:short_code', update, { parse: 'none', detail: updateDoc('Update a short link', 'updateLinxlyShortLink') })
    // Laravel's apiResource routes PATCH to the same update
    .patch('/short-links/:short_code', update, { parse: 'none', detail: updateDoc('Update a short link (PATCH, the same as PUT)', 'patchLinxlyShortLink') })
    .delete(
      '/short-links/:short_code',
      r(async (ctx) => {
        const actor = await auth(ctx);
        await services.links.purge(actor, ctx.params.short_code ?? '');
        return json(200, { message: 'Short link deleted successfully.' });
      }),
      {
        parse: 'none',
        detail: bearerDoc({
          tag: TAG,
          summary: 'Delete a short link',
          operationId: 'deleteLinxlyShortLink',
          description: 'Removes the link with its click logs and schedules; the short URL answers 404. The code is never reissued.',
          responses: { 200: { description: 'Deleted.', schema: MessageSchema }, ...notFound, ...tariff, ...common },
        }),
      },
    );
}
