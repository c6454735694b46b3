/**
 * SQLite schema. Times are integer milliseconds since the epoch (cheap to
 * compare and index); days in rollups are 'YYYY-MM-DD' UTC strings so range
 * queries read as text comparisons over the primary key.
 */
import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

const now = sql`(cast(unixepoch('subsecond') * 1000 as integer))`;

export const settings = sqliteTable('settings', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
});

export const plans = sqliteTable('plans', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  name: text('name').notNull().unique(),
  rateLimitPerMinute: integer('rate_limit_per_minute').notNull(),
  apiAccess: integer('api_access', { mode: 'boolean' }).notNull(),
  /** null = unlimited */
  maxLinks: integer('max_links'),
  customAlias: integer('custom_alias', { mode: 'boolean' }).notNull(),
  password: integer('password', { mode: 'boolean' }).notNull(),
  expiry: integer('expiry', { mode: 'boolean' }).notNull(),
  qrColors: integer('qr_colors', { mode: 'boolean' }).notNull(),
  createdAt: integer('created_at').notNull().default(now),
  updatedAt: integer('updated_at').notNull().default(now),
});

export const users = sqliteTable('users', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  email: text('email').notNull().unique(),
  passwordHash: text('password_hash').notNull(),
  role: text('role', { enum: ['admin', 'member'] }).notNull().default('member'),
  planId: integer('plan_id').notNull().references(() => plans.id),
  isActive: integer('is_active', { mode: 'boolean' }).notNull().default(true),
  mustChangePassword: integer('must_change_password', { mode: 'boolean' }).notNull().default(false),
  createdAt: integer('created_at').notNull().default(now),
  updatedAt: integer('updated_at').notNull().default(now),
});

export const apiKeys = sqliteTable(
  'api_keys',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    userId: integer('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    /** first characters of the key, shown in lists so a person can tell keys apart */
    prefix: text('prefix').notNull(),
    /** SHA-256 of the full key: keys are 256-bit random, so a fast hash is safe and lookups stay O(1) */
    keyHash: text('key_hash').notNull().unique(),
    lastUsedAt: integer('last_used_at'),
    revokedAt: integer('revoked_at'),
    createdAt: integer('created_at').notNull().default(now),
  },
  (t) => [index('api_keys_user_idx').on(t.userId)],
);

export const sessions = sqliteTable(
  'sessions',
  {
    /** SHA-256 of the session token held in the cookie */
    idHash: text('id_hash').primaryKey(),
    userId: integer('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
    csrfToken: text('csrf_token').notNull(),
    expiresAt: integer('expires_at').notNull(),
    lastSeenAt: integer('last_seen_at').notNull().default(now),
    createdAt: integer('created_at').notNull().default(now),
  },
  (t) => [index('sessions_user_idx').on(t.userId)],
);

export const links = sqliteTable(
  'links',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    /** case-sensitive (SQLite's default BINARY collation) */
    code: text('code').notNull(),
    isAlias: integer('is_alias', { mode: 'boolean' }).notNull().default(false),
    destination: text('destination').notNull(),
    title: text('title'),
    description: text('description'),
    pageTitle: text('page_title'),
    thumbnailUrl: text('thumbnail_url'),
    userId: integer('user_id').references(() => users.id, { onDelete: 'set null' }),
    source: text('source').notNull().default('api'),
    redirectMode: text('redirect_mode', { enum: ['direct', 'bridge', 'preview'] }).notNull().default('direct'),
    bridgeDelaySeconds: integer('bridge_delay_seconds').notNull().default(0),
    passwordHash: text('password_hash'),
    expiresAt: integer('expires_at'),
    isActive: integer('is_active', { mode: 'boolean' }).notNull().default(true),
    utmSource: text('utm_source'),
    utmMedium: text('utm_medium'),
    utmCampaign: text('utm_campaign'),
    utmTerm: text('utm_term'),
    utmContent: text('utm_content'),
    deleteTokenHash: text('delete_token_hash'),
    statsTokenHash: text('stats_token_hash'),
    statsPrivate: integer('stats_private', { mode: 'boolean' }).notNull().default(false),
    /** integrator labels (ShrtLnk user_id / user_agent / ip_address): dedupe scope only, never ownership */
    labelUserId: integer('label_user_id'),
    labelUserAgent: text('label_user_agent'),
    labelIp: text('label_ip'),
    createdAt: integer('created_at').notNull().default(now),
    updatedAt: integer('updated_at').notNull().default(now),
    deletedAt: integer('deleted_at'),
  },
  (t) => [
    // Unique over every row, deleted ones included: a code, once used, is never
    // handed to another user (old printed QR codes must not be hijacked); its owner
    // may take it back, which renames the deleted row (links.repo releaseOwnDeleted).
    uniqueIndex('links_code_uq').on(t.code),
    index('links_user_created_idx').on(t.userId, t.createdAt),
    // Live links, by the equalities findDuplicate always tests: a ShrtLnk create finds its existing link
    // in one probe however many links share the destination (200,000 did: 65 -> 0.7 ms). Not the user
    // agent label, which only some lookups test: entries of one key stay in id order, so the oldest
    // match is the first read, and the planner never prefers links_user_live_idx to avoid a sort.
    index('links_dedupe_idx').on(t.destination, t.source, t.userId, t.labelUserId).where(sql`${t.deletedAt} IS NULL`),
    // A user's live links in id order (deleted_at is there so that a read needing only ids reads no
    // row): a search reads them a chunk at a time, a page sorted by clicks joins their counters to it
    index('links_user_live_idx').on(t.userId, t.deletedAt).where(sql`${t.deletedAt} IS NULL`),
    // An admin's list of every user's links, newest first (the dashboard's default): read from here,
    // not by sorting every link (1,000,000 links: 209 ms a page)
    index('links_live_created_idx').on(t.createdAt).where(sql`${t.deletedAt} IS NULL`),
    // Deleted links only (tiny): the click flusher asks which links were deleted lately, to drop
    // clicks that reach it after their link is gone (clicks.repo.ts).
    index('links_deleted_idx').on(t.deletedAt).where(sql`${t.deletedAt} IS NOT NULL`),
    // Deleted links whose history and row are not yet erased (clicks/deleted-history.repo.ts): a link
    // leaves it when its row is emptied, so the eraser finds the next one in one probe, whatever the
    // clock did between deletions (a mark by deletion time missed links deleted after a step back)
    index('links_unerased_idx').on(t.id).where(sql`${t.deletedAt} IS NOT NULL AND ${t.destination} <> ''`),
  ],
);

