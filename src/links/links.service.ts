/**
 * Links: creation with plan gates, quotas, aliases and metadata; owner-scoped
 * reads and writes; token-authorised operations for anonymous links; and the
 * cached lookup the redirect path uses. Every write invalidates the code's
 * cache entry.
 */
import type { Actor } from '../accounts/accounts.types.ts';
import { hashPassword, randomHex, safeEqual, sha256Hex, tokenMatches, verifyPassword } from '../accounts/secrets.ts';
import { DomainError, LimitReached, UniqueViolation } from '../errors.ts';
import { Refusals } from '../refusals.ts';
import { charLength, cutAt } from '../text.ts';
import type { PageMeta } from '../fetcher/og.ts';
import { pageWindow } from '../paging.ts';
import { createBackgroundQueue } from './background-queue.ts';
import { generateCode, isReservedCode, isValidCodeShape } from './codes.ts';
import { keyedQueue } from './keyed-queue.ts';
import type { InsertOptions, LinkListFilter, LinkPatch, LinksRepo, NewLinkRow } from './links.repo.ts';
import { isLive, type Link, type LinkCursor, type LinkLabels, type ListLinksQuery, type Page, type PageFacts, type RedirectMode, type RedirectTarget, type Schedule, type Utm } from './links.types.ts';
import type { RedirectCache } from './redirect-cache.ts';
import { createBatchedLookup } from './redirect-lookups.ts';
import { applyUtm, checkDestination, hostOf, MAX_URL_LENGTH, type UrlPolicy } from './url-policy.ts';

export type MetadataMode = 'sync' | 'background' | 'none';

export interface LinkFields {
  title?: string | null;
  description?: string | null;
  pageTitle?: string | null;
  thumbnailUrl?: string | null;
  password?: string | null;
  expiresAt?: number | null;
  redirectMode?: RedirectMode;
  bridgeDelaySeconds?: number;
  source?: string;
  utm?: Partial<Utm> | null;
  schedules?: Omit<Schedule, 'id'>[];
  isActive?: boolean;
}

export interface CreateLinkInput extends LinkFields {
  destination: string;
  /**
   * A lifetime instead of expiresAt: the link expires this many seconds after
   * the creation time the core stamps on it (expiresAt = createdAt + ttl, to
   * the millisecond, as LinkShrink's ttl_seconds promises).
   */
  expiresInSeconds?: number;
  /** a custom alias; omitted = generated */
  code?: string | null;
  statsPrivate?: boolean;
  issueDeleteToken?: boolean;
  labels?: Partial<LinkLabels>;
  /** how to fill title/preview when no title is given (default 'sync') */
  metadata?: MetadataMode;
  /**
   * With a title given: still fetch the destination's image and description
   * for the bridge page, in the background, keeping the title (and leaving
   * the page title to it). Without, a given title means no fetch at all.
   */
  fetchPreview?: boolean;
}

export interface UpdateLinkInput extends LinkFields {
  destination?: string;
  code?: string;
  removePassword?: boolean;
  removeExpiration?: boolean;
  labels?: Partial<LinkLabels>;
}

export interface CreatedLink {
  link: Link;
  deleteToken: string | null;
  statsToken: string | null;
}

export type BatchResult = { ok: true; value: CreatedLink } | { ok: false; error: DomainError };

interface Prepared {
  row: NewLinkRow;
  deleteToken: string | null;
  statsToken: string | null;
  metadata: MetadataMode;
  /** a title was given: a fetch fills only the image and description */
  previewOnly: boolean;
}

export interface LinksDeps {
  links: LinksRepo;
  cache: RedirectCache;
  /** what a destination may be (urlPolicyOf the configuration) */
  policy: UrlPolicy;
  fetchMeta?: (url: string) => Promise<PageMeta | null>;
  now?: () => number;
}

const MAX_TITLE = 500;
const MAX_PASSWORD = 128;
const TOKEN_BYTES = 24; // 48 hex characters

function clip(value: string | null | undefined, max: number, field: string): string | null | undefined {
  if (value === undefined || value === null) return value;
  if (typeof value !== 'string') throw new DomainError('VALIDATION', `The ${field} must be a string.`, { field });
  const v = value.trim();
  if (charLength(v) > max) throw new DomainError('VALIDATION', `The ${field} must not be greater than ${max} characters.`, { field });
  return v === '' ? null : v;
}

