/**
 * Analytics at scale (issue 5, item 3): a database of --links links (1M) in
 * which one link holds --clicks clicks (1M) spread over 365 days, plus links
 * of 10k and 100k clicks to show how the cost grows; then the compiled server
 * on it, and the latency of the analytics reads, one request at a time.
 *
 *   bun run bench:analytics [--links 1000000] [--clicks 1000000] [--seconds 1] [--repeat 2]
 *                           [--db DIR] [--binary PATH] [--json] [--keep]
 *
 * The database (bench/lib/seed.ts): migrations and PRAGMAs of the project;
 * links by multi-row prepared INSERTs; each click history through the
 * flusher's own batch writer (clicks.repo.ts writeBatch, 5,000 clicks per
 * transaction, in time order), so raw clicks, visitor rows, daily rollups and
 * link counters are what the server would have written itself. --db DIR keeps
 * the built database in DIR and reuses it when it is already there (building
 * takes ~20 s of the run).
 *
 * Measured with wrk, one connection (sequential requests; loopback latency is
 * then server time plus ~0.1 ms), --repeat runs of --seconds each, medians:
 *   GET /healthz                                  the framework's floor (baseline)
 *   GET /api/v1/links/{id}/analytics              native, whole history (key)
 *   GET /api/v1/stats/{code}                      LinkShrink, whole history (owner's key)
 *   GET /dashboard/links/{id}/analytics           default 30 days, and ?from=&to= a full
 *                                                 year (session cookie from the real sign-in)
 * for the 10k, 100k and 1M links, with server CPU ms per request.
 * EXPLAIN QUERY PLAN of every report query (captured from src/clicks/reports
 * as they are prepared) must show index searches, never a scan.
 * Targets: native and LinkShrink p50 <= 20 ms; dashboard page p50 <= 50 ms;
 * 1M/10k p50 ratio reported (flat is the design goal; it is not a target).
 */
