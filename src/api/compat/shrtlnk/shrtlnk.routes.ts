/**
 * ShrtLnk-compatible API (seeds/shrtlnk-api.txt).
 *
 * Endpoints: POST /api/links (create or reuse), GET /api/links/{code},
 * PATCH|PUT /api/links/{code} (partial update), POST /shorten (the homepage's
 * form and fetch() clients; CSRF). GET /s/{code} is the redirect module's.
 * Bodies: JSON or application/x-www-form-urlencoded (multipart forms too).
 *
 * Auth. ShrtLnk is open by default ("protect /api/* at the firewall"). Here
 * anonymous calls work only with ANONYMOUS_LINKS=true, per client IP: 20
 * creates/min (POST /api/links and /shorten share it), 20 updates/min, 100
 * reads/min; 429 + Retry-After beyond. Otherwise they get 401 with how to
 * send a key. An API key (Bearer, X-API-Key, ?api_key=) always works: its
 * user owns what it creates and its plan's limits and API access apply.
 *
 * Labels, not identities. user_id, user_agent and ip_address are stored as
 * the integrator sent them (user_agent defaults to the request's User-Agent)
 * and only scope deduplication; they never make a caller the owner of a link
 * nor open anyone's link. GET and PATCH answer user_id = that label. Where
 * the document says ip_address "defaults to client IP", it is left empty: the
 * creator's address would be a raw IP stored (SPEC: never), and no route
 * answers the label or dedupes on it, so no client can tell.
 *
 * Visibility. A link owned by a user is visible and editable only with that
 * user's key; to anyone else it is 404, like a missing code. Anonymous links
 * are readable by anyone (as in ShrtLnk), except LinkShrink links with
 * private stats (404: their clicks are behind a stats token) or a password
 * (404: the password guards the destination this route would show).
 *
 * Trade-off, anonymous edits. ShrtLnk lets anyone who can reach /api/*
 * change any link; its answer is the firewall. We keep the documented
 * anonymous PATCH/PUT but narrow it: it needs ANONYMOUS_LINKS=true, and only
 * anonymous links made the ShrtLnk way (no LinkShrink delete/stats token)
 * can be changed; others answer 403. Anyone who knows such a link's code can
 * retarget it — short codes are public — so operators who expose the API
 * should still protect PATCH/PUT /api/links at the proxy, or give
 * integrators keys (then a key caller changes only its own links: an
 * anonymous link is 404 to a key).
 *
 * Deduplication, as documented: same normalised original_url, source and
 * url_cloak returns the existing link (200, existing: true) inside the
 * caller's scope — its own links for a key, anonymous links otherwise — and
 * within that by user_id label, else user_agent label, else the unlabelled
 * bucket. Anything new is 201, existing: false.
 *
 * Errors: rule failures are Laravel 422 {message, errors}; a destination
 * that parses but is refused by policy (private/loopback host) is 422
 * {"success": false, "message": "Invalid URL"}; other errors use
 * {"success": false, "message"}, an unknown method or path under /api/links
 * too (405 with Allow, 404); a body that is not an object is 400; a
 * failed CSRF check on /shorten is Laravel's 419 {"message": "CSRF token
 * mismatch."}.
 *
 * Where the document is silent:
 * - Preview: without page_title the destination's Open Graph title and
 *   og:image are fetched before answering (3 s cap), falling back to the host
 *   name and no image. With both page_title and thumbnail_url nothing is
 *   fetched. bridge_delay_seconds is 0 for links made here.
 * - Limits: user_agent ≤ 1000 characters, source ≤ 50; url_cloak is 0 or 1
 *   (JSON true/false accepted); ip_address must be IPv4/IPv6.
 * - PATCH/PUT are identical and partial; null or "" clears page_title,
 *   thumbnail_url and the user_id label. No deduplication on update.
 * - A link shown here in LinkShrink's preview mode reads redirect_mode
 *   "bridge" (an interstitial either way). Paused or expired links are 404.
 * - POST /shorten answers JSON when sent X-CSRF-TOKEN, an Accept naming JSON
 *   or X-Requested-With; a plain form post gets the home page back with the
 *   result or the error beside the field (shrtlnk.pages.ts). The token is
 *   accepted from X-CSRF-TOKEN or the `_token` field, source is "web".
 */