export function createLinksService(deps: LinksDeps) {
  const { links, cache } = deps;
  const now = deps.now ?? Date.now;
  // what is read is cached as of before the read: a write landing while it is on its way wins
  const lookUpTarget = createBatchedLookup(async (codes) => {
    const readAt = cache.epoch;
    const found = await links.findRedirectTargets(codes);
    for (const code of codes) cache.set(code, found.get(code) ?? null, readAt);
    return found;
  });

  /**
   * Permanent delete: the link's history goes, the code stays reserved.
   * Uncached in the step that deletes it (SQLite writes when the repository
   * is called), so no visit finds it after; clicks still queued for it are
   * dropped by the click writer.
   */
  async function erase(link: Link): Promise<void> {
    await uncached(link, links.purge(link.id));
  }

  /**
   * A delete of `link` under way (`deleting` resolves to the code the row had, or null): the code is
   * uncached in the step that deletes it, and so is the one it had when deleted, should an edit have
   * renamed it since it was read. @throws NOT_FOUND when a concurrent delete got there first
   */
  async function uncached(link: Link, deleting: Promise<string | null>): Promise<void> {
    cache.invalidate(link.code);
    const code = await deleting;
    if (code === null) throw new DomainError('NOT_FOUND', 'Link not found.');
    if (code !== link.code) cache.invalidate(code);
  }
  const policy = deps.policy;
  const dedupeQueue = keyedQueue();

  function requireFeature(actor: Actor | null, feature: 'customAlias' | 'password' | 'expiry', label: string) {
    if (actor && !actor.plan[feature]) {
      throw new DomainError('FEATURE_DENIED', `${label} require a Pro or Enterprise plan.`, { feature, plan: actor.plan.name });
    }
  }

  function checkExpiry(expiresAt: number | null | undefined): void {
    if (expiresAt === undefined || expiresAt === null) return;
    if (!Number.isFinite(expiresAt)) throw new DomainError('VALIDATION', 'The expires at is not a valid date.', { field: 'expires_at' });
    if (expiresAt <= now()) throw new DomainError('VALIDATION', 'The expires at field must be a date after now.', { field: 'expires_at' });
  }

  /** The same rule for create and update; null/undefined = no password given. @throws VALIDATION */
  function checkPassword(password: unknown): void {
    if (password === undefined || password === null) return;
    if (typeof password !== 'string' || password.length < 1 || charLength(password) > MAX_PASSWORD) {
      throw new DomainError('VALIDATION', `The password must be 1 to ${MAX_PASSWORD} characters.`, { field: 'password' });
    }
  }

  /** meta.schedule: the index of the schedule refused, for a form to name its row (the message stays the APIs'). @throws VALIDATION */
  function checkSchedules(schedules: Omit<Schedule, 'id'>[] | undefined) {
    for (const [schedule, s] of (schedules ?? []).entries()) {
      try {
        checkDestination(s.destination, policy, 'schedule destination');
      } catch (e) {
        throw e instanceof DomainError ? new DomainError(e.code, e.message, { ...e.meta, schedule }) : e;
      }
      if (s.startsAt !== null && s.endsAt !== null && s.endsAt <= s.startsAt) {
        throw new DomainError('VALIDATION', 'A schedule must end after it starts.', { field: 'schedules', schedule });
      }
    }
  }

  const sameSchedules = (current: readonly Schedule[], next: readonly Omit<Schedule, 'id'>[]) =>
    current.length === next.length &&
    current.every((c, i) => c.startsAt === next[i]!.startsAt && c.endsAt === next[i]!.endsAt && c.destination === next[i]!.destination);

  const aliasTaken = () => new DomainError('CODE_TAKEN', 'The alias has already been taken.', { field: 'code' });

  /**
   * A deleted link's code stays taken, so nobody can catch the traffic of its
   * printed or shared URLs; its owner, who deleted it, may take it again (the
   * dialects document deletion as permanent).
   */
  async function checkAlias(code: string, actor: Actor | null): Promise<void> {
    if (!isValidCodeShape(code)) {
      throw new DomainError('VALIDATION', 'The alias must be 3 to 32 unaccented Latin letters (A–Z, a–z), digits, hyphens or underscores.', { field: 'code' });
    }
    if (isReservedCode(code)) throw aliasTaken();
    const holder = await links.codeHolder(code);
    // an own deleted link's code is taken back by the insert or update that uses it, in its transaction
    if (holder !== null && !(holder.deleted && actor !== null && holder.userId === actor.user.id)) throw aliasTaken();
  }

  async function freshCode(): Promise<string> {
    for (let i = 0; i < 8; i++) {
      const code = generateCode();
      if (!isReservedCode(code) && !(await links.codeExists(code))) return code;
    }
    throw new DomainError('CODE_TAKEN', 'Could not find a free short code; try again.');
  }

  function utmColumns(utm: Partial<Utm> | null | undefined): LinkPatch {
    if (utm === undefined) return {};
    const v = (k: keyof Utm) => clip(utm?.[k] ?? null, 255, `utm ${k}`) ?? null;
    return { utmSource: v('source'), utmMedium: v('medium'), utmCampaign: v('campaign'), utmTerm: v('term'), utmContent: v('content') };
  }

  // a few pages fetched at a time, owners taking turns, whatever was created at once; a link past its
  // owner's wait list keeps the host name as its title (written with it), as when its page cannot be fetched
  const backgroundFetches = createBackgroundQueue({ concurrency: 4, maxWaitingPerOwner: 2000 });
  const fillInBackground = (link: Link, previewOnly = false) =>
    void backgroundFetches.run(String(link.userId ?? 'anonymous'), () => fillMetadata(link, previewOnly));

  /** A page's og:image as a link's image: under the same policy as one typed (no private host, http(s) only), else none. */
  function fetchedImage(image: string | null | undefined): string | null {
    if (!image) return null;
    try {
      return checkDestination(image.slice(0, 2048), policy, 'thumbnail url');
    } catch {
      return null;
    }
  }

  async function fillMetadata(link: Link, previewOnly = false): Promise<Link> {
    const meta = deps.fetchMeta ? await deps.fetchMeta(link.destination).catch(() => null) : null;
    const title = clip(cutAt(meta?.title ?? '', MAX_TITLE), MAX_TITLE, 'title') ?? hostOf(link.destination);
    // previewOnly: the given title stays (fillBlanks replaces only the title it is told was there) and
    // is the page's title too (a null page title falls back to it)
    const updated = await links.fillBlanks(link.id, link.title, {
      title: previewOnly ? link.title : title,
      pageTitle: previewOnly ? null : title,
      thumbnailUrl: fetchedImage(meta?.image),
      description: meta?.description ? cutAt(meta.description, 1000) : null,
    });
    // its code now: the owner may have renamed it while the page was fetched
    cache.invalidate(updated?.code ?? link.code);
    return updated ?? link;
  }

  async function ownedLink(actor: Actor, id: number): Promise<Link> {
    const link = Number.isSafeInteger(id) ? await links.findById(id) : null;
    if (!link || link.userId !== actor.user.id) throw new DomainError('NOT_FOUND', 'Link not found.');
    return link;
  }

  async function ownedLinkByCode(actor: Actor, code: string): Promise<Link> {
    const link = await links.findByCode(code);
    if (!link || link.userId !== actor.user.id) throw new DomainError('NOT_FOUND', 'Link not found.');
    return link;
  }

  async function manageableLink(actor: Actor, id: number): Promise<Link> {
    if (actor.user.role !== 'admin') return ownedLink(actor, id);
    const link = Number.isSafeInteger(id) ? await links.findById(id) : null;
    if (!link) throw new DomainError('NOT_FOUND', 'Link not found.');
    return link;
  }

  async function softRemove(link: Link): Promise<Link> {
    await uncached(link, links.softDelete(link.id));
    return link;
  }

  const live = (l: { isActive: boolean; expiresAt: number | null }) => isLive(l, now());

  /** What a list of the actor's asks the repository for; null when it is empty without a read. */
  function listFilter(actor: Actor, q: Omit<ListLinksQuery, 'page' | 'perPage'>, limit: number, offset: number): LinkListFilter | null {
    if (q.allUsers && actor.user.role !== 'admin') throw new DomainError('FORBIDDEN', 'Only admins can list every user’s links.');
    const search = q.search?.trim() || undefined;
    // no searched column holds more than a destination's 2048 characters, so a longer term matches
    // nothing, known without reading a row
    if (search !== undefined && charLength(search) > MAX_URL_LENGTH) return null;
    return {
      ownerId: q.allUsers ? null : actor.user.id,
      search,
      status: q.status,
      sort: q.sort ?? 'created_at',
      direction: q.direction ?? 'desc',
      limit,
      offset,
      now: now(),
    };
  }

  /** A live link by code, whoever owns it. @throws NOT_FOUND */
  async function publicLink(code: string): Promise<Link> {
    const link = await links.findByCode(code);
    if (!link || !live(link)) throw new DomainError('NOT_FOUND', 'Short URL not found or expired.');
    return link;
  }

  // expired: links that still count against the limit (until deleted) although they no longer answer, which
  // an account using expiring links runs into; a page can say so (read on this rare path only)
  const quotaExceeded = async (actor: Actor, usage: number) =>
    new DomainError('QUOTA_EXCEEDED', 'You reached your link limit for the current plan.', {
      limit: actor.plan.maxLinks,
      usage,
      plan: actor.plan.name,
      expired: await links.countExpiredForUser(actor.user.id, now()),
    });

  /** A batch is refused whole up front, before preparing its items; the insert's transaction checks again (ownerLimit), which concurrent creates cannot slip past. */
  async function checkQuota(actor: Actor, adding: number): Promise<void> {
    if (actor.plan.maxLinks === null) return;
    const usage = await links.countLiveForUser(actor.user.id);
    if (usage + adding > actor.plan.maxLinks) throw await quotaExceeded(actor, usage);
  }

  const insertOptions = (actor: Actor | null): InsertOptions =>
    actor && actor.plan.maxLinks !== null ? { ownerLimit: { userId: actor.user.id, max: actor.plan.maxLinks } } : {};

  /**
   * Every rule of creation, in the order a check-at-a-time met them, each
   * refusal noted in `r`; the checked values when none refused. `taken`
   * holds codes claimed earlier in the same batch.
   */
  async function checkCreate(actor: Actor | null, input: CreateLinkInput, taken: Set<string>, r: Refusals) {
    const destination = r.check(() => checkDestination(input.destination, policy, 'url'));
    const title = r.check(() => clip(input.title, MAX_TITLE, 'title'));
    const pageTitle = r.check(() => clip(input.pageTitle, MAX_TITLE, 'page title'));
    const description = r.check(() => clip(input.description, 1000, 'description'));
    const thumbnailUrl = r.check(() => (input.thumbnailUrl ? checkDestination(input.thumbnailUrl, policy, 'thumbnail url') : null));
    const aliasAllowed = !input.code || r.passes(() => requireFeature(actor, 'customAlias', 'Custom aliases'));
    if (input.password) r.passes(() => requireFeature(actor, 'password', 'Password-protected links'));
    const lifetime = input.expiresInSeconds;
    if ((input.expiresAt !== undefined && input.expiresAt !== null) || lifetime !== undefined) r.passes(() => requireFeature(actor, 'expiry', 'Link expiration dates'));
    if (lifetime !== undefined && !(Number.isFinite(lifetime) && lifetime > 0)) {
      r.note(new DomainError('VALIDATION', 'The lifetime must be a positive number of seconds.', { field: 'expires_at' }));
    }
    r.passes(() => checkPassword(input.password));
    r.passes(() => checkExpiry(input.expiresAt));
    r.passes(() => checkSchedules(input.schedules));
    // a plan without aliases is not told whether one is taken
    if (input.code && aliasAllowed) {
      const code = input.code;
      await r.passesAsync(async () => {
        await checkAlias(code, actor);
        if (taken.has(code)) throw aliasTaken();
      });
    }
    const source = r.check(() => clip(input.source, 50, 'source'));
    const userAgent = r.check(() => clip(input.labels?.userAgent, 1000, 'user agent'));
    const utm = r.check(() => utmColumns(input.utm));
    // each value is the one its check returned: none refused, none is a stand-in
    return r.any ? null : { destination: destination!, title, pageTitle, description, thumbnailUrl: thumbnailUrl ?? null, lifetime, source, userAgent, utm: utm! };
  }

  /** Every rule of creation except the insert itself; `taken` holds codes claimed earlier in the same batch. @throws the first refusal (meta.refusals: all) */
  async function prepare(actor: Actor | null, input: CreateLinkInput, taken: Set<string>): Promise<Prepared> {
    const r = new Refusals();
    const checked = await checkCreate(actor, input, taken, r);
    r.throwIfAny();
    const { destination, title, pageTitle, description, thumbnailUrl, lifetime, source, userAgent, utm } = checked!;
    let code = input.code || (await freshCode());
    while (taken.has(code)) code = await freshCode();
    const deleteToken = input.issueDeleteToken ? randomHex(TOKEN_BYTES) : null;
    const statsToken = input.statsPrivate ? randomHex(TOKEN_BYTES) : null;
    const wanted: MetadataMode = title ? (input.fetchPreview ? 'background' : 'none') : (input.metadata ?? 'sync');
    // Without a fetcher (OG_FETCH=false) fillMetadata could only copy the host into the title and page
    // title: that is written with the row, saving an UPDATE (its own transaction) per link.
    const metadata: MetadataMode = deps.fetchMeta ? wanted : 'none';
    const host = wanted === 'none' || title ? null : hostOf(destination);
    const passwordHash = input.password ? await hashPassword(input.password) : null;
    // stamped here rather than by the database default, so that a lifetime ends exactly ttl after it
    const createdAt = now();
    const row: NewLinkRow = {
      code,
      isAlias: Boolean(input.code),
      destination,
      title: title ?? host,
      description: description ?? null,
      pageTitle: pageTitle ?? (metadata === wanted ? null : host),
      thumbnailUrl,
      userId: actor?.user.id ?? null,
      source: source ?? 'api',
      redirectMode: input.redirectMode ?? 'direct',
      bridgeDelaySeconds: Math.max(0, Math.min(60, Math.trunc(input.bridgeDelaySeconds ?? 0))),
      passwordHash,
      expiresAt: lifetime !== undefined ? createdAt + Math.round(lifetime * 1000) : (input.expiresAt ?? null),
      isActive: input.isActive ?? true,
      ...utm,
      deleteTokenHash: deleteToken ? sha256Hex(deleteToken) : null,
      statsTokenHash: statsToken ? sha256Hex(statsToken) : null,
      statsPrivate: Boolean(input.statsPrivate),
      labelUserId: input.labels?.userId ?? null,
      labelUserAgent: userAgent ?? null,
      labelIp: input.labels?.ip ?? null,
      createdAt,
      updatedAt: createdAt,
    };
    return { row, deleteToken, statsToken, metadata, previewOnly: Boolean(title) };
  }

  /**
   * The patch an update writes (but a new password's hash), each refusal
   * noted in `r`, in the order a check-at-a-time met them.
   */
  async function checkUpdate(actor: Actor | null, input: UpdateLinkInput, target: Link, r: Refusals): Promise<LinkPatch> {
    const patch: LinkPatch = {};
    if (input.destination !== undefined) patch.destination = r.check(() => checkDestination(input.destination!, policy, 'url'));
    if (input.title !== undefined) patch.title = r.check(() => clip(input.title, MAX_TITLE, 'title')) ?? null;
    if (input.description !== undefined) patch.description = r.check(() => clip(input.description, 1000, 'description')) ?? null;
    if (input.pageTitle !== undefined) patch.pageTitle = r.check(() => clip(input.pageTitle, MAX_TITLE, 'page title')) ?? null;
    if (input.thumbnailUrl !== undefined) patch.thumbnailUrl = input.thumbnailUrl ? r.check(() => checkDestination(input.thumbnailUrl!, policy, 'thumbnail url')) : null;
    if (input.source !== undefined) patch.source = r.check(() => clip(input.source, 50, 'source')) ?? 'api';
    if (input.redirectMode !== undefined) patch.redirectMode = input.redirectMode;
    if (input.bridgeDelaySeconds !== undefined) patch.bridgeDelaySeconds = Math.max(0, Math.min(60, Math.trunc(input.bridgeDelaySeconds)));
    if (input.isActive !== undefined) patch.isActive = input.isActive;
    if (input.removePassword) patch.passwordHash = null;
    else if (input.password !== undefined && input.password !== null) {
      if (input.password) r.passes(() => requireFeature(actor, 'password', 'Password-protected links'));
      r.passes(() => checkPassword(input.password));
    }
    if (input.removeExpiration) patch.expiresAt = null;
    else if (input.expiresAt !== undefined && input.expiresAt !== null) {
      const expiresAt = input.expiresAt;
      if (r.passes(() => requireFeature(actor, 'expiry', 'Link expiration dates')) && r.passes(() => checkExpiry(expiresAt))) patch.expiresAt = expiresAt;
    } else if (input.expiresAt === null) patch.expiresAt = null;
    if (input.code !== undefined && input.code !== target.code) {
      const code = input.code;
      // a plan without aliases is not told whether one is taken
      if (r.passes(() => requireFeature(actor, 'customAlias', 'Custom aliases'))) await r.passesAsync(() => checkAlias(code, actor));
      patch.code = code;
      patch.isAlias = true;
    }
    if (input.labels?.userId !== undefined) patch.labelUserId = input.labels.userId;
    Object.assign(patch, r.check(() => utmColumns(input.utm)));
    r.passes(() => checkSchedules(input.schedules));
    return patch;
  }

  type ReadyItem = { index: number; p: Prepared; input: CreateLinkInput };

  /**
   * Inserts a prepared batch in one transaction. The password hash awaits the
   * bcrypt thread between prepare() and the insert, so another request may take a
   * code meanwhile; the transaction then rolls back whole, and the batch is
   * tried again with the lost aliases reported CODE_TAKEN (atomic: thrown) and
   * lost random codes drawn again.
   */
  async function insertBatch(actor: Actor | null, ready: ReadyItem[], results: BatchResult[], taken: Set<string>, atomic: boolean) {
    let items = ready;
    for (let attempt = 1; ; attempt++) {
      try {
        return { items, created: await links.insertMany(items.map((r) => ({ row: r.p.row, schedules: r.input.schedules ?? [] })), insertOptions(actor)) };
      } catch (e) {
        if (e instanceof LimitReached && actor) throw await quotaExceeded(actor, e.usage);
        if (!(e instanceof UniqueViolation)) throw e;
        // still losing after three rounds: the client may retry, which beats a 500
        if (attempt === 3) throw aliasTaken();
      }
      const kept: ReadyItem[] = [];
      for (const r of items) {
        if (!r.input.code) {
          if (await links.codeExists(r.p.row.code)) {
            do r.p.row.code = await freshCode();
            while (taken.has(r.p.row.code));
            taken.add(r.p.row.code);
          }
          kept.push(r);
          continue;
        }
        try {
          await checkAlias(r.input.code, actor);
          kept.push(r);
        } catch (err) {
          if (!(err instanceof DomainError)) throw err;
          results[r.index] = { ok: false, error: err };
        }
      }
      if (atomic) throwBatchFailures(results);
      items = kept;
    }
  }

  function throwBatchFailures(results: BatchResult[]): void {
    const items = results.flatMap((r, index) => (r.ok ? [] : [{ index, error: r.error }]));
    if (!items.length) return;
    const planError = items.find((i) => i.error.code !== 'VALIDATION' && i.error.code !== 'CODE_TAKEN');
    if (planError) throw planError.error;
    throw new DomainError('VALIDATION', items[0]!.error.message, { field: 'items', items });
  }

  return {
    /**
     * Creates a link for the actor (null = anonymous, no plan gates).
     * @throws VALIDATION, CODE_TAKEN, FEATURE_DENIED, QUOTA_EXCEEDED
     */
    async create(actor: Actor | null, input: CreateLinkInput): Promise<CreatedLink> {
      // the plan's link limit is checked by the insert itself (insertOptions): one count, race-free; a
      // password first costs a hash, so an account with no room is refused before paying it
      if (actor && input.password) await checkQuota(actor, 1);
      const p = await prepare(actor, input, new Set());
      let link: Link;
      try {
        link = await links.insert(p.row, input.schedules ?? [], insertOptions(actor));
      } catch (e) {
        // two creates racing for the same alias: the unique index decides
        if (e instanceof UniqueViolation) throw aliasTaken();
        if (e instanceof LimitReached && actor) throw await quotaExceeded(actor, e.usage);
        throw e;
      }
      cache.invalidate(link.code);
      if (p.metadata === 'sync') link = await fillMetadata(link, p.previewOnly);
      else if (p.metadata === 'background') fillInBackground(link, p.previewOnly);
      return { link, deleteToken: p.deleteToken, statsToken: p.statsToken };
    },

    /**
     * Notes in `r` every refusal create() would give `input`, creating
     * nothing: a form that has found faults of its own shows the core's too,
     * all in one answer.
     */
    async checkCreate(actor: Actor | null, input: CreateLinkInput, r: Refusals): Promise<void> {
      await checkCreate(actor, input, new Set(), r);
    },

    /** As checkCreate, for update(); another's link is left to update() to refuse. */
    async checkUpdate(actor: Actor | null, target: Link, input: UpdateLinkInput, r: Refusals): Promise<void> {
      await checkUpdate(actor, input, target, r);
    },

    /**
     * Creates many links in one transaction; each item succeeds or fails on
     * its own (a bad URL does not sink the batch). Metadata is fetched in the
     * background so a bulk request never waits on other sites. The plan quota
     * is checked for the whole batch: the items that pass their own checks
     * must all fit, or none is created. With `atomic`, nothing is
     * created unless every item passes: the first plan error is thrown as is,
     * otherwise one VALIDATION with meta.items = [{ index, error }].
     * @throws QUOTA_EXCEEDED (whole batch); atomic: FEATURE_DENIED, VALIDATION
     */
    async createMany(actor: Actor | null, inputs: CreateLinkInput[], opts: { atomic?: boolean } = {}): Promise<BatchResult[]> {
      // no room at all: refused before any item is prepared (a password costs a hash each)
      if (actor && inputs.length > 0) await checkQuota(actor, 1);
      const taken = new Set<string>();
      const results: BatchResult[] = [];
      const ready: ReadyItem[] = [];
      for (const [index, input] of inputs.entries()) {
        try {
          const p = await prepare(actor, { ...input, metadata: input.metadata === 'none' ? 'none' : 'background' }, taken);
          taken.add(p.row.code);
          ready.push({ index, p, input });
          results.push({ ok: true, value: null! });
        } catch (e) {
          if (!(e instanceof DomainError)) throw e;
          results.push({ ok: false, error: e });
        }
      }
      if (opts.atomic) throwBatchFailures(results);
      // only the items that would be created count against the plan: a refused item takes no room
      if (actor) await checkQuota(actor, ready.length);
      const inserted = await insertBatch(actor, ready, results, taken, opts.atomic ?? false);
      inserted.created.forEach((link, i) => {
        const { index, p } = inserted.items[i]!;
        cache.invalidate(link.code);
        if (p.metadata === 'background') fillInBackground(link, p.previewOnly);
        results[index] = { ok: true, value: { link, deleteToken: p.deleteToken, statsToken: p.statsToken } };
      });
      return results;
    },

    /**
     * ShrtLnk deduplication: the live link with this destination, source and
     * mode among the actor's own links (anonymous: among untokened anonymous
     * links), scoped by the integrator's labels — user id first, else user
     * agent, else the unlabelled bucket. Labels never widen the search to
     * someone else's links. Otherwise creates it. Requests for the same
     * duplicate run one after another (a create awaits between its check and
     * its insert, and no index can express the label scopes), so identical
     * requests sent at once make one link, not one each.
     * @throws as create()
     */
    async findOrCreate(
      actor: Actor | null,
      q: { destination: string; source: string; redirectMode: RedirectMode; labels: Partial<LinkLabels> },
      input: CreateLinkInput,
    ): Promise<{ link: Link; existing: boolean }> {
      const scope = q.labels.userId != null ? { userId: q.labels.userId } : { userAgent: q.labels.userAgent ?? null };
      const key = JSON.stringify([actor?.user.id ?? null, q.destination, q.source, q.redirectMode, scope]);
      return dedupeQueue.run(key, async () => {
        const found = await links.findDuplicate({
          destination: q.destination,
          source: q.source,
          redirectMode: q.redirectMode,
          ownerId: actor?.user.id ?? null,
          labelUserId: q.labels.userId ?? null,
          labelUserAgent: q.labels.userAgent ?? null,
        });
        if (found && live(found)) return { link: found, existing: true };
        return { link: (await this.create(actor, input)).link, existing: false };
      });
    },

    /** @throws NOT_FOUND (missing, deleted, or not the actor's) */
    get: ownedLink,
    getByCode: ownedLinkByCode,

    /**
     * The actor's link, or any user's (anonymous ones included) for an admin: read-only views
     * (analytics) and the take-down actions below, where admins oversee the whole appliance. Edits
     * keep using get(), so an admin never changes someone else's destination by accident.
     * @throws NOT_FOUND
     */
    getViewable: manageableLink,

    /**
     * Pauses or activates a link the actor may manage (its own; any, for an admin taking down abuse).
     * The APIs keep owner-only writes: this is the dashboard's. @throws NOT_FOUND
     */
    async setActiveAsManager(actor: Actor, id: number, active: boolean): Promise<Link> {
      const link = await manageableLink(actor, id);
      return link.isActive === active ? link : this.update(null, link, { isActive: active });
    },

    /** Soft delete of a link the actor may manage (see setActiveAsManager). @throws NOT_FOUND */
    async removeAsManager(actor: Actor, id: number): Promise<Link> {
      return softRemove(await manageableLink(actor, id));
    },

    /** A live (not deleted) link by code regardless of owner, for public token-guarded routes. @throws NOT_FOUND */
    getPublic: publicLink,

    /**
     * A link by id regardless of owner, paused or expired included, for internal joins (a QR code's
     * link: its image keeps encoding the short URL while the link is paused); null once deleted.
     */
    async findUndeleted(id: number): Promise<Link | null> {
      return links.findById(id);
    },

    async findPublicMany(codes: string[]): Promise<Link[]> {
      return (await links.findByCodes(codes)).filter((l) => live(l));
    },

    /** @throws FORBIDDEN when a non-admin asks for every user's links */
    async list(actor: Actor, q: ListLinksQuery): Promise<Page<Link>> {
      const { page, perPage, offset } = pageWindow(q);
      const filter = listFilter(actor, q, perPage, offset);
      return { ...(filter ? await links.list(filter) : { items: [], total: 0 }), page, perPage };
    },

    /**
     * Every link of the actor's list, in its order, `size` at a time, read as the caller asks for
     * them: an export of 100,000 long links neither holds them all in memory nor, read in one go, the
     * thread that answers redirects. The order is settled first (in chunks, see firstInOrder).
     * @throws FORBIDDEN (every user's links, for a member), VALIDATION (more than `max`: refused, none
     * cut off unsaid), on the first call of next()
     */
    async *listInBatches(actor: Actor, q: Omit<ListLinksQuery, 'page' | 'perPage'>, max: number, size: number): AsyncGenerator<Link[]> {
      const filter = listFilter(actor, q, max + 1, 0);
      const ids = filter ? await links.listIds(filter) : [];
      if (ids.length > max) throw new DomainError('VALIDATION', `This list has more than ${max.toLocaleString('en')} links, the most one export holds. Narrow it with a search or a status and export each part.`, { field: 'q' });
      for (let i = 0; i < ids.length; i += size) yield await links.inOrder(ids.slice(i, i + size));
    },

    /**
     * What counts against the actor's link limit, as checkQuota counts it: every link not deleted,
     * expired ones included (they no longer answer but count until deleted), and how many of those
     * have expired.
     */
    async usage(actor: Actor): Promise<{ links: number; expired: number }> {
      const count = await links.countLiveForUser(actor.user.id);
      return { links: count, expired: count === 0 ? 0 : await links.countExpiredForUser(actor.user.id, now()) };
    },

    /** Up to `limit` of the actor's links after `after`, oldest first: pages for reading all of them (see listOldestAfter). */
    async oldestAfter(actor: Actor, after: LinkCursor | null, limit: number): Promise<Link[]> {
      return links.listOldestAfter(actor.user.id, after, limit);
    },

    /** @throws NOT_FOUND, VALIDATION, CODE_TAKEN, FEATURE_DENIED */
    async update(actor: Actor | null, target: Link, input: UpdateLinkInput): Promise<Link> {
      if (actor && target.userId !== actor.user.id) throw new DomainError('NOT_FOUND', 'Link not found.');
      const r = new Refusals();
      const patch = await checkUpdate(actor, input, target, r);
      r.throwIfAny();
      if (!input.removePassword && input.password) patch.passwordHash = await hashPassword(input.password);
      // resent as they are (a client PUTting the whole link back): no new schedule ids, no new updated_at
      const schedules = input.schedules !== undefined && !sameSchedules(await links.schedules(target.id), input.schedules) ? input.schedules : undefined;
      const written = await links.update(target.id, patch, { schedules, ownerIs: target.userId }).catch((e: unknown) => {
        // another request took the alias between the check and the write
        throw e instanceof UniqueViolation ? aliasTaken() : e;
      });
      if (!written) throw new DomainError('NOT_FOUND', 'Link not found.');
      // the code the row had when written, not target.code: another edit may have renamed it during
      // this one's waits (a password hash), and the code in between would go on redirecting
      cache.invalidate(written.codeBefore);
      cache.invalidate(written.link.code);
      return written.link;
    },

    /** Soft delete; answers the link as it was (for a confirmation naming it). @throws NOT_FOUND */
    async remove(actor: Actor, id: number): Promise<Link> {
      return softRemove(await ownedLink(actor, id));
    },

    /**
     * Delete that also erases the link's clicks, rollups and schedules, for
     * APIs whose deletion is documented as permanent (Linx.ly names links by code); the code stays reserved.
     * @throws NOT_FOUND
     */
    async purge(actor: Actor, code: string): Promise<void> {
      await erase(await ownedLinkByCode(actor, code));
    },

    /** Deletes an anonymous link with its delete token. @throws NOT_FOUND, INVALID_TOKEN */
    async removeWithToken(code: string, token: string | undefined): Promise<Link> {
      const link = await publicLink(code); // an expired or paused link is 404 here too, as everywhere
      const hashes = await links.findTokenHashes(link.id);
      if (!token || !tokenMatches(token, hashes?.deleteTokenHash ?? null)) {
        throw new DomainError('INVALID_TOKEN', 'A delete_token is required to delete this link');
      }
      await erase(link);
      return link;
    },

    /** True when the link's stats are public or the token opens them. */
    async statsAllowed(link: Link, token: string | undefined): Promise<boolean> {
      if (!link.statsPrivate) return true;
      if (!token) return false;
      const hashes = await links.findTokenHashes(link.id);
      return tokenMatches(token, hashes?.statsTokenHash ?? null);
    },

    /**
     * Whether a route that does not ask for the link's password may show its
     * destination: the destination is what the password guards, so for a
     * protected link only its owner sees it outside the unlock routes.
     */
    destinationVisible(link: Pick<Link, 'passwordHash' | 'userId'>, actor: Actor | null): boolean {
      return link.passwordHash === null || (actor !== null && link.userId === actor.user.id);
    },

    /** @throws INVALID_TOKEN on a wrong password */
    async verifyPassword(link: { passwordHash: string | null }, password: string): Promise<void> {
      if (link.passwordHash === null) return;
      if (!(await verifyPassword(String(password ?? ''), link.passwordHash))) {
        throw new DomainError('INVALID_TOKEN', 'The provided password is incorrect.');
      }
    },

    /**
     * The link behind `code` once `password` opens it: its target as it is
     * after the check, or null when it was deleted, paused or expired, or its
     * code moved to another link, during the check (a bcrypt comparison takes
     * tens of milliseconds: what was read before it may no longer hold). A
     * password changed meanwhile is checked again.
     * @throws INVALID_TOKEN on a wrong password
     */
    async unlock(code: string, target: RedirectTarget, password: string): Promise<RedirectTarget | null> {
      await this.verifyPassword(target, password);
      const now = await this.resolve(code);
      if (now === null || now.id !== target.id) return null;
      if (now.passwordHash !== null && !safeEqual(now.passwordHash, target.passwordHash ?? '')) await this.verifyPassword(now, password);
      return now;
    },

    schedules: (linkId: number) => links.schedules(linkId),

    /** The cached redirect target of a live link, or null (unknown, deleted, inactive, expired). */
    async resolve(code: string): Promise<RedirectTarget | null> {
      const hit = this.resolveCached(code);
      if (hit !== undefined) return hit;
      const target = await lookUpTarget(code);
      return target && live(target) ? target : null;
    },

    /**
     * resolve() answered from the cache alone, synchronously: undefined when
     * the code is not cached (then call resolve). Lets the redirect path answer
     * a hot code without a promise round trip.
     */
    resolveCached(code: string): RedirectTarget | null | undefined {
      const target = cache.get(code);
      if (target === undefined) return undefined;
      return target && live(target) ? target : null;
    },

    /** What the link's bridge or preview page shows (cached for those modes, read for a direct link's /preview). */
    async pageFacts(target: RedirectTarget): Promise<PageFacts> {
      return target.page ?? (await links.findPageFacts(target.id)) ?? { title: null, description: null, thumbnailUrl: null, delaySeconds: 0 };
    },

    /** Where a resolved link sends a visitor right now: a matching schedule's destination, with UTM applied. */
    destinationFor(target: RedirectTarget, at = now()): string {
      const scheduled = target.schedules.find((s) => (s.startsAt === null || s.startsAt <= at) && (s.endsAt === null || s.endsAt > at));
      const base = scheduled?.destination ?? target.destination;
      return target.utm ? applyUtm(base, target.utm) : base;
    },
  };
}
export type LinksService = ReturnType<typeof createLinksService>;
