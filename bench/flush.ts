/**
 * The click flush as history grows: what one batch of clicks costs the flush
 * worker per click on a fresh database and on one holding a year of clicks.
 * An appliance runs for years; if writing today's clicks got dearer with
 * every click already stored, the flusher would fall behind the redirects on
 * the same two cores (bench:redirect's random scenario already spends half
 * its CPU on recording clicks).
 *
 *   bun run bench:flush [--links 100000] [--history 5000000] [--batch 10000] [--batches 8] [--json] [--keep]
 *
 * Three databases, each with --links links (bench/lib/seed.ts):
 *   fresh        no clicks yet
 *   a year       --history raw clicks over the last 365 days, appended in
 *                time order as the flusher writes them, over random links,
 *                with one visitor row per five clicks
 *   a year, link-first index (before migration 0005, the baseline)
 *                the same history with raw clicks indexed by (link, time),
 *                as they were before: every click of a batch dirtied a random
 *                page of an index as large as the whole history
 * Each then takes --batches batches of --batch clicks (the most the recorder
 * writes in one transaction, its maxBatch; bench:redirect's random load fills
 * one to two of them a second) through the flush
 * worker's own writer (batch-writer.ts: unpack, enrich, one transaction), on
 * a connection opened as the worker opens it: the same batch to each
 * database in turn, the first one rotating. Clicks go to random links
 * among all of them, from 2,000 visitors with a few browsers. The first
 * batch warms the caches and is not counted; medians of the rest, CPU
 * (process.cpuUsage) and wall time per click.
 * Target: with a year of history, at most 0.75x the CPU per click of the
 * link-first index in the same run. The fresh database is reported beside
 * them: what still grows with history is link_visitors (knowing whether a
 * (link, visitor) pair is new means finding it among all of the link's
 * visitors so far), so the cost is not flat; it no longer grows with every
 * click stored.
 */
import { Database } from 'bun:sqlite';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { benchArgs, whole } from './lib/args.ts';
import { createBatchWriter } from '../src/clicks/batch-writer.ts';
import { packChunks } from '../src/clicks/click-batch.ts';
import { createClicksRepo } from '../src/clicks/clicks.repo.ts';
import { createEnricher } from '../src/clicks/visitor.ts';
import { DB_FILE, FLUSHER_OPTIONS, openDatabase } from '../src/db/client.ts';
import { createReport, fixed, median, runBench, table } from './lib/report.ts';
import { DAY_MS, insertLinks, openProjectDb, prng } from './lib/seed.ts';
import { workDir } from './lib/servers.ts';

const { argv, values } = benchArgs({
  links: { type: 'string', default: '100000' },
  history: { type: 'string', default: '5000000' },
  batch: { type: 'string', default: '10000' },
  batches: { type: 'string', default: '8' },
});
const LINKS = whole('links', values.links!);
const HISTORY = whole('history', values.history!);
const BATCH = whole('batch', values.batch!);
const BATCHES = whole('batches', values.batches!, 2);

const report = createReport('flush', { json: values.json!, argv });
const log = report.log;

const BROWSERS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15',
];

/** --history raw clicks over the last year in time order, to random links; a visitor row per five. */
function insertHistory(sqlite: Database, firstId: number): number {
  const started = performance.now();
  const now = Date.now();
  const span = 365 * DAY_MS;
  sqlite.exec('PRAGMA synchronous = OFF');
  // in SQL: ~10x faster than binding rows one by one; random() is SQLite's, so the links differ run to run
  sqlite
    .query(
      `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ?1 - 1)
       INSERT INTO clicks (link_id, clicked_at, referrer_domain, country_code, device_type, os, browser, is_bot, source, visitor_hash)
       SELECT ?2 + abs(random() % ?3), ?4 - ?5 + i * ?5 / ?1, 'google.com', 'US', 'desktop', 'Windows', 'Chrome', 0, 'link', printf('h%021d', abs(random() % 1000000)) FROM n`,
    )
    .run(HISTORY, firstId, LINKS, now, span);
  sqlite
    .query(
      `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ?1 - 1)
       INSERT OR IGNORE INTO link_visitors (link_id, visitor_hash) SELECT ?2 + abs(random() % ?3), printf('h%021d', abs(random() % 1000000)) FROM n`,
    )
    .run(Math.floor(HISTORY / 5), firstId, LINKS);
  sqlite.exec('PRAGMA synchronous = NORMAL');
  sqlite.exec('PRAGMA wal_checkpoint(TRUNCATE)');
  return (performance.now() - started) / 1000;
}

interface Measured {
  cpuUs: number;
  wallUs: number;
  runs: number[];
}

