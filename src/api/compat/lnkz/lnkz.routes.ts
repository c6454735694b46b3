/**
 * lnkz — URL API (seeds/lnkz-api.txt), mounted at /api/v1/urls.
 *
 * Endpoints: GET|POST /api/v1/urls, POST /api/v1/urls/bulk,
 * GET|PUT|PATCH|DELETE /api/v1/urls/{id} ({id} is the numeric link id; PATCH is PUT, as Laravel routes it).
 * Auth: the API key as `Authorization: Bearer` only; per-key per-minute
 * limits of the plan (429 RATE_LIMITED + Retry-After). Another user's id is
 * 404 NOT_FOUND, like a missing one, and is never changed.
 * Errors: {code, message}: 401 UNAUTHENTICATED, 404 NOT_FOUND, 422
 * VALIDATION_ERROR (+ errors per field), 400 BAD_REQUEST for a body that is
 * not JSON, 429 RATE_LIMITED.
 *
 * Where the document is silent or we deliberately differ:
 * - Statuses as documented: list/get 200, create/bulk 201, update 200 with an
 *   empty body, delete 204. Stored URLs (list, get) show expiresAt as
 *   "2023-07-04 10:00:00" and the click count; created ones (create, bulk)
 *   show "2025-12-31T23:59:59.000000Z" and clicks null, as the examples do.
 * - expiresAt accepts "Y-m-d H:i:s" (UTC) or ISO 8601, must lie in the
 *   future (422 otherwise) and needs a plan with expiry; null on update
 *   removes it. url must be http(s), at most 2048 characters, not private.
 * - Plan gates, all 403: the link quota answers the document's
 *   PLAN_QUOTA_EXCEEDED body with the real plan, limit and usage (403, not
 *   402/429: it is a refusal, and retrying will not help); a plan without API
 *   access (free) or without a feature answers the same body with quota_key
 *   naming it (api_access, expiry, …) and policy_limit 0.
 * - Bulk takes 1–100 items. Every item is validated first and nothing is
 *   created if any fails (422 with errors keyed "index.field", e.g.
 *   "1.url"); the quota is checked for the whole batch; the batch is written
 *   in one transaction.
 * - The list returns every URL of yours, oldest first (read 250 at a
 *   time and streamed, so any number of URLs stays cheap); ?page=&per_page=
 *   (at most 100) return one page instead.
 * - Delete is soft: the URL answers 404 everywhere, and its code is never
 *   reissued to anyone else, so old shared links cannot be hijacked (its
 *   owner may take it again).
 * - Bot visits (link unfurlers, crawlers) are not counted in clicks.
 */
import { Type as t } from '@sinclair/typebox';
import { Elysia } from 'elysia';
import { BEARER_ONLY } from '../../../http/api-auth.ts';
import type { AppDeps } from '../../../http/app-deps.ts';
import type { HttpContext } from '../../../http/context.ts';
import { dialectHandler } from '../../../http/dialect.ts';
import { bearerDoc } from '../../../http/openapi-doc.ts';
import { empty, json } from '../../../http/respond.ts';
import type { Actor } from '../../../accounts/accounts.types.ts';
import type { Link } from '../../../links/links.types.ts';
import { lnkzErrors } from './lnkz.errors.ts';
import { presentCreated, presentStored } from './lnkz.present.ts';
import {
  BulkBody,
  CreateBody,
  CreatedUrlSchema,
  ErrorSchema,
  PlanErrorSchema,
  StoredUrlSchema,
  UpdateBody,
  ValidationSchema,
  parseBulk,
  parseCreate,
  parseId,
  parseListQuery,
  parseUpdate,
} from './lnkz.schemas.ts';
import { urlPolicyOf } from '../../../links/url-policy.ts';
import { batchedBody } from '../../../http/batched-body.ts';

const TAG = 'lnkz';

const common = {
  401: { description: 'Missing or invalid token.', schema: ErrorSchema },
  403: { description: 'PLAN_QUOTA_EXCEEDED: the link quota (max_links), or API access or a feature the plan lacks (quota_key api_access, custom_alias, password, expiry; policy_limit 0).', schema: PlanErrorSchema },
  429: { description: 'RATE_LIMITED; see Retry-After.', schema: ErrorSchema },
};
const notFound = { 404: { description: 'NOT_FOUND: no such URL of yours.', schema: ErrorSchema } };
const invalid = { 400: { description: 'BAD_REQUEST: the body is not JSON.', schema: ErrorSchema }, 422: { description: 'VALIDATION_ERROR.', schema: ValidationSchema } };
const internal = () => json(500, { code: 'SERVER_ERROR', message: 'Server Error' });

/**
 * Links read per statement when listing every URL, and written per part: each part holds the thread
 * while it is read and encoded (1,000 links of 2 KB destinations: 20-35 ms; 250: under 10).
 */
const LIST_BATCH = 250;

