import { createDeletedHistoryRepo } from '../clicks/deleted-history.repo.ts';
import { and, asc, count, desc, eq, getTableColumns, gt, inArray, isNotNull, isNull, lte, or, sql, TransactionRollbackError, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { firstInOrder, idsBetween, spanOf, type Keyed, type Span } from '../db/first-in-order.ts';
import { idIn, idsContaining, rowsInOrder } from '../db/text-search.ts';
import { Pacer } from '../next-turn.ts';
import { uniqueWrite } from '../db/unique-violation.ts';
import { LimitReached } from '../errors.ts';
import { linkCounters, linkSchedules, links, liveLinkTotal, userLinkCounts } from '../db/schema.ts';
import type { Link, LinkCursor, LinkSortColumn, LinkStatus, PageFacts, RedirectTarget, Schedule, Utm } from './links.types.ts';

type Counters = { totalClicks: number; uniqueClicks: number; lastClickedAt: number | null };
type Row = typeof links.$inferSelect & Counters;
export type NewLinkRow = typeof links.$inferInsert;
const NO_CLICKS: Counters = { totalClicks: 0, uniqueClicks: 0, lastClickedAt: null };

// a link with its counters (kept in link_counters, see schema.ts); a never-clicked link has no counter row
const totalClicks = sql<number>`coalesce(${linkCounters.totalClicks}, 0)`;
const uniqueClicks = sql<number>`coalesce(${linkCounters.uniqueClicks}, 0)`;
const LINK_COLUMNS = {
  ...getTableColumns(links),
  totalClicks: totalClicks.as('total_clicks'),
  uniqueClicks: uniqueClicks.as('unique_clicks'),
  lastClickedAt: linkCounters.lastClickedAt,
};
export type LinkPatch = Partial<Omit<NewLinkRow, 'id' | 'createdAt'>>;

function utmOf(r: Row): Utm | null {
  if (!r.utmSource && !r.utmMedium && !r.utmCampaign && !r.utmTerm && !r.utmContent) return null;
  return { source: r.utmSource, medium: r.utmMedium, campaign: r.utmCampaign, term: r.utmTerm, content: r.utmContent };
}

export function toLink(r: Row): Link {
  return {
    id: r.id,
    code: r.code,
    isAlias: r.isAlias,
    destination: r.destination,
    title: r.title,
    description: r.description,
    pageTitle: r.pageTitle,
    thumbnailUrl: r.thumbnailUrl,
    userId: r.userId,
    source: r.source,
    redirectMode: r.redirectMode,
    bridgeDelaySeconds: r.bridgeDelaySeconds,
    passwordHash: r.passwordHash,
    expiresAt: r.expiresAt,
    isActive: r.isActive,
    utm: utmOf(r),
    statsPrivate: r.statsPrivate,
    hasDeleteToken: r.deleteTokenHash !== null,
    labels: { userId: r.labelUserId, userAgent: r.labelUserAgent, ip: r.labelIp },
    totalClicks: r.totalClicks,
    uniqueClicks: r.uniqueClicks,
    lastClickedAt: r.lastClickedAt,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    deletedAt: r.deletedAt,
  };
}

const SORT_COLUMNS: Record<Exclude<LinkSortColumn, 'is_active'>, typeof links.id | typeof links.code | typeof links.destination | typeof links.title | SQL<number> | typeof links.createdAt | typeof links.updatedAt | typeof links.expiresAt> = {
  id: links.id,
  code: links.code,
  destination: links.destination,
  title: links.title,
  total_clicks: totalClicks,
  unique_clicks: uniqueClicks,
  created_at: links.createdAt,
  updated_at: links.updatedAt,
  expires_at: links.expiresAt,
};

/** A list's order: the value it sorts by, which way, and its ORDER BY (that value, then id). */
interface ListOrder {
  column: ReturnType<typeof sortColumn>;
  descending: boolean;
  by: SQL[];
}

/** Sorts an index reads in order (links_user_created_idx, links_live_created_idx, the rowid). */
const INDEX_ORDERED: ReadonlySet<LinkSortColumn> = new Set(['created_at', 'id']);

/** "Active" as every list shows it (isLive): an expired link sorts with the paused ones, not by its stored flag. */
const sortColumn = (sort: LinkSortColumn, now: number) =>
  sort === 'is_active' ? sql<number>`(${links.isActive} = 1 AND (${links.expiresAt} IS NULL OR ${links.expiresAt} > ${now}))` : SORT_COLUMNS[sort];

// shared by every cached redirect target without schedules (nearly all): one empty array, not one per link
const NO_SCHEDULES: readonly Schedule[] = Object.freeze([]);

interface RedirectRow {
  id: number;
  destination: string;
  redirect_mode: RedirectTarget['redirectMode'];
  bridge_delay_seconds: number;
  password_hash: string | null;
  expires_at: number | null;
  is_active: number;
  utm_source: string | null;
  utm_medium: string | null;
  utm_campaign: string | null;
  utm_term: string | null;
  utm_content: string | null;
  title: string | null;
  page_title: string | null;
  description: string | null;
  thumbnail_url: string | null;
  schedules: string;
}

// what a bridge or preview page shows: the same columns whether read with the redirect target or alone
type PageRow = Pick<RedirectRow, 'title' | 'page_title' | 'description' | 'thumbnail_url' | 'bridge_delay_seconds'>;

function toRedirectTarget(r: RedirectRow): RedirectTarget {
  const utm =
    r.utm_source || r.utm_medium || r.utm_campaign || r.utm_term || r.utm_content
      ? { source: r.utm_source, medium: r.utm_medium, campaign: r.utm_campaign, term: r.utm_term, content: r.utm_content }
      : null;
  const schedules: readonly Schedule[] =
    r.schedules === '[]' ? NO_SCHEDULES : (JSON.parse(r.schedules) as [number, number | null, number | null, string][]).map(([id, startsAt, endsAt, destination]) => ({ id, startsAt, endsAt, destination }));
  return {
    id: r.id,
    destination: r.destination,
    redirectMode: r.redirect_mode,
    passwordHash: r.password_hash,
    expiresAt: r.expires_at,
    isActive: r.is_active === 1,
    utm,
    schedules,
    page: r.redirect_mode === 'direct' ? null : pageFactsOf(r),
  };
}

const pageFactsOf = (r: PageRow): PageFacts => ({ title: r.page_title ?? r.title, description: r.description, thumbnailUrl: r.thumbnail_url, delaySeconds: r.bridge_delay_seconds });

export interface LinkListFilter {
  ownerId: number | null; // null = every owner (admin view)
  search?: string;
  status?: LinkStatus;
  sort: LinkSortColumn;
  direction: 'asc' | 'desc';
  limit: number;
  offset: number;
  /** the time "active" is judged at, for sort is_active */
  now: number;
}

/**
 * The links of one standing, judged at `now` as the dashboard's badges judge it (views/dashboard/links.ts
 * linkStatus): paused first, then expired, then protected by a password; active is none of them.
 */
function statusIs(status: LinkStatus, now: number): SQL {
  const unexpired = or(isNull(links.expiresAt), gt(links.expiresAt, now))!;
  switch (status) {
    case 'paused':
      return eq(links.isActive, false);
    case 'expired':
      return and(eq(links.isActive, true), isNotNull(links.expiresAt), lte(links.expiresAt, now))!;
    case 'password':
      return and(eq(links.isActive, true), unexpired, isNotNull(links.passwordHash))!;
    case 'active':
      return and(eq(links.isActive, true), unexpired, isNull(links.passwordHash))!;
  }
}

/** Candidates a statement when counting a status: a few columns of each, a millisecond or two. */
const STATUS_CHUNK = 2000;

/** ownerLimit: refuse the insert (LimitReached) when the owner's live links would pass max. */
export interface InsertOptions {
  ownerLimit?: { userId: number; max: number };
}

export function createLinksRepo(db: Db) {
  const live = isNull(links.deletedAt);
  const UTM_COLUMNS = [links.utmSource, links.utmMedium, links.utmCampaign, links.utmTerm, links.utmContent];
  // kept by triggers (schema.ts userLinkCounts): one row, however many links the user has
  const countLive = (userId: number) => db.select({ n: userLinkCounts.live }).from(userLinkCounts).where(eq(userLinkCounts.userId, userId)).get()?.n ?? 0;
  // every live link, owned or not: one row too (schema.ts liveLinkTotal)
  const countAllLive = () => db.select({ n: liveLinkTotal.live }).from(liveLinkTotal).where(eq(liveLinkTotal.id, 1)).get()?.n ?? 0;
  // the history a permanent delete erases at once: the same statements the click upkeep erases deleted links' with
  const history = createDeletedHistoryRepo(db.$client);
  const selectLinks = () => db.select(LINK_COLUMNS).from(links).leftJoin(linkCounters, eq(linkCounters.linkId, links.id));
  const byCode = selectLinks().where(and(eq(links.code, sql.placeholder('code')), live)).prepare();
  const byId = selectLinks().where(and(eq(links.id, sql.placeholder('id')), live)).prepare();
  const schedulesOf = db
    .select()
    .from(linkSchedules)
    .where(eq(linkSchedules.linkId, sql.placeholder('linkId')))
    .orderBy(asc(linkSchedules.id))
    .prepare();

  // Any number of codes in one statement (a JSON array): each statement on a connection is its own read
  // transaction, whose locks cost more than finding one code (redirect-lookups.ts)
  const redirectTargets = db.$client.prepare<RedirectRow & { code: string }, [string]>(
    `SELECT code, id, destination, redirect_mode, bridge_delay_seconds, password_hash, expires_at, is_active,
       utm_source, utm_medium, utm_campaign, utm_term, utm_content, title, page_title, description, thumbnail_url,
       (SELECT json_group_array(json_array(s.id, s.starts_at, s.ends_at, s.destination)) FROM
         (SELECT * FROM link_schedules WHERE link_id = links.id ORDER BY id) s) AS schedules
     FROM links WHERE code IN (SELECT value FROM json_each(?)) AND deleted_at IS NULL`,
  );

  const pageFacts = db.$client.prepare<PageRow, [number]>(
    'SELECT title, page_title, description, thumbnail_url, bridge_delay_seconds FROM links WHERE id = ?',
  );

  // Compiled once: drizzle's ad-hoc insert builds and compiles its SQL on every row, which cost a
  // bulk create ~0.4 ms per link. Columns the service may leave out take the schema's defaults here.
  const insertDefaults = {
    isAlias: false, title: null, description: null, pageTitle: null, thumbnailUrl: null, userId: null, source: 'api',
    redirectMode: 'direct', bridgeDelaySeconds: 0, passwordHash: null, expiresAt: null, isActive: true,
    utmSource: null, utmMedium: null, utmCampaign: null, utmTerm: null, utmContent: null,
    deleteTokenHash: null, statsTokenHash: null, statsPrivate: false, labelUserId: null, labelUserAgent: null, labelIp: null,
  } satisfies Omit<NewLinkRow, 'code' | 'destination' | 'id' | 'createdAt' | 'updatedAt' | 'deletedAt'>;
  const placeholders = Object.fromEntries(['code', 'destination', 'createdAt', 'updatedAt', ...Object.keys(insertDefaults)].map((k) => [k, sql.placeholder(k)]));
  const insertLink = db.insert(links).values(placeholders as unknown as NewLinkRow).returning().prepare();
  // A deleted link keeps its code so that nobody else can take over its printed or shared URLs; its
  // owner may take it back (links.service checkAlias decides). The deleted row keeps its id (click
  // history references it) under `code~id`, a shape no lookup matches. Run inside the transaction of
  // the write that takes the code, so that a write that fails leaves the code reserved.
  const RELEASE = "UPDATE links SET code = code || '~' || id WHERE code = ?1 AND deleted_at IS NOT NULL AND user_id = ";
  // for an insert the owner is given; for an update it is the owner of the link being changed
  const releaseOwnDeleted = db.$client.prepare<{ id: number }, [string, number]>(`${RELEASE}?2 RETURNING id`);
  const releaseOwnDeletedFor = db.$client.prepare<{ id: number }, [string, number]>(`${RELEASE}(SELECT user_id FROM links WHERE id = ?2) RETURNING id`);
  // A dynamic QR code encodes the short URL, so the codes printed for the deleted link now lead to
  // the link that took its code: they go with it (same owner), and their scans count as scans again.
  const moveQrCodes = db.$client.prepare<unknown, [number, number]>('UPDATE qr_codes SET link_id = ?1 WHERE link_id = ?2');

  // A list's rows a chunk of ids at a time: an admin's along the table, an owner's through
  // links_user_live_idx (another user's links may lie between two of theirs) unless theirs fill a
  // quarter of the chunk's id range or more (200,000 of one owner: 35 ms a page along the table, 58
  // through the index). Named: on a database not yet analyzed, SQLite planned these ranges to read
  // every link a chunk (200,000 links: 6 s for one page).
  const scanOf = (ownerId: number | null, after = 0, span: Span | null = null) =>
    ownerId !== null && (span === null || span.count * 4 < span.last - after) ? sql`${links} INDEXED BY links_user_live_idx` : sql`${links} NOT INDEXED`;
  const spanAfter =
    (from: SQL, where: SQL) =>
    (after: number, limit: number): Span => {
      // all, not get: drizzle's get of raw SQL returns the row as an array
      const [r] = db.all<{ count: number; last: number | null }>(
        sql`SELECT count(*) AS count, max(id) AS last FROM (SELECT ${links.id} AS id FROM ${from} WHERE ${and(where, gt(links.id, after))} ORDER BY ${links.id} LIMIT ${limit})`,
      );
      return { count: r?.count ?? 0, last: r?.last ?? after };
    };
  /**
   * How many rows under `where` also hold `status`: counted STATUS_CHUNK candidates a statement (each
   * statement reads its chunk whatever the status), with turns between.
   */
  async function countOf(where: SQL, status: SQL): Promise<number> {
    let total = 0;
    let after = 0;
    const pacer = new Pacer();
    for (;;) {
      const [r] = db.all<{ count: number; matched: number | null; last: number | null }>(
        sql`SELECT count(*) AS count, sum(matched) AS matched, max(id) AS last FROM (SELECT ${links.id} AS id, ${status} AS matched FROM ${links} WHERE ${and(where, gt(links.id, after))} ORDER BY ${links.id} LIMIT ${STATUS_CHUNK})`,
      );
      total += r?.matched ?? 0;
      if (!r || r.count < STATUS_CHUNK) return total;
      after = r.last!;
      await pacer.pause();
    }
  }

  /** The first `keep` rows of `from` under `where` in the list's order, with the value they are ordered by. */
  const runOf = (from: SQL, where: SQL | undefined, o: ListOrder, keep: number) =>
    db.all<Keyed>(sql`SELECT ${links.id} AS id, ${o.column} AS k FROM ${from} LEFT JOIN ${linkCounters} ON ${linkCounters.linkId} = ${links.id} WHERE ${where} ORDER BY ${sql.join(o.by, sql`, `)} LIMIT ${keep}`);
  // live again: the window was settled across turns, and a link deleted meanwhile is left out
  const pageOf = (ids: number[]) => rowsInOrder(ids, (slice) => selectLinks().where(and(inArray(links.id, slice), live)).all()).map(toLink);

  /**
   * A search page: the candidates' searched columns are read in id order and matched by
   * idsContaining (linear, unlike LIKE; yielding between chunks); the page is then the matches'
   * first in list order (firstInOrder, in chunks too), and its rows read by id. A status filter is
   * read with the candidates (a column of each row), not as a condition of their statement: each
   * statement then reads its chunk of rows whatever the status, a rare one included.
   */
  async function searchIds(where: SQL, status: SQL | null, o: ListOrder, f: LinkListFilter): Promise<{ ids: number[]; total: number }> {
    const matched = await idsContaining(
      (after, limit) =>
        db
          .select({ id: links.id, title: links.title, destination: links.destination, code: links.code, shown: status ?? sql<number>`1` })
          .from(links)
          .where(and(where, gt(links.id, after)))
          .orderBy(asc(links.id))
          .limit(limit)
          .all(),
      f.search!,
      (r) => (r.shown ? [r.destination, r.code, r.title] : []),
    );
    const first = await firstInOrder(
      spanOf(matched),
      (after, span, keep) => runOf(sql`${links}`, and(where, idIn(links.id, idsBetween(matched, after, span.last))), o, keep),
      f.offset + f.limit,
      o.descending,
    );
    return { ids: first.slice(f.offset), total: matched.length };
  }

  /** The ids of a list's window in its order, and how many links the list has. */
  async function windowOf(f: LinkListFilter): Promise<{ ids: number[]; total: number }> {
    const conds: SQL[] = [live];
    if (f.ownerId !== null) conds.push(eq(links.userId, f.ownerId));
    const where = and(...conds)!;
    const status = f.status ? statusIs(f.status, f.now) : null;
    const column = sortColumn(f.sort, f.now);
    const descending = f.direction === 'desc';
    const o: ListOrder = { column, descending, by: descending ? [desc(column), desc(links.id)] : [asc(column), asc(links.id)] };
    if (f.search) return searchIds(where, status, o, f);
    if (status) {
      // the chunks are the owner's live links as without a filter; each run keeps those of the status
      const first = await firstInOrder(
        spanAfter(scanOf(f.ownerId), where),
        (after, span, keep) => runOf(scanOf(f.ownerId, after, span), and(where, status, gt(links.id, after), lte(links.id, span.last)), o, keep),
        f.offset + f.limit,
        descending,
      );
      return { ids: first.slice(f.offset), total: await countOf(where, status) };
    }
    const total = f.ownerId !== null ? countLive(f.ownerId) : countAllLive();
    // A page in creation or id order is read straight from an index. In any other, SQLite would sort
    // every live link of the owner in one statement, holding the thread for all of it (200,000
    // links of 2 KB destinations: 185-600 ms a page); firstInOrder ranks them a chunk at a
    // time. So does a window as long as an export's, whatever its order: reading 100,000 rows from
    // an index in one statement holds the thread too.
    if (INDEX_ORDERED.has(f.sort) && f.offset + f.limit <= 1000) {
      return { ids: db.select({ id: links.id }).from(links).where(where).orderBy(...o.by).limit(f.limit).offset(f.offset).all().map((r) => r.id), total };
    }
    const first = await firstInOrder(
      spanAfter(scanOf(f.ownerId), where),
      (after, span, keep) => runOf(scanOf(f.ownerId, after, span), and(where, gt(links.id, after), lte(links.id, span.last)), o, keep),
      f.offset + f.limit,
      descending,
    );
    return { ids: first.slice(f.offset), total };
  }

  const codeHolder = db
    .select({ userId: links.userId, deletedAt: links.deletedAt })
    .from(links)
    .where(eq(links.code, sql.placeholder('code')))
    .prepare();

  const toSchedule = (s: typeof linkSchedules.$inferSelect): Schedule => ({
    id: s.id,
    startsAt: s.startsAt,
    endsAt: s.endsAt,
    destination: s.destination,
  });

  return {
    /** Inserts the link and its schedules in one transaction. */
    async insert(row: NewLinkRow, schedules: Omit<Schedule, 'id'>[] = [], opts: InsertOptions = {}): Promise<Link> {
      return (await this.insertMany([{ row, schedules }], opts))[0]!;
    },

    /**
     * Inserts many links (and their schedules) in one transaction, in order. A
     * code held by one of the same owner's deleted links is taken back from it
     * in that transaction (see releaseOwnDeleted): if the insert fails, the
     * deleted link still holds it.
     * @throws UniqueViolation (a code taken meanwhile), LimitReached (ownerLimit)
     */
    async insertMany(items: { row: NewLinkRow; schedules: Omit<Schedule, 'id'>[] }[], opts: InsertOptions = {}): Promise<Link[]> {
      if (!items.length) return [];
      const stamp = Date.now();
      const limit = opts.ownerLimit;
      return uniqueWrite(() => db.transaction((tx) => {
        if (limit) {
          const usage = countLive(limit.userId);
          if (usage + items.length > limit.max) throw new LimitReached(usage);
        }
        return items.map(({ row, schedules }) => {
          const released = row.userId !== null && row.userId !== undefined ? releaseOwnDeleted.get(row.code, row.userId) : null;
          const r = insertLink.get({ ...insertDefaults, createdAt: stamp, updatedAt: stamp, ...row })!;
          if (released) moveQrCodes.run(r.id, released.id);
          if (schedules.length) tx.insert(linkSchedules).values(schedules.map((s) => ({ ...s, linkId: r.id }))).run();
          return toLink({ ...r, ...NO_CLICKS });
        });
      }, { behavior: 'immediate' }));
    },

    /** True when the code was ever used, deleted links included. */
    async codeExists(code: string): Promise<boolean> {
      return codeHolder.get({ code }) !== undefined;
    },

    /** Whose link holds the code (a deleted one included), or null when it was never used. */
    async codeHolder(code: string): Promise<{ userId: number | null; deleted: boolean } | null> {
      const r = codeHolder.get({ code });
      return r ? { userId: r.userId, deleted: r.deletedAt !== null } : null;
    },

    async findById(id: number): Promise<Link | null> {
      const r = byId.get({ id });
      return r ? toLink(r) : null;
    },

    async findByCode(code: string): Promise<Link | null> {
      const r = byCode.get({ code });
      return r ? toLink(r) : null;
    },

    async findByCodes(codes: string[]): Promise<Link[]> {
      if (!codes.length) return [];
      return selectLinks().where(and(inArray(links.code, codes), live)).all().map(toLink);
    },

    /** Secret hashes are read only where a token is checked. */
    async findTokenHashes(id: number): Promise<{ deleteTokenHash: string | null; statsTokenHash: string | null } | null> {
      return db
        .select({ deleteTokenHash: links.deleteTokenHash, statsTokenHash: links.statsTokenHash })
        .from(links)
        .where(eq(links.id, id))
        .get() ?? null;
    },

    /**
     * The redirect targets of live links among some codes, by code (codes naming no live link are
     * absent): one statement, schedules folded in as JSON. This is every redirect cache miss.
     */
    async findRedirectTargets(codes: readonly string[]): Promise<Map<string, RedirectTarget>> {
      const found = new Map<string, RedirectTarget>();
      if (!codes.length) return found;
      for (const r of redirectTargets.all(JSON.stringify(codes))) found.set(r.code, toRedirectTarget(r));
      return found;
    },

    /** What a preview page shows for a link whose cached target carries none (direct links). */
    async findPageFacts(id: number): Promise<PageFacts | null> {
      const r = pageFacts.get(id);
      return r ? pageFactsOf(r) : null;
    },

    async schedules(linkId: number): Promise<Schedule[]> {
      return schedulesOf.all({ linkId }).map(toSchedule);
    },

    async list(f: LinkListFilter): Promise<{ items: Link[]; total: number }> {
      const { ids, total } = await windowOf(f);
      return { items: pageOf(ids), total };
    },

    /** The ids of a list's window, in its order: for reading a long one a part at a time (inOrder). */
    async listIds(f: LinkListFilter): Promise<number[]> {
      return (await windowOf(f)).ids;
    },

    /** The links of some ids, in the ids' order; a link deleted meanwhile is left out. */
    async inOrder(ids: number[]): Promise<Link[]> {
      return pageOf(ids);
    },

    /**
     * Up to `limit` live links of an owner after `after`, oldest first (created_at, then id): keyset
     * pages on the owner's (user_id, created_at) index, each as cheap as the first, for reading every
     * link (OFFSET re-reads every earlier row for each page) without holding one long read open.
     */
    async listOldestAfter(ownerId: number, after: LinkCursor | null, limit: number): Promise<Link[]> {
      const conds: SQL[] = [live, eq(links.userId, ownerId)];
      if (after) conds.push(sql`(${links.createdAt}, ${links.id}) > (${after.createdAt}, ${after.id})`);
      return selectLinks().where(and(...conds)).orderBy(asc(links.createdAt), asc(links.id)).limit(limit).all().map(toLink);
    },

    async countLiveForUser(userId: number): Promise<number> {
      return countLive(userId);
    },

    /** The user's undeleted links whose expiry has passed (they count against the plan's limit until deleted). */
    async countExpiredForUser(userId: number, now: number): Promise<number> {
      return db
        .select({ n: count() })
        .from(links)
        .where(and(eq(links.userId, userId), isNull(links.deletedAt), lte(links.expiresAt, now)))
        .get()!.n;
    },

    /**
     * Applies what the patch changes. A patch that changes nothing leaves the
     * row, updated_at included, as it was (as an ORM's dirty check does:
     * Laravel's save()), unless new schedules are given. A new code held by one
     * of the owner's deleted links is taken back from it (with its QR codes) in
     * the same transaction. Null when the link is gone.
     * `schedules`: replaces the link's schedules in the same transaction (an edit either way), so a
     * delete running meanwhile cannot be followed by schedules written onto the deleted link.
     * `codeBefore`: the code the row had when this wrote it, which another edit may have changed
     * since the caller read the link: it is the one the redirect cache may still hold.
     * `ownerIs`: written only while the link still has this owner (null: anonymous), else null as if
     * gone: an edit checked against the owner it read lands on nobody else's link (an admin's transfer
     * meanwhile: a password's hash waits ~70 ms between the check and this write).
     */
    async update(
      id: number,
      patch: LinkPatch,
      opts: { schedules?: Omit<Schedule, 'id'>[]; ownerIs?: number | null } = {},
    ): Promise<{ link: Link; codeBefore: string } | null> {
      let changed: { row: Row; codeBefore: string } | undefined;
      try {
        changed = uniqueWrite(() => db.transaction((tx) => {
          const current = byId.get({ id });
          // gone (deleted meanwhile), or given to another owner: the code stays with the deleted link it was taken from
          if (!current || (opts.ownerIs !== undefined && current.userId !== opts.ownerIs)) tx.rollback();
          const codeBefore = current!.code;
          const edits: LinkPatch = Object.fromEntries(Object.entries(patch).filter(([k, v]) => v !== undefined && current![k as keyof Row] !== v));
          if (!Object.keys(edits).length && !opts.schedules) return { row: current!, codeBefore };
          const released = edits.code !== undefined ? releaseOwnDeletedFor.get(edits.code, id) : null;
          tx.update(links).set({ ...edits, updatedAt: Date.now() }).where(eq(links.id, id)).run();
          if (released) moveQrCodes.run(id, released.id);
          if (opts.schedules) {
            tx.delete(linkSchedules).where(eq(linkSchedules.linkId, id)).run();
            if (opts.schedules.length) tx.insert(linkSchedules).values(opts.schedules.map((s) => ({ ...s, linkId: id }))).run();
          }
          return { row: byId.get({ id })!, codeBefore };
        }, { behavior: 'immediate' }));
      } catch (e) {
        if (!(e instanceof TransactionRollbackError)) throw e;
      }
      return changed ? { link: toLink(changed.row), codeBefore: changed.codeBefore } : null;
    },

    /**
     * Fills in what the destination's page says: the title where it is still
     * the placeholder it was created with, other fields where still empty. Not
     * an edit: updated_at stays, and a field the owner set while the page was
     * being fetched is kept.
     */
    async fillBlanks(
      id: number,
      placeholderTitle: string | null,
      fill: { title: string | null; pageTitle: string | null; thumbnailUrl: string | null; description: string | null },
    ): Promise<Link | null> {
      db.update(links)
        .set({
          title: sql`CASE WHEN ${links.title} IS ${placeholderTitle} THEN ${fill.title} ELSE ${links.title} END`,
          pageTitle: sql`coalesce(${links.pageTitle}, ${fill.pageTitle})`,
          thumbnailUrl: sql`coalesce(${links.thumbnailUrl}, ${fill.thumbnailUrl})`,
          description: sql`coalesce(${links.description}, ${fill.description})`,
        })
        .where(and(eq(links.id, id), live))
        .run();
      const r = byId.get({ id });
      return r ? toLink(r) : null;
    },

    /** The code of the link it deleted, or null when it was already gone. */
    async softDelete(id: number): Promise<string | null> {
      const now = Date.now();
      return db.update(links).set({ deletedAt: now, updatedAt: now }).where(and(eq(links.id, id), live)).returning({ code: links.code }).get()?.code ?? null;
    },

    /**
     * Soft-deletes a link and erases its history (clicks, visitors, rollups,
     * schedules) in one transaction; the row stays so the code is never reissued.
     * The code it deleted, or null when the link was already gone.
     */
    async purge(id: number): Promise<string | null> {
      return db.transaction((tx) => {
        const now = Date.now();
        const gone = tx
          .update(links)
          .set({ deletedAt: now, updatedAt: now })
          .where(and(eq(links.id, id), live))
          .returning({ createdAt: links.createdAt, code: links.code })
          .get();
        if (!gone) return null;
        history.eraseNow(id, gone.createdAt);
        return gone.code;
      }, { behavior: 'immediate' });
    },

    /** ShrtLnk deduplication: same destination, source and mode inside one label scope. */
    async findDuplicate(d: {
      destination: string;
      source: string;
      redirectMode: string;
      ownerId: number | null;
      labelUserId: number | null;
      labelUserAgent: string | null;
    }): Promise<Link | null> {
      const conds: SQL[] = [
        live,
        // only a link a ShrtLnk create could have made, and that still redirects: a paused one, or one
        // given a password, expiry, UTM tags or schedules (elsewhere) is not handed back as "existing"
        eq(links.isActive, true),
        isNull(links.expiresAt),
        isNull(links.passwordHash),
        ...UTM_COLUMNS.map((c) => isNull(c)),
        sql`NOT EXISTS (SELECT 1 FROM ${linkSchedules} WHERE ${linkSchedules.linkId} = ${links.id})`,
        eq(links.destination, d.destination),
        eq(links.source, d.source),
        eq(links.redirectMode, d.redirectMode as Row['redirectMode']),
        d.ownerId === null ? isNull(links.userId) : eq(links.userId, d.ownerId),
      ];
      // anonymous links guarded by LinkShrink tokens belong to that model, not to ShrtLnk's bucket
      if (d.ownerId === null) conds.push(isNull(links.deleteTokenHash), eq(links.statsPrivate, false));
      if (d.labelUserId !== null) conds.push(eq(links.labelUserId, d.labelUserId));
      else if (d.labelUserAgent !== null) conds.push(isNull(links.labelUserId), eq(links.labelUserAgent, d.labelUserAgent));
      else conds.push(isNull(links.labelUserId), isNull(links.labelUserAgent));
      const r = selectLinks().where(and(...conds)).orderBy(asc(links.id)).limit(1).get();
      return r ? toLink(r) : null;
    },
  };
}
export type LinksRepo = ReturnType<typeof createLinksRepo>;