import { Elysia } from 'elysia';
import type { Actor } from '../../../accounts/accounts.types.ts';
import { DomainError } from '../../../errors.ts';
import { createAnonymousGuard } from '../../../http/anonymous.ts';
import type { AppDeps } from '../../../http/app-deps.ts';
import { isPlainObject } from '../../../http/body.ts';
import type { HttpContext } from '../../../http/context.ts';
import { dialectHandler } from '../../../http/dialect.ts';
import { doc } from '../../../http/openapi-doc.ts';
import { json } from '../../../http/respond.ts';
import type { CreateLinkInput } from '../../../links/links.service.ts';
import type { Link } from '../../../links/links.types.ts';
import { CSRF_MISMATCH, CSRF_STATUS, shrtlnkErrors, shrtlnkServerError } from './shrtlnk.errors.ts';
import { createShortenPage } from './shrtlnk.pages.ts';
import { presentCreated, presentLink } from './shrtlnk.present.ts';
import { CreateBody, CreatedSchema, CsrfSchema, FailSchema, LinkSchema, ShortenBody, UpdateBody, ValidationSchema } from './shrtlnk.schemas.ts';
import { parseCreate, parseUpdate, parseWebShorten, type RequestDefaults } from './shrtlnk.schemas.ts';
import { urlPolicyOf } from '../../../links/url-policy.ts';

const TAG = 'ShrtLnk';
const CREATE_LIMIT = { group: 'shrtlnk:create', perMinute: 20 };
const UPDATE_LIMIT = { group: 'shrtlnk:update', perMinute: 20 };
const READ_LIMIT = { group: 'shrtlnk:read', perMinute: 100 };

const access = {
  401: { description: 'Anonymous links are disabled (send an API key), or the key is invalid.', schema: FailSchema },
  403: { description: 'The key’s plan has no API access or no room for more links.', schema: FailSchema },
  429: { description: 'Per-IP (anonymous) or per-key limit reached; see Retry-After.', schema: FailSchema },
};
const notFound = { 404: { description: 'No such code, or a link you cannot see.', schema: FailSchema } };
const invalid = {
  400: { description: 'The body is not a JSON object or form.', schema: FailSchema },
  422: { description: 'Laravel validation body, or {"success": false, "message": "Invalid URL"} for a refused destination.', schema: ValidationSchema },
};

/** Laravel's expectsJson(), plus the token header only fetch() clients send. */
const wantsJson = (request: Request) =>
  request.headers.has('x-csrf-token') ||
  /application\/(?:json|[\w.+-]*\+json)/i.test(request.headers.get('accept') ?? '') ||
  request.headers.get('x-requested-with') === 'XMLHttpRequest';