/**
 * A link's click counters, apart from the link row: the click flusher bumps
 * them for every clicked link of every batch, and a narrow row (~20 bytes,
 * ~200 to a page) makes that a small write, where the same update in the
 * ~250-byte links row dirtied a page per link (migration 0003; a quarter of
 * a random-link batch's write time). A link never clicked has no row: read
 * through a LEFT JOIN with zero defaults.
 */
export const linkCounters = sqliteTable('link_counters', {
  linkId: integer('link_id')
    .primaryKey()
    .references(() => links.id, { onDelete: 'cascade' }),
  totalClicks: integer('total_clicks').notNull().default(0),
  uniqueClicks: integer('unique_clicks').notNull().default(0),
  lastClickedAt: integer('last_clicked_at'),
});

/**
 * How many live links each user owns, kept by triggers on links (migration
 * 0010) so that no write can leave it behind: the plan quota is checked on
 * every create of a limited plan and a list page shows its owner's total,
 * and counting them was a read of one index entry per link (200,000 links:
 * 7 ms on this 2-core machine, every create and every page). A user who
 * never had a live link has no row.
 */
export const userLinkCounts = sqliteTable('user_link_counts', {
  userId: integer('user_id')
    .primaryKey()
    .references(() => users.id, { onDelete: 'cascade' }),
  live: integer('live').notNull().default(0),
});

/**
 * How many live links there are in all, owned or not, in one row kept by
 * triggers on links (migration 0011): an admin's list of every user's links
 * shows it as its total, which was a count of every live link (1,000,000
 * links: ~15 ms on each page). user_link_counts cannot hold it: links of
 * nobody (anonymous, or left by a deleted user) have no user to count under.
 */
export const liveLinkTotal = sqliteTable('live_link_total', {
  id: integer('id').primaryKey(),
  live: integer('live').notNull().default(0),
});

export const linkSchedules = sqliteTable(
  'link_schedules',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    linkId: integer('link_id').notNull().references(() => links.id, { onDelete: 'cascade' }),
    startsAt: integer('starts_at'),
    endsAt: integer('ends_at'),
    destination: text('destination').notNull(),
    createdAt: integer('created_at').notNull().default(now),
  },
  (t) => [index('link_schedules_link_idx').on(t.linkId)],
);