/** One batch of BATCH clicks as the recorder hands it over: random links, 2,000 visitors. */
function makeBatch(rand: () => number, firstId: number): Uint8Array[] {
  const at = Date.now();
  return packChunks(
    Array.from({ length: BATCH }, () => {
      const visitor = Math.floor(rand() * 2000);
      return { linkId: firstId + Math.floor(rand() * LINKS), at, ip: `198.51.${visitor >> 8}.${visitor & 255}`, userAgent: BROWSERS[visitor % BROWSERS.length]!, referrer: null, source: 'link' as const };
    }),
  );
}

/**
 * Writes BATCHES batches into every database through the flush worker's writer,
 * the same batch to each in turn (who goes first rotates), so that the
 * machine's drift falls on all of them; µs per click, medians, first batch left out.
 */
async function measure(dirs: string[], firstId: number): Promise<Measured[]> {
  const writers = dirs.map((dir) => {
    const handle = openDatabase(dir, FLUSHER_OPTIONS);
    const write = createBatchWriter(createClicksRepo(handle.sqlite), createEnricher({ secret: 'bench', country: () => 'US' }));
    return { handle, write, cpu: [] as number[], wall: [] as number[] };
  });
  const rand = prng(7);
  for (let b = 0; b < BATCHES; b++) {
    const chunks = makeBatch(rand, firstId);
    for (let k = 0; k < writers.length; k++) {
      const w = writers[(b + k) % writers.length]!;
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      await w.write(chunks);
      const c = process.cpuUsage(c0);
      if (b === 0) continue;
      w.wall.push(((performance.now() - t0) * 1000) / BATCH);
      w.cpu.push((c.user + c.system) / BATCH);
    }
  }
  return writers.map((w) => {
    w.handle.close();
    return { cpuUs: median(w.cpu), wallUs: median(w.wall), runs: w.cpu };
  });
}

async function main(): Promise<number> {
  const work = workDir(values.keep!);
  const fresh = join(work, 'fresh');
  const h = openProjectDb(fresh);
  const { firstId } = insertLinks(h.sqlite, { count: LINKS, userId: null });
  h.close();

  const year = join(work, 'year');
  mkdirSync(year);
  copyFileSync(join(fresh, DB_FILE), join(year, DB_FILE));
  const y = new Database(join(year, DB_FILE));
  const seeded = insertHistory(y, firstId);
  y.close();
  const before = join(work, 'before');
  mkdirSync(before);
  copyFileSync(join(year, DB_FILE), join(before, DB_FILE));
  const b = new Database(join(before, DB_FILE));
  b.exec('DROP INDEX clicks_day_link_idx; CREATE INDEX clicks_link_time_idx ON clicks (link_id, clicked_at)');
  b.exec('PRAGMA wal_checkpoint(TRUNCATE)');
  b.close();
  log(`flush benchmark: ${LINKS.toLocaleString('en')} links; ${HISTORY.toLocaleString('en')} clicks of history seeded in ${fixed(seeded, 1)} s; ${BATCHES} batches of ${BATCH.toLocaleString('en')} clicks each`);

  const cases = [
    ['fresh database', fresh],
    ['a year of history', year],
    ['a year of history, link-first index (before 0005)', before],
  ] as const;
  const measured = await measure(cases.map(([, dir]) => dir), firstId);
  const results: Record<string, Measured> = Object.fromEntries(cases.map(([name], i) => [name, measured[i]!]));

  const base = results['fresh database']!;
  log(
    table(
      ['database', 'CPU µs/click', 'wall µs/click', 'vs fresh', 'CPU per batch (µs/click)'],
      cases.map(([name]) => {
        const r = results[name]!;
        return [name, fixed(r.cpuUs, 1), fixed(r.wallUs, 1), `${fixed(r.cpuUs / base.cpuUs, 2)}x`, r.runs.map((x) => fixed(x, 1)).join(' ')];
      }),
    ),
  );
  const year1 = results['a year of history']!;
  const old = results[cases[2][0]]!;
  report.check(
    'flush cost with a year of history, against the link-first index of before',
    year1.cpuUs <= 0.75 * old.cpuUs,
    '<= 0.75x',
    `${fixed(year1.cpuUs / old.cpuUs, 2)}x: ${fixed(year1.cpuUs, 1)} against ${fixed(old.cpuUs, 1)} µs/click (fresh database ${fixed(base.cpuUs, 1)} µs/click)`,
  );
  report.set('flush', { links: LINKS, history: HISTORY, batch: BATCH, batches: BATCHES, seededSeconds: seeded, results });
  return report.finish();
}

await runBench(main);
