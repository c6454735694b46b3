/**
 * Builds benchmark databases quickly, always on a file made by the project's
 * own migrations (src/db/migrate.ts) and opened with its own PRAGMAs
 * (src/db/client.ts), so the server later opens exactly what it would have
 * made itself.
 *
 * - Accounts go through the real command line (src/cli.ts runCli, in-process:
 *   `user create`, `plan set`, `key create`), so plan limits are raised the way
 *   an operator would raise them.
 * - Links are written with one multi-row prepared INSERT per 500 rows, 50,000
 *   rows per transaction: the columns the links service fills for an API
 *   create without a title (code from the project's own generator, title and
 *   page title = host, source 'api', direct mode); everything else takes the
 *   schema's defaults.
 * - Click history goes through the flusher's own batch writer
 *   (src/clicks/clicks.repo.ts writeBatch, 5,000 clicks per transaction, in
 *   time order as the queue would hand them over), so raw rows, visitor rows,
 *   daily rollups and link counters are consistent by construction rather
 *   than by imitation. Clicks are already-enriched facts drawn from a seeded
 *   PRNG (reproducible): uniform over the last N days, 30 countries, 3
 *   devices, 5 OSes, 5 browsers, 12 referrers + direct, 10% QR scans, a pool
 *   of clicks/4 visitors.
 */
import type { Database } from 'bun:sqlite';
import { runCli } from '../../src/cli.ts';
import { createClicksRepo, dayOf } from '../../src/clicks/clicks.repo.ts';
import type { EnrichedClick } from '../../src/clicks/clicks.types.ts';
import { loadConfig } from '../../src/config.ts';
import { openDatabase, type DbHandle } from '../../src/db/client.ts';
import { migrate } from '../../src/db/migrate.ts';
import { createMultiRowWriter } from '../../src/db/multi-row.ts';
import { generateCode, isReservedCode } from '../../src/links/codes.ts';
import { buildServices } from '../../src/services.ts';

export const DAY_MS = 86_400_000;
export const BENCH_EMAIL = 'bench@example.com';
export const BENCH_PASSWORD = 'benchmark-password';

/**
 * bun:sqlite's close() leaves a connection with live prepared statements (the
 * repos keep theirs) open until the statements are garbage collected; its
 * final close then checkpoints under an exclusive lock, at a moment nobody
 * chose — possibly while the server under test is starting. A full GC after
 * closing makes that happen here and now.
 */
const settle = () => Bun.gc(true);

export function openProjectDb(dataDir: string): DbHandle {
  const handle = openDatabase(dataDir);
  migrate(handle.sqlite);
  return {
    ...handle,
    close: () => {
      handle.close();
      settle();
    },
  };
}

const quietIo = (sink: string[]) => ({ out: (l: string) => sink.push(l), err: (l: string) => sink.push(l) });

/** `shrinkray <args>` in-process (the same parser and services as the binary). */
export async function cli(dataDir: string, ...args: string[]): Promise<string[]> {
  const lines: string[] = [];
  const config = loadConfig({ DATA_DIR: dataDir, OG_FETCH: 'false', LOG_LEVEL: 'silent' });
  const code = await runCli(args, config, quietIo(lines));
  settle();
  if (code !== 0) throw new Error(`shrinkray ${args.join(' ')} failed (${code}): ${lines.join('\n')}`);
  return lines;
}

/**
 * A user on `plan` whose limits are raised past anything a benchmark does
 * (per-key rate limit, link quota), and an API key for it.
 */
export async function benchAccount(dataDir: string, plan = 'pro'): Promise<{ key: string; userId: number }> {
  await cli(dataDir, 'plan', 'set', plan, '--rate-limit', '999999999', '--max-links', 'unlimited');
  const created = await cli(dataDir, 'user', 'create', '--email', BENCH_EMAIL, '--password', BENCH_PASSWORD, '--plan', plan);
  const userId = Number(/id (\d+)/.exec(created.join('\n'))?.[1]);
  const key = (await cli(dataDir, 'key', 'create', '--email', BENCH_EMAIL, '--name', 'bench')).at(-1)!;
  return { key, userId };
}

/** A dashboard session cookie for the bench user, through the real sign-in service. */
export async function benchSession(dataDir: string): Promise<string> {
  const handle = openProjectDb(dataDir);
  try {
    const services = await buildServices(loadConfig({ DATA_DIR: dataDir, OG_FETCH: 'false' }), handle);
    const { token } = await services.sessions.login(BENCH_EMAIL, BENCH_PASSWORD);
    await services.shutdown();
    return `shrinkray_session=${token}`;
  } finally {
    handle.close();
  }
}

/** mulberry32: a tiny seeded PRNG, so two runs build the same database. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const LINK_COLUMNS = '(code, destination, title, page_title, user_id, source, created_at, updated_at)';
const LINK_ROWS_PER_INSERT = 500;

export interface InsertedLinks {
  firstId: number;
  codes: string[];
  destinations: string[];
}

/**
 * Inserts `count` links owned by userId, created over the last `spreadDays`
 * days (oldest first). Returns the codes in id order (ids are consecutive
 * from firstId).
 */
