/**
 * GET /api/v1/stats/:code, GET /stats/:code/export and POST /stats/batch,
 * sharing one 60/min per-IP budget (see linkshrink.routes.ts).
 */
import type { Actor } from '../../../accounts/accounts.types.ts';
import { Elysia } from 'elysia';
import { DomainError } from '../../../errors.ts';
import { doc } from '../../../http/openapi-doc.ts';
import { csvDownload, json } from '../../../http/respond.ts';
import type { Link } from '../../../links/links.types.ts';
import { BatchBody, BatchSchema, E, envelope, ExportSchema, StatsSchema } from './linkshrink.docs.ts';
import { NOT_FOUND_MESSAGE, PRIVATE_STATS_MESSAGE } from './linkshrink.errors.ts';
import { LIMITS, TAG, type LinkshrinkKit } from './linkshrink.kit.ts';
import { exportCsv, presentExport, presentStats, STATS_BREAKDOWN, success } from './linkshrink.present.ts';
import { LINKSHRINK_SOURCE, parseBatch, parseExportQuery, queryValue } from './linkshrink.schemas.ts';

const tokenQuery = { token: { description: 'The statsToken, for links created with private_stats: true.' } };

export function statsRoutes(kit: LinkshrinkKit) {
  const { services } = kit;

  /**
   * The owner's key opens any of their links. Someone's link made elsewhere
   * (dashboard, native or another dialect) never opted into LinkShrink's
   * public stats, so only its owner sees them; everything else is public
   * unless private_stats, which its statsToken opens.
   */
  async function canSee(link: Link, token: string | undefined, actor: Actor | null): Promise<boolean> {
    if (actor !== null && link.userId === actor.user.id) return true;
    if (link.userId !== null && link.source !== LINKSHRINK_SOURCE) return false;
    return services.links.statsAllowed(link, token);
  }

  /** The destination stats may show: a password guards it from everyone but the owner. */
  const shownDestination = (link: Link, actor: Actor | null) => (services.links.destinationVisible(link, actor) ? link.destination : null);

  /**
   * The owner's own paused link, as the other dialects and the dashboard show it to them (LinkShrink knows
   * no pausing: to everyone else it is not found); expired stays "not found or expired", as documented.
   */
  async function ownPaused(code: string, actor: Actor | null): Promise<Link | null> {
    const own = actor === null ? null : await services.links.getByCode(actor, code).catch(() => null);
    return own && !own.isActive && (own.expiresAt === null || own.expiresAt > services.now()) ? own : null;
  }

  /** The links of some codes a batch may read: the live ones, and the caller's own paused ones. */
  async function readableMany(codes: string[], actor: Actor | null): Promise<Map<string, Link>> {
    const found = new Map((await services.links.findPublicMany(codes)).map((l) => [l.code, l]));
    for (const code of codes) {
      const own = found.has(code) ? null : await ownPaused(code, actor);
      if (own) found.set(code, own);
    }
    return found;
  }

  async function visibleLink(code: string, token: string | undefined, actor: Actor | null): Promise<Link> {
    const own = await ownPaused(code, actor);
    if (own) return own;
    const link = await services.links.getPublic(code);
    if (!(await canSee(link, token, actor))) throw new DomainError('INVALID_TOKEN', PRIVATE_STATS_MESSAGE);
    return link;
  }

  /**
   * The link as it is once its report is read: a report reads with turns between its parts, during
   * which the link may have been deleted, renamed, made private or given a password (which hides
   * its destination). Answering with the link as first read showed what it no longer shows.
   */
  async function stillVisible(link: Link, token: string | undefined, actor: Actor | null): Promise<Link> {
    const now = await visibleLink(link.code, token, actor);
    if (now.id !== link.id) throw new DomainError('NOT_FOUND', NOT_FOUND_MESSAGE);
    return now;
  }

  return new Elysia({ prefix: '/api/v1' })
    .get(
      '/stats/:code',
      kit.route(async (ctx) => {
        const actor = await kit.reader(ctx, LIMITS.stats);
        const token = queryValue(ctx.query.token);
        const link = await visibleLink(kit.code(ctx.params.code), token, actor);
        const stats = await services.analytics.forLink(link, undefined, STATS_BREAKDOWN);
        const now = await stillVisible(link, token, actor);
        return json(200, success(presentStats(now, stats, shownDestination(now, actor))));
      }),
      {
        detail: doc({
          tag: TAG,
          summary: 'Click statistics of a short link',
          description:
            'Whole history: clicks, clicksByDay (newest day first), the top 50 referring domains and every country (largest first). Bots, direct visits (no referrer) and unlocated visitors are left out of their lists.',
          security: 'optional-key',
          query: tokenQuery,
          responses: { 200: { description: 'The statistics.', schema: envelope(StatsSchema) }, 401: E[401], 404: E[404], 429: E[429] },
        }),
      },
    )
    .get(
      '/stats/:code/export',
      kit.route(async (ctx) => {
        const actor = await kit.reader(ctx, LIMITS.stats);
        const q = parseExportQuery(ctx.query);
        const token = queryValue(ctx.query.token);
        const link = await visibleLink(kit.code(ctx.params.code), token, actor);
        const daily = await services.analytics.daily(link, { from: q.from, to: q.to });
        const now = await stillVisible(link, token, actor);
        if (q.format === 'json') return json(200, success(presentExport(now, daily, shownDestination(now, actor))));
        return csvDownload(exportCsv(daily.days), `${link.code}-clicks-${daily.range.from}-to-${daily.range.to}.csv`);
      }),
      {
        detail: doc({
          tag: TAG,
          summary: 'Export daily clicks as JSON or CSV',
          description: 'Days oldest first; days without clicks are omitted. from/to default to the creation day and today.',
          security: 'optional-key',
          query: {
            format: { description: 'json (default) or csv.' },
            from: { description: 'First day, YYYY-MM-DD (inclusive).' },
            to: { description: 'Last day, YYYY-MM-DD (inclusive).' },
            ...tokenQuery,
          },
          responses: {
            200: { description: 'JSON, or text/csv with a `date,clicks` header row.', schema: ExportSchema, alsoAs: ['text/csv'] },
            400: E[400],
            401: E[401],
            404: E[404],
            429: E[429],
          },
        }),
      },
    )
    .post(
      '/stats/batch',
      kit.route(async (ctx) => {
        const actor = await kit.reader(ctx, LIMITS.stats);
        const { codes, tokens } = parseBatch(await kit.body(ctx));
        const live = await readableMany([...new Set(codes)], actor);
        // a code listed 50 times is worked out once: each breakdown reads every value of a dimension
        const analytics = new Map<number, ReturnType<typeof services.analytics.forLink>>();
        const statsOf = (link: Link) => {
          let a = analytics.get(link.id);
          if (!a) analytics.set(link.id, (a = services.analytics.forLink(link, undefined, STATS_BREAKDOWN)));
          return a;
        };
        const read = await Promise.all(
          codes.map(async (code) => {
            const link = live.get(code);
            if (!link || !(await canSee(link, tokens[code], actor))) return null;
            return { link, stats: await statsOf(link) };
          }),
        );
        // the links as they are once every report is read (see stillVisible)
        const now = await readableMany([...live.keys()], actor);
        const items = await Promise.all(
          codes.map(async (code, i) => {
            const [first, link] = [live.get(code), now.get(code)];
            if (!first || !link || link.id !== first.id) return { code, success: false, error: NOT_FOUND_MESSAGE };
            const r = read[i];
            if (!r || !(await canSee(link, tokens[code], actor))) return { code, success: false, error: PRIVATE_STATS_MESSAGE };
            return { code, success: true, data: presentStats(link, r.stats, shownDestination(link, actor)) };
          }),
        );
        return json(207, success(items));
      }),
      {
        parse: 'none',
        detail: doc({
          tag: TAG,
          summary: 'Statistics of up to 50 short links',
          description: 'Per-code results (207); a missing code or a private one without its token fails on its own.',
          security: 'optional-key',
          body: BatchBody,
          responses: { 207: { description: 'Per-code results.', schema: BatchSchema }, 400: E[400], 401: E[401], 429: E[429] },
        }),
      },
    );
}
