/**
 * Reads over all of one account's links, at scale: the plan quota's count of
 * live links (every create of a plan with a link limit), ShrtLnk's duplicate
 * lookup (every ShrtLnk create: the same request from the same integrator
 * label gets its existing link back), and an admin's dashboard page of every
 * user's links, newest first. An integrator that shortens one landing page
 * for each of its end users makes the worst case of the first two: one
 * account holding --links links to a single destination, each under its own
 * user_id label, one in seven deleted.
 *
 *   bun run bench:account [--links 200000] [--calls 50] [--repeat 3] [--json] [--keep]
 *
 * The reads run through the links repository itself on two copies of that
 * database: as migrated (migrations 0008 and 0009 index live links by user,
 * the duplicate lookup's equalities and live links by creation time; 0010
 * keeps each user's count of live links in a row, 0011 the count of all live
 * links) and, as the baseline, with the indexes it had before (user and
 * creation time; destination and source), counting the rows for the quota
 * and for the admin page's total. Median over --repeat rounds of the mean of
 * --calls calls, alternating databases.
 * Target: each read at most 0.25x its baseline, and under 5 ms.
 * Also reported, without a target: a list page of that account sorted by
 * code, clicks and status, and a search, against its newest-first page.
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { benchArgs, whole } from './lib/args.ts';
import { DB_FILE } from '../src/db/client.ts';
import { createLinksRepo } from '../src/links/links.repo.ts';
import type { LinkSortColumn } from '../src/links/links.types.ts';
import { createReport, fixed, median, runBench, table } from './lib/report.ts';
import { openProjectDb } from './lib/seed.ts';
import { workDir } from './lib/servers.ts';

const { argv, values } = benchArgs({
  links: { type: 'string', default: '200000' },
  calls: { type: 'string', default: '50' },
  repeat: { type: 'string', default: '3' },
});
const LINKS = whole('links', values.links!);
const CALLS = whole('calls', values.calls!);
const REPEAT = whole('repeat', values.repeat!);
const DESTINATION = 'https://landing.example/welcome';
const BEFORE_INDEXES = `DROP INDEX links_user_live_idx; DROP INDEX links_live_created_idx; DROP INDEX links_dedupe_idx;
  CREATE INDEX links_dedupe_idx ON links (destination, source)`;

async function main(): Promise<number> {
  const report = createReport('account', { json: values.json!, argv });
  const dir = workDir(values.keep!);
  const current = join(dir, 'current');
  const baseline = join(dir, 'baseline');

  const seed = openProjectDb(current);
  const s = seed.sqlite;
  s.exec(`INSERT INTO plans (name, rate_limit_per_minute, max_links, api_access, custom_alias, password, expiry, qr_colors)
    VALUES ('integrator', 6000, ${LINKS * 2}, 1, 1, 1, 1, 1)`);
  s.exec(`INSERT INTO users (email, password_hash, plan_id) SELECT 'integrator@example.com', 'x', id FROM plans`);
  const userId = s.query<{ id: number }, []>('SELECT id FROM users').get()!.id;
  const insert = s.prepare<unknown, [string, number, number | null, number]>(
    `INSERT INTO links (code, destination, source, user_id, deleted_at, label_user_id) VALUES (?, '${DESTINATION}', 'shrtlnk', ?, ?, ?)`,
  );
  const started = performance.now();
  s.transaction(() => {
    for (let i = 0; i < LINKS; i++) insert.run(`acct${i.toString(36)}`, userId, i % 7 === 0 ? Date.now() : null, i);
  })();
  s.exec('ANALYZE');
  const live = s.query<{ n: number }, [number]>('SELECT count(*) AS n FROM links WHERE user_id = ? AND deleted_at IS NULL').get(userId)!.n;
  report.log(`seeded ${LINKS.toLocaleString('en')} links (${live.toLocaleString('en')} live) for one account in ${fixed((performance.now() - started) / 1000, 1)} s`);
  seed.close();
  mkdirSync(baseline, { recursive: true });
  copyFileSync(join(current, DB_FILE), join(baseline, DB_FILE));
  const old = openProjectDb(baseline);
  old.sqlite.exec(BEFORE_INDEXES);
  old.sqlite.exec('ANALYZE');
  const dbs = { current: openProjectDb(current), baseline: old };
  const repos = { current: createLinksRepo(dbs.current.db), baseline: createLinksRepo(dbs.baseline.db) };

  // the counts as the repository made them before migrations 0010 and 0011 kept them in rows of their own
  const countedRows = dbs.baseline.sqlite.prepare<{ n: number }, [number]>('SELECT count(*) AS n FROM links WHERE user_id = ? AND deleted_at IS NULL');
  const countedAll = dbs.baseline.sqlite.prepare<{ n: number }, []>('SELECT count(*) AS n FROM links WHERE deleted_at IS NULL');
  // a label no link has: the lookup must look at every candidate to say there is none
  const reads = {
    'quota count': (repo: ReturnType<typeof createLinksRepo>) => (repo === repos.baseline ? countedRows.get(userId)!.n : repo.countLiveForUser(userId)),
    'ShrtLnk duplicate lookup': (repo: ReturnType<typeof createLinksRepo>) =>
      repo.findDuplicate({ destination: DESTINATION, source: 'shrtlnk', redirectMode: '302', ownerId: userId, labelUserId: LINKS + 1, labelUserAgent: null }),
    "an admin's page of every user's links": (repo: ReturnType<typeof createLinksRepo>) => {
      if (repo === repos.baseline) countedAll.get(); // its total, as it was read before 0011
      return repo.list({ ownerId: null, sort: 'created_at', direction: 'desc', limit: 20, offset: 0, now: Date.now() });
    },
  };
  const samples: Record<string, Record<'current' | 'baseline', number[]>> = {};
  for (let round = 0; round < REPEAT; round++) {
    for (const [name, read] of Object.entries(reads)) {
      samples[name] ??= { current: [], baseline: [] };
      const order = round % 2 ? (['baseline', 'current'] as const) : (['current', 'baseline'] as const);
      for (const which of order) {
        await read(repos[which]); // warm the page cache and the prepared statement
        const t0 = performance.now();
        for (let i = 0; i < CALLS; i++) await read(repos[which]);
        samples[name]![which].push((performance.now() - t0) / CALLS);
      }
    }
  }
  const rows = Object.entries(samples).map(([name, s]) => {
    const now = median(s.current);
    const before = median(s.baseline);
    report.set(name, { ms: now, baselineMs: before, ratio: now / before });
    report.check(name, now <= 0.25 * before && now < 5, '<= 0.25x baseline and < 5 ms', `${fixed(now)} ms, ${fixed(now / before)}x (${fixed(before)} ms before 0008-0011)`);
    return [name, fixed(now), fixed(before), `${fixed(now / before)}x`];
  });
  report.log(table(['read (ms per call)', 'current', 'before 0008-0011', 'ratio'], rows));

  // Reported, no target: a list page of the same account by each kind of sort, against the
  // newest-first page (the dashboard's default, ordered by an index) measured in the same run.
  const page = (sort: LinkSortColumn, search?: string) => () => repos.current.list({ ownerId: userId, sort, direction: 'desc', limit: 20, offset: 0, now: Date.now(), search });
  const pages: [string, () => Promise<unknown>][] = [
    ['newest first (baseline)', page('created_at')],
    ['by code', page('code')],
    ['by clicks', page('total_clicks')],
    ['by status', page('is_active')],
    ['a search matching none', page('created_at', 'no-such-term')],
  ];
  const pageRows = [];
  let first = NaN;
  for (const [name, read] of pages) {
    const ms: number[] = [];
    for (let round = 0; round < REPEAT; round++) {
      await read();
      const t0 = performance.now();
      for (let i = 0; i < 5; i++) await read();
      ms.push((performance.now() - t0) / 5);
    }
    const m = median(ms);
    first = Number.isNaN(first) ? m : first;
    report.set(`list page ${name}`, { ms: m, ratio: m / first });
    pageRows.push([name, fixed(m, 1), `${fixed(m / first, 1)}x`]);
  }
  report.log(table(['list page of 20 (ms)', 'ms', 'x newest first'], pageRows));
  dbs.current.close();
  dbs.baseline.close();
  return report.finish();
}

await runBench(main);