export function shrtlnkRoutes(deps: AppDeps) {
  const { services } = deps;
  const { config } = services;
  const base = config.baseUrl;
  const guard = createAnonymousGuard(deps);
  const { csrf } = deps;
  const policy = urlPolicyOf(config);
  const r = dialectHandler(deps.logger, shrtlnkErrors, shrtlnkServerError);
  const body = (ctx: HttpContext) => deps.apiAuth.body(ctx);
  const defaults = (ctx: HttpContext): RequestDefaults => ({ userAgent: ctx.request.headers.get('user-agent') });

  /** Create, or hand back the link the same request made before (see Deduplication). */
  async function shorten(actor: Actor | null, input: CreateLinkInput): Promise<{ link: Link; existing: boolean }> {
    const q = { destination: input.destination, source: input.source ?? 'api', redirectMode: input.redirectMode ?? 'bridge', labels: input.labels ?? {} };
    return services.links.findOrCreate(actor, q, input);
  }

  /** @throws NOT_FOUND unless the link is the caller's, or anonymous with public stats and no password */
  async function readable(actor: Actor | null, code: string): Promise<Link> {
    const link = await services.links.getPublic(code);
    const visible = link.userId === null ? !link.statsPrivate && services.links.destinationVisible(link, actor) : link.userId === actor?.user.id;
    if (!visible) throw new DomainError('NOT_FOUND', 'Short link not found.');
    return link;
  }

  /** @throws NOT_FOUND (not the key's link; any anonymous link to a key), FORBIDDEN (a LinkShrink link) */
  async function writable(actor: Actor | null, code: string): Promise<Link> {
    const link = await readable(actor, code);
    if (actor) {
      if (link.userId !== actor.user.id) throw new DomainError('NOT_FOUND', 'Short link not found.');
      return link;
    }
    // readable() let an anonymous caller through, so the link is anonymous
    if (link.hasDeleteToken || link.statsPrivate) {
      throw new DomainError('FORBIDDEN', 'This link was created through the LinkShrink API and cannot be changed here.');
    }
    return link;
  }

  const update = r(async (ctx) => {
    const actor = await guard.actor(ctx, UPDATE_LIMIT);
    const target = await writable(actor, ctx.params.code ?? '');
    const input = parseUpdate(await body(ctx), policy);
    return json(200, presentLink(await services.links.update(actor, target, input), base));
  });

  const shortenJson = r(async (ctx) => {
    const actor = await guard.actor(ctx, CREATE_LIMIT);
    const fields = await body(ctx);
    const token = ctx.request.headers.get('x-csrf-token') ?? (isPlainObject(fields) ? fields._token : undefined);
    if (!csrf.verify(csrf.nonceOf(ctx.request), token)) return json(CSRF_STATUS, CSRF_MISMATCH);
    const { link, existing } = await shorten(actor, parseWebShorten(fields, defaults(ctx), policy));
    return json(existing ? 200 : 201, presentCreated(link, existing, base));
  });

  const shortenPage = createShortenPage({
    csrf,
    baseUrl: base,
    actor: (ctx) => guard.actor(ctx, CREATE_LIMIT),
    create: (actor, ctx, fields) => shorten(actor, parseWebShorten(fields, defaults(ctx), policy)),
  });

  const updateDoc = doc({
    tag: TAG,
    summary: 'Update a short link',
    description: 'Partial: send only what changes. PATCH and PUT are the same. Owned links need the owner’s key; anonymous ShrtLnk links can be changed anonymously when ANONYMOUS_LINKS=true.',
    body: UpdateBody,
    form: true,
    security: 'optional-key',
    responses: { 200: { description: 'The updated link (GET shape).', schema: LinkSchema }, ...invalid, ...access, 403: { description: 'A LinkShrink link, or the key’s plan has no API access.', schema: FailSchema }, ...notFound },
  });

  return new Elysia()
    .post(
      '/api/links',
      r(async (ctx) => {
        const actor = await guard.actor(ctx, CREATE_LIMIT);
        const input = parseCreate(await body(ctx), defaults(ctx), policy);
        const { link, existing } = await shorten(actor, input);
        return json(existing ? 200 : 201, presentCreated(link, existing, base));
      }),
      {
        parse: 'none',
        detail: doc({
          tag: TAG,
          summary: 'Create a short link (or return the existing one)',
          description: 'Normalises original_url (https:// added, host lowercased, trailing slash dropped), then deduplicates by URL, source and url_cloak within the user_id / user_agent label scope.',
          body: CreateBody,
          form: true,
          security: 'optional-key',
          responses: { 201: { description: 'New link created.', schema: CreatedSchema }, 200: { description: 'Existing link returned (existing: true).', schema: CreatedSchema }, ...invalid, ...access },
        }),
      },
    )
    .get(
      '/api/links/:code',
      r(async (ctx) => {
        const actor = await guard.actor(ctx, READ_LIMIT);
        return json(200, presentLink(await readable(actor, ctx.params.code ?? ''), base));
      }),
      {
        detail: doc({
          tag: TAG,
          summary: 'Get link details and click count',
          security: 'optional-key',
          responses: { 200: { description: 'Link found.', schema: LinkSchema }, ...notFound, ...access },
        }),
      },
    )
    .patch('/api/links/:code', update, { parse: 'none', detail: updateDoc })
    .put('/api/links/:code', update, { parse: 'none', detail: { ...updateDoc, summary: 'Update a short link (PUT)' } })
    .post('/shorten', (ctx) => (wantsJson(ctx.request) ? shortenJson(ctx) : shortenPage(ctx as unknown as HttpContext)), {
      parse: 'none',
      detail: doc({
        tag: TAG,
        summary: 'Shorten from the web page (CSRF)',
        description:
          'The home page’s form. Send the token from <meta name="csrf-token"> as X-CSRF-TOKEN (or the `_token` field) with the cookie GET / set. Answers JSON (the create shape, source "web") when sent X-CSRF-TOKEN or Accept: application/json, else the HTML page.',
        body: ShortenBody,
        form: true,
        security: 'none',
        responses: {
          201: { description: 'New link created.', schema: CreatedSchema },
          200: { description: 'Existing link returned, or the HTML page.', schema: CreatedSchema },
          419: { description: 'CSRF token missing or wrong.', schema: CsrfSchema },
          ...invalid,
          ...access,
        },
      }),
    });
}