export const clicks = sqliteTable(
  'clicks',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    linkId: integer('link_id').notNull().references(() => links.id, { onDelete: 'cascade' }),
    clickedAt: integer('clicked_at').notNull(),
    referrerDomain: text('referrer_domain'),
    countryCode: text('country_code'),
    deviceType: text('device_type'),
    os: text('os'),
    browser: text('browser'),
    isBot: integer('is_bot', { mode: 'boolean' }).notNull().default(false),
    source: text('source', { enum: ['link', 'qr'] }).notNull().default('link'),
    visitorHash: text('visitor_hash'),
  },
  // By UTC day, then link: the flusher's inserts all land in today's part of
  // the index, which stays in the page cache however long the history grows
  // (keyed by link first, every click dirtied a random page of an index the
  // size of the whole history: ~3 µs a click at 400k clicks, ~35 µs at 7M).
  // Erasing a link's clicks is one range per day it may have been clicked. Link
  // rows are never removed (deletion is soft), so the foreign key needs no
  // index starting with link_id. No report reads these rows: past CLICK_RETENTION_DAYS the click
  // writer deletes them through this index too, oldest days first (click-retention.repo.ts).
  (t) => [index('clicks_day_link_idx').on(sql`(${t.clickedAt} / 86400000)`, t.linkId)],
);

/** one row per (link, visitor): the first insert of a visitor marks a unique click */
export const linkVisitors = sqliteTable(
  'link_visitors',
  {
    linkId: integer('link_id').notNull().references(() => links.id, { onDelete: 'cascade' }),
    visitorHash: text('visitor_hash').notNull(),
  },
  (t) => [primaryKey({ columns: [t.linkId, t.visitorHash] })],
);

/**
 * Daily rollups, written by the click flusher so analytics never scan raw
 * clicks. dim is one of total|unique|bots|country|device|os|browser|referrer|source;
 * value is '' for total, unique and bots.
 *
 * The table is its primary key (WITHOUT ROWID, added by hand to migration
 * 0002: drizzle cannot declare it), ordered (link, dim, value, day): a
 * per-day series (value '') is one contiguous range, and a breakdown over any
 * range reads its rows already grouped by value, so no secondary index is
 * needed. Rows are made from click_profiles (below) once their day is over,
 * or sooner for a link with many profiles, in one set-based statement.
 */
/**
 * The current day's clicks, one row per link, day and profile (the click's
 * country, device, OS, browser, referrer and source; bots as one profile),
 * counted. The flusher upserts one row per distinct profile of a batch, where
 * per-dimension rollups would take eight rows for a link's first click of a
 * day (raw, visitor, profile and counter rows: ~16 µs a click against ~43 µs
 * with random links). Once a day is over — or once a link has 1,000 profile
 * rows — the flusher folds them into click_rollups and deletes them,
 * a chunk of links at a time (click-upkeep.ts), each chunk's fold and delete in
 * one transaction; reports read both, so when that happens never changes an
 * answer. Values are '' where unknown, as in click_rollups. WITHOUT ROWID by
 * hand (migration 0004).
 */
export const clickProfiles = sqliteTable(
  'click_profiles',
  {
    linkId: integer('link_id').notNull().references(() => links.id, { onDelete: 'cascade' }),
    day: text('day').notNull(),
    isBot: integer('is_bot').notNull(),
    country: text('country').notNull(),
    device: text('device').notNull(),
    os: text('os').notNull(),
    browser: text('browser').notNull(),
    referrer: text('referrer').notNull(),
    source: text('source').notNull(),
    clicks: integer('clicks').notNull(),
    uniques: integer('uniques').notNull(),
  },
  (t) => [primaryKey({ columns: [t.linkId, t.day, t.isBot, t.country, t.device, t.os, t.browser, t.referrer, t.source] })],
);

export const clickRollups = sqliteTable(
  'click_rollups',
  {
    linkId: integer('link_id').notNull().references(() => links.id, { onDelete: 'cascade' }),
    day: text('day').notNull(),
    dim: text('dim').notNull(),
    value: text('value').notNull(),
    clicks: integer('clicks').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.linkId, t.dim, t.value, t.day] })],
);

export const qrCodes = sqliteTable(
  'qr_codes',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    userId: integer('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
    linkId: integer('link_id').references(() => links.id, { onDelete: 'set null' }),
    name: text('name').notNull(),
    type: text('type', { enum: ['url', 'text', 'email', 'sms', 'phone'] }).notNull(),
    content: text('content').notNull(),
    foregroundColor: text('foreground_color').notNull().default('#000000'),
    backgroundColor: text('background_color').notNull().default('#FFFFFF'),
    margin: integer('margin').notNull().default(4),
    size: integer('size').notNull().default(300),
    errorCorrection: text('error_correction', { enum: ['L', 'M', 'Q', 'H'] }).notNull().default('M'),
    createdAt: integer('created_at').notNull().default(now),
    updatedAt: integer('updated_at').notNull().default(now),
  },
  // by link: the click writer asks whether a scan's link still has a QR code (a deleted one stops scan tracking)
  (t) => [index('qr_codes_user_idx').on(t.userId, t.createdAt), index('qr_codes_link_idx').on(t.linkId)],
);