import { Database } from 'bun:sqlite';
import { cpSync, existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { benchArgs, whole } from './lib/args.ts';
import { createBreakdownReport } from '../src/clicks/reports/breakdown.ts';
import { createClicksByDayReport } from '../src/clicks/reports/clicks-by-day.ts';
import type { Db } from '../src/db/client.ts';
import { cleanEnv, startServer, type ServerProcess } from '../test/helpers/binary.ts';
import { cpuMeter } from './lib/proc.ts';
import { createReport, fixed, median, runBench, table } from './lib/report.ts';
import { benchAccount, benchSession, DAY_MS, insertClickHistory, insertLinks, openProjectDb } from './lib/seed.ts';
import { buildBinary, children, workDir } from './lib/servers.ts';
import { GET_SCRIPT, runWrk, wrkAvailable } from './lib/wrk.ts';

const { argv, values } = benchArgs({
  links: { type: 'string', default: '1000000' },
  clicks: { type: 'string', default: '1000000' },
  seconds: { type: 'string', default: '1' },
  // 2 keeps the default run under a minute (the database build alone takes ~20 s); use 3 for the record
  repeat: { type: 'string', default: '2' },
  db: { type: 'string' },
});
const LINKS = whole('links', values.links!);
const CLICKS = whole('clicks', values.clicks!, 10_000);
const SECONDS = whole('seconds', values.seconds!);
const REPEAT = whole('repeat', values.repeat!);
const wrkVersion = wrkAvailable();
if (!wrkVersion) throw new Error('wrk not found (apt-get install wrk)');
const SIZES = [...new Set([10_000, 100_000, CLICKS])].filter((n) => n <= CLICKS).sort((a, b) => a - b);

const report = createReport('analytics', { json: values.json!, argv });
const log = report.log;

interface Built {
  key: string;
  cookie: string;
  /** clicks → link id and code */
  links: Record<number, { id: number; code: string }>;
  seconds: number;
}

/** Builds (or reuses) the database; returns what the requests need. */
async function build(dataDir: string): Promise<Built> {
  const manifest = join(dataDir, 'bench-analytics.json');
  if (existsSync(manifest)) {
    const m = (await Bun.file(manifest).json()) as Built & { linksTotal: number; clicks: number };
    if (m.linksTotal === LINKS && m.clicks === CLICKS) return { ...m, seconds: 0 };
    throw new Error(`${dataDir} holds a database built with --links ${m.linksTotal} --clicks ${m.clicks}; use another --db`);
  }
  const started = performance.now();
  const { key, userId } = await benchAccount(dataDir, 'pro');
  const handle = openProjectDb(dataDir);
  const now = Date.now();
  // the measured links, created 366 days ago so their whole history is in range, then the rest
  const links: Built['links'] = {};
  for (const clicks of SIZES) {
    const one = insertLinks(handle.sqlite, { count: 1, userId, spreadDays: 366, now, host: 'stats.example.com' });
    links[clicks] = { id: one.firstId, code: one.codes[0]! };
  }
  const t = performance.now();
  insertLinks(handle.sqlite, { count: LINKS - SIZES.length, userId });
  log(`  ${LINKS - SIZES.length} links in ${fixed((performance.now() - t) / 1000, 1)} s`);
  for (const clicks of SIZES) {
    const s = await insertClickHistory(handle, { linkId: links[clicks]!.id, clicks, days: 365, now });
    log(`  ${clicks} clicks for link ${links[clicks]!.id} written through the flusher's batch writer in ${fixed(s, 1)} s`);
  }
  handle.close();
  const cookie = await benchSession(dataDir);
  const built = { key, cookie, links, seconds: (performance.now() - started) / 1000 };
  await Bun.write(manifest, JSON.stringify({ ...built, linksTotal: LINKS, clicks: CLICKS }));
  return built;
}

/** Every report query as src/clicks/reports prepares it, captured rather than copied. */
function reportQueries(sqlite: Database): string[] {
  const captured: string[] = [];
  const spy = { $client: { prepare: (sql: string) => (captured.push(sql), sqlite.prepare(sql)) } } as unknown as Db;
  createBreakdownReport(spy);
  createClicksByDayReport(spy);
  return captured;
}

async function main(): Promise<number> {
  const work = workDir(values.keep!);
  const bin = buildBinary(work, values.binary);
  const dataDir = values.db ? resolve(values.db) : join(work, 'data');
  mkdirSync(dataDir, { recursive: true });
  log(`analytics benchmark: compiled binary ${bin}; database ${dataDir}`);
  const built = await build(dataDir);
  log(built.seconds ? `built ${LINKS} links and ${SIZES.join(' + ')} clicks in ${fixed(built.seconds, 1)} s` : `reusing the database in ${dataDir}`);

  // a reused database must not be changed by the run: serve a copy of it
  const serveDir = values.db ? join(work, 'serve') : dataDir;
  if (values.db) cpSync(dataDir, serveDir, { recursive: true });

  const server: ServerProcess = await startServer([bin, 'serve'], { cwd: work, env: cleanEnv({ DATA_DIR: serveDir, PORT: '0', LOG_LEVEL: 'warn' }) });
  children.add(server.proc);

  // after the server started: it has applied its own migrations (indexes included) to this file
  const ro = new Database(join(serveDir, 'shrinkray.db'), { readonly: true });
  const counts = ro.query<{ links: number; clicks: number; rollups: number }, []>(
    'SELECT (SELECT count(*) FROM links) AS links, (SELECT count(*) FROM clicks) AS clicks, (SELECT count(*) FROM click_rollups) + (SELECT count(*) FROM click_profiles) AS rollups',
  ).get()!;
  log(`database: ${counts.links} links, ${counts.clicks} click rows, ${counts.rollups} rollup and profile rows`);
  const today = new Date().toISOString().slice(0, 10);
  const yearAgo = new Date(Date.now() - 364 * DAY_MS).toISOString().slice(0, 10);
  const biggest = built.links[CLICKS]!.id;
  const plans: { sql: string; plan: string[] }[] = [];
  for (const sql of reportQueries(ro)) {
    // rollup queries take (link, dim, from, to), the breakdown's (link, dim, value after, from, to);
    // the current day's profile queries (link, from, to)
    const marks = (sql.match(/\?/g) ?? []).length;
    const params = marks === 3 ? [biggest, yearAgo, today] : marks === 5 ? [biggest, 'country', '', yearAgo, today] : [biggest, sql.includes('GROUP BY value') ? 'country' : 'total', yearAgo, today];
    plans.push({ sql: sql.replace(/\s+/g, ' ').trim(), plan: ro.query<{ detail: string }, typeof params>(`EXPLAIN QUERY PLAN ${sql}`).all(...params).map((r) => r.detail) });
  }
  ro.close();
  log('\nEXPLAIN QUERY PLAN of the report queries:');
  for (const p of plans) log(`  ${p.sql.slice(0, 110)}…\n    ${p.plan.join('\n    ')}`);
  const scans = plans.filter((p) => p.plan.some((d) => /^SCAN (click_rollups|click_profiles|clicks|links)\b/.test(d)));
  report.check('report queries use an index', scans.length === 0, 'no SCAN of clicks, click_rollups or links', scans.length ? `${scans.length} scanning: ${scans.map((s) => s.plan.join('; ')).join(' | ')}` : `${plans.length} queries, all SEARCH … USING INDEX`);


  const bearer = `Authorization: Bearer ${built.key}`;
  const cookie = `Cookie: ${built.cookie}`;
  const endpoints: { name: string; path: (l: { id: number; code: string }) => string; headers: string; perSize: boolean; target?: number }[] = [
    { name: 'GET /healthz (floor)', path: () => '/healthz', headers: '', perSize: false },
    { name: 'native analytics', path: (l) => `/api/v1/links/${l.id}/analytics`, headers: bearer, perSize: true, target: 20 },
    { name: 'LinkShrink stats', path: (l) => `/api/v1/stats/${l.code}`, headers: bearer, perSize: true, target: 20 },
    { name: 'dashboard page, 30 days', path: (l) => `/dashboard/links/${l.id}/analytics`, headers: cookie, perSize: true, target: 50 },
    { name: 'dashboard page, 365 days', path: (l) => `/dashboard/links/${l.id}/analytics?from=${yearAgo}&to=${today}`, headers: cookie, perSize: true, target: 50 },
  ];

  // check every answer once before timing it: a 401 or a 404 page must not pass as a fast number
  for (const e of endpoints) {
    for (const size of e.perSize ? SIZES : [SIZES[0]!]) {
      const url = `${server.base}${e.path(built.links[size]!)}`;
      const headers = Object.fromEntries(e.headers ? [e.headers.split(': ') as [string, string]] : []);
      const res = await fetch(url, { headers, redirect: 'manual' });
      const body = await res.text();
      if (res.status !== 200) throw new Error(`${e.name}: GET ${url} answered ${res.status}: ${body.slice(0, 300)}`);
    }
  }

  log(`\n${REPEAT} x ${SECONDS} s per measurement, one connection (${wrkVersion}); ${navigator.hardwareConcurrency} CPUs shared with anything else running\n`);
  const rows: (string | number)[][] = [];
  const results: Record<string, Record<string, { p50Ms: number; p99Ms: number; rps: number; cpuMsPerRequest: number; runs: number[] }>> = {};
  for (const e of endpoints) {
    results[e.name] = {};
    for (const size of e.perSize ? SIZES : [0]) {
      const path = e.path(size ? built.links[size]! : built.links[SIZES[0]!]!);
      const runs: { p50: number; p99: number; rps: number; cpu: number }[] = [];
      for (let i = 0; i < REPEAT; i++) {
        const meter = cpuMeter(server.proc.pid);
        const r = await runWrk({ url: `${server.base}${path}`, script: GET_SCRIPT, env: { BENCH_HEADERS: e.headers }, connections: 1, threads: 1, seconds: SECONDS, workDir: work });
        const cpu = meter.stop().all;
        if (r.badStatus || r.socketErrors) throw new Error(`${e.name}: ${r.badStatus} bad statuses, ${r.socketErrors} socket errors`);
        runs.push({ p50: r.p50Ms, p99: r.p99Ms, rps: r.rps, cpu: (cpu * 1000) / Math.max(1, r.requests) });
      }
      const fig = {
        p50Ms: median(runs.map((r) => r.p50)),
        p99Ms: median(runs.map((r) => r.p99)),
        rps: median(runs.map((r) => r.rps)),
        cpuMsPerRequest: median(runs.map((r) => r.cpu)),
        runs: runs.map((r) => r.p50),
      };
      results[e.name]![size ? `${size}` : 'floor'] = fig;
      rows.push([`${e.name}${size ? ` · ${size.toLocaleString('en')} clicks` : ''}`, `${fixed(fig.p50Ms)} ms`, `${fixed(fig.p99Ms)} ms`, fixed(fig.rps, 0), `${fixed(fig.cpuMsPerRequest)} ms`]);
    }
  }
  log(table(['endpoint', 'p50', 'p99', 'req/s', 'CPU/req'], rows));

  const floor = results['GET /healthz (floor)']!.floor!.p50Ms;
  log(`\ngrowth with the click count (p50 at ${SIZES.map((s) => s.toLocaleString('en')).join(' → ')} clicks), and the ratio to the /healthz floor:`);
  for (const e of endpoints.filter((x) => x.perSize)) {
    const r = results[e.name]!;
    const small = r[`${SIZES[0]}`]!.p50Ms;
    const big = r[`${CLICKS}`]!.p50Ms;
    log(`  ${e.name.padEnd(26)} ${SIZES.map((s) => `${fixed(r[`${s}`]!.p50Ms)} ms`).join(' → ')}   1M/10k ${fixed(big / small)}x, ${fixed(big / floor, 1)}x the floor`);
    if (e.target) report.check(`${e.name} p50 at ${CLICKS.toLocaleString('en')} clicks`, big <= e.target, `<= ${e.target} ms`, `${fixed(big)} ms (p99 ${fixed(r[`${CLICKS}`]!.p99Ms)} ms; ${fixed(small)} ms at ${SIZES[0]!.toLocaleString('en')})`);
  }
  await server.stop('SIGTERM', 30_000);
  children.delete(server.proc);

  report.set('config', { links: LINKS, clicks: SIZES, seconds: SECONDS, repeat: REPEAT, generator: wrkVersion, buildSeconds: built.seconds });
  report.set('database', counts);
  report.set('queryPlans', plans);
  report.set('endpoints', results);
  return report.finish();
}

await runBench(main);