export function insertLinks(sqlite: Database, opts: { count: number; userId: number | null; spreadDays?: number; now?: number; host?: string }): InsertedLinks {
  const now = opts.now ?? Date.now();
  const spread = (opts.spreadDays ?? 30) * DAY_MS;
  const host = opts.host ?? 'example.com';
  const seen = new Set<string>(sqlite.query<{ code: string }, []>('SELECT code FROM links').all().map((r) => r.code));
  const codes: string[] = [];
  const destinations: string[] = [];
  while (codes.length < opts.count) {
    const code = generateCode();
    if (seen.has(code) || isReservedCode(code)) continue;
    seen.add(code);
    codes.push(code);
  }
  // In code order every index of links (code, destination + source, user + created_at)
  // grows at its right edge instead of splitting random pages: 1M links in seconds, not minutes.
  codes.sort();
  for (const code of codes) destinations.push(`https://${host}/bench/${code}`);
  const insert = createMultiRowWriter<number>(
    sqlite,
    (values) => `INSERT INTO links ${LINK_COLUMNS} VALUES ${values}`,
    8,
    (i, params, at) => {
      const stamp = Math.round(now - spread + (spread * i) / opts.count);
      params[at] = codes[i]!;
      params[at + 1] = destinations[i]!;
      params[at + 2] = host;
      params[at + 3] = host;
      params[at + 4] = opts.userId;
      params[at + 5] = 'api';
      params[at + 6] = stamp;
      params[at + 7] = stamp;
    },
    LINK_ROWS_PER_INSERT,
  );
  const before = sqlite.query<{ id: number | null }, []>('SELECT max(id) AS id FROM links').get()?.id ?? 0;
  const chunk = sqlite.transaction((from: number, to: number) => insert(Array.from({ length: to - from }, (_, k) => from + k)));
  // the seeding connection alone may skip fsyncs: a crash here just means rebuilding the file
  sqlite.exec('PRAGMA synchronous = OFF');
  for (let from = 0; from < opts.count; from += 50_000) chunk(from, Math.min(opts.count, from + 50_000));
  sqlite.exec('PRAGMA synchronous = NORMAL');
  return { firstId: before + 1, codes, destinations };
}

const COUNTRIES = 'US DE GB FR IN BR CA JP NL ES IT PL SE AU MX KR RU TR ID AR CH BE AT NO DK FI IE PT CZ ZA'.split(' ');
const DEVICES = ['desktop', 'mobile', 'tablet'] as const;
const OSES = ['Windows', 'Mac OS', 'Linux', 'iOS', 'Android'];
const BROWSERS = ['Chrome', 'Firefox', 'Safari', 'Edge', 'Mobile Safari'];
const REFERRERS = [null, 'google.com', 't.co', 'facebook.com', 'news.ycombinator.com', 'reddit.com', 'linkedin.com', 'bing.com', 'duckduckgo.com', 'github.com', 'youtube.com', 'instagram.com', 'mail.google.com'];

/** Zipf-ish pick: earlier entries are more frequent, like real traffic. */
const pick = <T>(rand: () => number, xs: readonly T[]): T => xs[Math.floor(xs.length * rand() * rand())]!;

/**
 * Writes `clicks` human clicks for one link over the last `days` days through
 * the flusher's batch writer. Returns the seconds it took.
 */
export async function insertClickHistory(handle: DbHandle, opts: { linkId: number; clicks: number; days: number; now?: number; seed?: number }): Promise<number> {
  const started = performance.now();
  const rand = prng(opts.seed ?? opts.linkId);
  const now = opts.now ?? Date.now();
  const span = opts.days * DAY_MS;
  const times = new Float64Array(opts.clicks);
  for (let i = 0; i < times.length; i++) times[i] = Math.floor(now - span + rand() * span);
  times.sort();
  const visitors = Math.max(1, Math.floor(opts.clicks / 4));
  const repo = createClicksRepo(handle.sqlite);
  const BATCH = 5000;
  for (let from = 0; from < times.length; from += BATCH) {
    const batch: EnrichedClick[] = [];
    for (let i = from; i < Math.min(times.length, from + BATCH); i++) {
      batch.push({
        linkId: opts.linkId,
        at: times[i]!,
        referrerDomain: pick(rand, REFERRERS),
        countryCode: pick(rand, COUNTRIES),
        deviceType: pick(rand, DEVICES),
        os: pick(rand, OSES),
        browser: pick(rand, BROWSERS),
        isBot: false,
        source: rand() < 0.1 ? 'qr' : 'link',
        visitorHash: `v${Math.floor(rand() * visitors).toString(36).padStart(21, '0')}`,
      });
    }
    await repo.writeBatch(batch);
    // past days into the rollups after each batch, as the flusher's upkeep does (click-upkeep.ts)
    await repo.foldDaysBefore(dayOf(Date.now()));
  }
  return (performance.now() - started) / 1000;
}
