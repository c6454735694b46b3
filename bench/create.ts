/**
 * Link-creation benchmark (issue 5, item 2): the compiled binary's create
 * routes under wrk, against a bare Bun.serve + bun:sqlite baseline doing the
 * least a shortener must (parse, generate a code, INSERT, answer;
 * bench/lib/bare-create.ts), in the same run.
 *
 *   bun run bench:create [--seconds 2] [--warmup 1] [--repeat 3] [--connections 16]
 *                        [--existing 100000] [--modes native,linkshrink,lnkz]
 *                        [--binary PATH] [--json] [--keep]
 *
 * Modes, all with one API key of a pro user whose per-key rate limit and link
 * quota were lifted with `shrinkray plan set`:
 *   native      POST /api/v1/links {original_url}            one link a request
 *   linkshrink  POST /api/v1/shorten/bulk {urls: [50 URLs]}   (the key's plan
 *               limit applies instead of the 5/min per-IP budget)
 *   lnkz        POST /api/v1/urls/bulk [100 × {url}]
 * Every request carries new URLs. OG_FETCH=false: the benchmark has no
 * network, and bulk creates fetch Open Graph metadata in the background
 * anyway. --existing links are seeded first, so inserts land in a table and
 * indexes of realistic size.
 *
 * Reported per mode: links/s (median of --repeat runs, from wrk's completed
 * requests × links per request), request p50/p99, server CPU µs per link (all
 * threads) and the ratio to the baseline. After SIGTERM the database must
 * hold at least the links wrk saw acknowledged (and at most those plus the
 * requests wrk abandoned in flight).
 * Target: >= 5,000 links/s through each bulk route.
 */
import { Database } from 'bun:sqlite';
import { join } from 'node:path';
import { benchArgs, whole } from './lib/args.ts';
import { cleanEnv, startServer, type ServerProcess } from '../test/helpers/binary.ts';
import type { LoadResult } from './lib/load-result.ts';
import { cpuMeter } from './lib/proc.ts';
import { createReport, fixed, median, runBench, table } from './lib/report.ts';
import { benchAccount, insertLinks, openProjectDb } from './lib/seed.ts';
import { buildBinary, children, startScript, workDir } from './lib/servers.ts';
import { postScript, runWrk, wrkAvailable } from './lib/wrk.ts';

const { argv, values } = benchArgs({
  seconds: { type: 'string', default: '2' },
  warmup: { type: 'string', default: '1' },
  repeat: { type: 'string', default: '3' },
  connections: { type: 'string', default: '16' },
  existing: { type: 'string', default: '100000' },
  modes: { type: 'string', default: 'native,linkshrink,lnkz' },
});
const SECONDS = whole('seconds', values.seconds!);
const WARMUP = whole('warmup', values.warmup!, 0);
const REPEAT = whole('repeat', values.repeat!);
const CONNECTIONS = whole('connections', values.connections!);
const EXISTING = whole('existing', values.existing!, 0);
const wrkVersion = wrkAvailable();
if (!wrkVersion) throw new Error('wrk not found (apt-get install wrk)');

interface Mode {
  name: 'native' | 'linkshrink' | 'lnkz';
  label: string;
  path: string;
  barePath: string;
  perRequest: number;
  /** Lua returning the body of request n (thread_id and run_id are set) */
  body: string;
  source: string;
  target: number | null;
}
const MODES: Mode[] = [
  {
    name: 'native',
    label: 'native POST /api/v1/links',
    path: '/api/v1/links',
    barePath: '/one',
    perRequest: 1,
    body: `return '{"original_url":"https://example.com/native/' .. run_id .. '/' .. thread_id .. '/' .. n .. '"}'`,
    source: 'api',
    target: null,
  },
  {
    name: 'linkshrink',
    label: 'LinkShrink bulk of 50',
    path: '/api/v1/shorten/bulk',
    barePath: '/many',
    perRequest: 50,
    body: `local t = {}
  for i = 1, 50 do t[i] = '"https://example.com/ls/' .. run_id .. '/' .. thread_id .. '/' .. n .. '/' .. i .. '"' end
  return '{"urls":[' .. table.concat(t, ',') .. ']}'`,
    source: 'linkshrink',
    target: 5000,
  },
  {
    name: 'lnkz',
    label: 'lnkz bulk of 100',
    path: '/api/v1/urls/bulk',
    barePath: '/many',
    perRequest: 100,
    body: `local t = {}
  for i = 1, 100 do t[i] = '{"url":"https://example.com/lnkz/' .. run_id .. '/' .. thread_id .. '/' .. n .. '/' .. i .. '"}' end
  return '[' .. table.concat(t, ',') .. ']'`,
    source: 'api',
    target: 5000,
  },
];
const selected = values.modes!.split(',').map((m) => {
  const mode = MODES.find((x) => x.name === m.trim());
  if (!mode) throw new Error(`--modes takes ${MODES.map((x) => x.name).join(', ')}; got "${m}"`);
  return mode;
});