export function lnkzRoutes(deps: AppDeps) {
  const { services, apiAuth } = deps;
  const policy = urlPolicyOf(services.config);
  const r = dialectHandler(deps.logger, lnkzErrors, internal);
  const auth = (ctx: HttpContext) => apiAuth.authenticate(ctx, BEARER_ONLY);
  const body = (ctx: HttpContext) => apiAuth.body(ctx, { allowForm: false });
  const stored = (l: Link) => presentStored(l, services.shortUrl);
  const created = (l: Link) => presentCreated(l, services.shortUrl);
  const listPage = (actor: Actor, page: number, perPage: number) =>
    services.links.list(actor, { page, perPage, sort: 'created_at', direction: 'asc' });

  /**
   * Every URL of the caller, oldest first, read in keyset batches. A list of one batch is answered
   * at once; a longer one is streamed batch by batch as the client reads it, with a turn of the
   * event loop between batches, so an account of a million links neither holds them all in memory
   * nor the thread that answers redirects.
   */
  async function listAll(actor: Actor): Promise<Response> {
    const first = await services.links.oldestAfter(actor, null, LIST_BATCH);
    if (first.length < LIST_BATCH) return json(200, { data: first.map(stored) });
    let batch = first;
    let finished = false;
    const items = (links: Link[]) => links.map((l) => JSON.stringify(stored(l))).join(',');
    const stream = batchedBody(
      `{"data":[${items(first)}`,
      async () => {
        if (finished) return null;
        const last = batch[batch.length - 1]!;
        batch = await services.links.oldestAfter(actor, { createdAt: last.createdAt, id: last.id }, LIST_BATCH);
        finished = batch.length < LIST_BATCH;
        const more = items(batch);
        return (more && `,${more}`) + (finished ? ']}' : '');
      },
      // a body cut short, which a client sees as invalid JSON
      (e) => deps.logger.error('listing URLs failed mid-stream', { error: e }),
    );
    return new Response(stream, { status: 200, headers: { 'content-type': 'application/json; charset=utf-8' } });
  }

  const update = r(async (ctx) => {
    const actor = await auth(ctx);
    const target = await services.links.get(actor, parseId(ctx.params.id));
    await services.links.update(actor, target, parseUpdate(await body(ctx), policy, services.now));
    return empty(200);
  });
  const updateOptions = (summary: string) => ({
    parse: 'none' as const,
    detail: bearerDoc({
      tag: TAG,
      summary,
      description: 'Both fields optional; expiresAt null removes the expiry. Answers 200 with an empty body.',
      body: UpdateBody,
      responses: { 200: { description: 'Updated (empty body).' }, ...notFound, ...invalid, ...common },
    }),
  });

  return new Elysia({ name: 'lnkz-api', prefix: '/api/v1' })
    .get(
      '/urls',
      r(async (ctx) => {
        const actor = await auth(ctx);
        const paging = parseListQuery(ctx.query);
        if (!paging) return listAll(actor);
        return json(200, { data: (await listPage(actor, paging.page, paging.perPage)).items.map(stored) });
      }),
      {
        detail: bearerDoc({
          tag: TAG,
          summary: 'List URLs',
          description: 'Every URL of yours, oldest first; page/per_page return one page.',
          query: { page: { description: 'Optional page number.', type: 'integer' }, per_page: { description: 'Optional page size (at most 100).', type: 'integer' } },
          responses: { 200: { description: 'Your URLs.', schema: t.Object({ data: t.Array(StoredUrlSchema) }) }, 422: invalid[422], ...common },
        }),
      },
    )
    .post(
      '/urls',
      r(async (ctx) => {
        const actor = await auth(ctx);
        const input = parseCreate(await body(ctx), policy, services.now);
        const { link } = await services.links.create(actor, input);
        return json(201, { data: created(link) });
      }),
      {
        parse: 'none',
        detail: bearerDoc({
          tag: TAG,
          summary: 'Create a URL',
          body: CreateBody,
          responses: { 201: { description: 'The new URL (clicks null).', schema: t.Object({ data: CreatedUrlSchema }) }, ...invalid, ...common },
        }),
      },
    )
    .post(
      '/urls/bulk',
      r(async (ctx) => {
        const actor = await auth(ctx);
        const inputs = parseBulk(await body(ctx), policy, services.now);
        const results = await services.links.createMany(actor, inputs, { atomic: true });
        return json(201, { data: results.flatMap((res) => (res.ok ? [created(res.value.link)] : [])) });
      }),
      {
        parse: 'none',
        detail: bearerDoc({
          tag: TAG,
          summary: 'Create URLs in bulk',
          description: '1–100 items, all or nothing: any invalid item fails the request (errors keyed "index.field").',
          body: BulkBody,
          responses: { 201: { description: 'The new URLs, in request order.', schema: t.Object({ data: t.Array(CreatedUrlSchema) }) }, ...invalid, ...common },
        }),
      },
    )
    .get(
      '/urls/:id',
      r(async (ctx) => {
        const actor = await auth(ctx);
        return json(200, { data: stored(await services.links.get(actor, parseId(ctx.params.id))) });
      }),
      { detail: bearerDoc({ tag: TAG, summary: 'Get a URL', responses: { 200: { description: 'The URL.', schema: t.Object({ data: StoredUrlSchema }) }, ...notFound, ...common } }) },
    )
    .put('/urls/:id', update, updateOptions('Update a URL'))
    // Laravel's apiResource routes PATCH to the same update (as Linx.ly's adapter does)
    .patch('/urls/:id', update, updateOptions('Update a URL (PATCH, the same as PUT)'))
    .delete(
      '/urls/:id',
      r(async (ctx) => {
        const actor = await auth(ctx);
        await services.links.remove(actor, parseId(ctx.params.id));
        return empty(204);
      }),
      { parse: 'none', detail: bearerDoc({ tag: TAG, summary: 'Delete a URL', responses: { 204: { description: 'Deleted (empty body).' }, ...notFound, ...common } }) },
    );
}