const report = createReport('create', { json: values.json!, argv });
const log = report.log;

interface Run extends LoadResult {
  linksPerSecond: number;
  cpuUsPerLink: number;
  mainUsPerLink: number;
}

async function main(): Promise<number> {
  const work = workDir(values.keep!);
  const bin = buildBinary(work, values.binary);
  const dataDir = join(work, 'data');
  const bareDir = join(work, 'bare');

  const seedStarted = performance.now();
  const { key, userId } = await benchAccount(dataDir, 'pro');
  const handle = openProjectDb(dataDir);
  if (EXISTING) insertLinks(handle.sqlite, { count: EXISTING, userId });
  handle.close();
  const bareHandle = openProjectDb(bareDir);
  if (EXISTING) insertLinks(bareHandle.sqlite, { count: EXISTING, userId: null });
  bareHandle.close();
  const seedSeconds = (performance.now() - seedStarted) / 1000;

  const shrinkray: ServerProcess = await startServer([bin, 'serve'], { cwd: work, env: cleanEnv({ DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'warn' }) });
  children.add(shrinkray.proc);
  const bare = await startScript(join(import.meta.dir, 'lib/bare-create.ts'), [bareDir]);

  log(`create benchmark: compiled binary ${bin}`);
  log(`${EXISTING} existing links seeded in ${fixed(seedSeconds, 1)} s; ${CONNECTIONS} connections, one API key; ${REPEAT} x ${SECONDS} s per target after ${WARMUP} s warm-up`);
  log(`load generator: ${wrkVersion}; ${navigator.hardwareConcurrency} CPUs shared by generator, servers and anything else running; OG_FETCH=false`);

  let runId = 0;
  const drive = (base: string, mode: Mode, path: string, seconds: number, headers: string) =>
    runWrk({
      url: `${base}${path}`,
      // run_id keeps URLs new across runs; wrk's own counter keeps them new within one
      script: postScript(path, `  local run_id = ${++runId}\n  ${mode.body}`),
      env: { BENCH_HEADERS: headers },
      connections: CONNECTIONS,
      threads: 1,
      seconds,
      workDir: work,
    });
  const measured = async (pid: number, base: string, mode: Mode, path: string, headers: string): Promise<Run> => {
    const meter = cpuMeter(pid);
    const r = await drive(base, mode, path, SECONDS, headers);
    const cpu = meter.stop();
    const links = Math.max(1, r.requests * mode.perRequest);
    return { ...r, linksPerSecond: (r.requests * mode.perRequest) / r.seconds, cpuUsPerLink: (cpu.all * 1e6) / links, mainUsPerLink: (cpu.main * 1e6) / links };
  };

  const auth = `Authorization: Bearer ${key}`;
  const results: { mode: Mode; bare: Run[]; shrinkray: Run[]; acknowledged: number; sent: number }[] = [];
  for (const mode of selected) {
    const res = { mode, bare: [] as Run[], shrinkray: [] as Run[], acknowledged: 0, sent: 0 };
    if (WARMUP) {
      await drive(bare.base, mode, mode.barePath, WARMUP, '');
      const w = await drive(shrinkray.base, mode, mode.path, WARMUP, auth);
      res.acknowledged += w.requests * mode.perRequest;
      res.sent += 1;
      if (w.badStatus) throw new Error(`${mode.label}: ${w.badStatus} error responses during warm-up (check the key's plan limits)`);
    }
    for (let i = 0; i < REPEAT; i++) {
      const bareFirst = i % 2 === 0;
      if (bareFirst) res.bare.push(await measured(bare.pid, bare.base, mode, mode.barePath, ''));
      const r = await measured(shrinkray.proc.pid, shrinkray.base, mode, mode.path, auth);
      res.shrinkray.push(r);
      res.acknowledged += r.requests * mode.perRequest;
      res.sent += 1;
      if (!bareFirst) res.bare.push(await measured(bare.pid, bare.base, mode, mode.barePath, ''));
    }
    results.push(res);
  }
  await bare.stop();
  const exitCode = await shrinkray.stop('SIGTERM', 60_000);
  children.delete(shrinkray.proc);

  const db = new Database(join(dataDir, 'shrinkray.db'), { readonly: true });
  const created = (source: string, host: string) =>
    db.query<{ n: number }, [number, string, string]>("SELECT count(*) AS n FROM links WHERE user_id = ? AND source = ? AND destination LIKE 'https://example.com/' || ? || '/%'").get(userId, source, host)!.n;
  const hostOf: Record<Mode['name'], string> = { native: 'native', linkshrink: 'ls', lnkz: 'lnkz' };

  const rows: (string | number)[][] = [];
  const summary: Record<string, unknown> = {};
  const m = (runs: Run[], k: keyof Run) => median(runs.map((r) => r[k] as number));
  for (const { mode, bare: b, shrinkray: s, acknowledged, sent } of results) {
    const ratio = median(s.map((r, i) => r.linksPerSecond / b[i]!.linksPerSecond));
    for (const [name, runs] of [['bare', b], ['shrinkray', s]] as const) {
      rows.push([
        `${mode.label}: ${name}`,
        fixed(m(runs, 'linksPerSecond'), 0),
        fixed(m(runs, 'rps'), 0),
        `${fixed(m(runs, 'p50Ms'))} ms`,
        `${fixed(m(runs, 'p99Ms'))} ms`,
        fixed(m(runs, 'cpuUsPerLink'), 1),
        fixed(m(runs, 'mainUsPerLink'), 1),
        runs.reduce((n, r) => n + r.badStatus + r.socketErrors, 0),
      ]);
    }
    const stored = created(mode.source, hostOf[mode.name]);
    const slack = CONNECTIONS * mode.perRequest * sent;
    const bad = s.reduce((n, r) => n + r.badStatus + r.socketErrors, 0);
    const lps = m(s, 'linksPerSecond');
    if (mode.target !== null) report.check(`${mode.label}: links/s`, lps >= mode.target, `>= ${mode.target}`, `${fixed(lps, 0)} (bare ${fixed(m(b, 'linksPerSecond'), 0)}, ratio ${fixed(ratio, 3)})`);
    report.check(
      `${mode.label}: every acknowledged link stored`,
      exitCode === 0 && bad === 0 && stored >= acknowledged && stored <= acknowledged + slack,
      `stored >= acknowledged (+ <= ${slack} in flight)`,
      `${stored} stored, ${acknowledged} acknowledged${bad ? `, ${bad} errors` : ''}`,
    );
    summary[mode.name] = {
      label: mode.label,
      linksPerRequest: mode.perRequest,
      bare: { linksPerSecond: m(b, 'linksPerSecond'), p50Ms: m(b, 'p50Ms'), p99Ms: m(b, 'p99Ms'), cpuUsPerLink: m(b, 'cpuUsPerLink'), runs: b },
      shrinkray: { linksPerSecond: lps, p50Ms: m(s, 'p50Ms'), p99Ms: m(s, 'p99Ms'), cpuUsPerLink: m(s, 'cpuUsPerLink'), mainUsPerLink: m(s, 'mainUsPerLink'), runs: s },
      ratio,
      stored,
      acknowledged,
    };
  }
  db.close();
  log('');
  log(table(['median of runs', 'links/s', 'req/s', 'p50', 'p99', 'CPU µs/link', 'main thread', 'errors'], rows));
  report.set('config', { seconds: SECONDS, warmup: WARMUP, repeat: REPEAT, connections: CONNECTIONS, existing: EXISTING, generator: wrkVersion, ogFetch: false });
  report.set('modes', summary);
  return report.finish();
}

await runBench(main);
