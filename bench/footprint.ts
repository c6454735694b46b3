/**
 * Footprint (issue 5, item 4): binary size, resident memory idle and under
 * redirect load with --links (1M) links in the database, and the time from
 * process start to the first answered redirect.
 *
 *   bun run bench:footprint [--links 1000000] [--active 100000] [--seconds 10] [--starts 5]
 *                           [--connections 64] [--binary PATH] [--json] [--keep]
 *
 * Start-up is timed from just before spawn() to the first 302 (or 200 from
 * /healthz where no link exists), polling the port in a tight loop (a refused
 * connection costs ~0.1 ms). Each case is started --starts times; medians.
 *   first start    empty folder: migrations, plan seeding, and the initial
 *                  admin, whose random password is hashed with bcrypt (cost 10):
 *                  reported apart, answered by /healthz (there is no link yet)
 *   restart        the same folder again, one link: the everyday restart
 *   restart, 1M    a database of --links links
 * Memory is VmRSS of the server process (all threads) from /proc: idle after
 * start (small and 1M databases), then sampled every 250 ms during --seconds
 * of the redirect benchmark's load — wrk, --connections connections, codes
 * drawn at random from --active of the links (100,000, as bench:redirect
 * does; --active 1000000 draws from all of them, a cold-cache worst case).
 * The click queue's depth is read from /metrics at the end of the load: when
 * the flush worker writes slower than redirects arrive, the backlog is held
 * in memory and shows up here.
 * The baselines, measured in the same run under the same load: the bare
 * Bun.serve of bench:redirect answering the same codes from a Map, and the
 * same server also holding a second's worth of click facts (peer address,
 * User-Agent, Referer), i.e. what any counting server must keep in memory,
 * and that server finding each code in the 1M-link SQLite file, keeping every
 * answer in a Map as shrinkray's redirect cache does (bench:redirect:floor's
 * lookups floor): a server with links on disk and nothing else of shrinkray's.
 * Targets: RSS under load <= 150 MB; restart to first redirect <= 150 ms.
 */
import { statSync, writeFileSync } from 'node:fs';
import { DB_FILE } from '../src/db/client.ts';
import { join } from 'node:path';
import { benchArgs, whole } from './lib/args.ts';
import { BROWSER_UA, cleanEnv } from '../test/helpers/binary.ts';
import { cpuSeconds, memoryMb } from './lib/proc.ts';
import { createReport, fixed, median, runBench, table } from './lib/report.ts';
import { benchAccount, insertLinks, openProjectDb } from './lib/seed.ts';
import { buildBinary, children, freePort, startBare, workDir } from './lib/servers.ts';
import { runWrkRedirect, wrkAvailable } from './lib/wrk.ts';

const { argv, values } = benchArgs({
  links: { type: 'string', default: '1000000' },
  seconds: { type: 'string', default: '10' },
  starts: { type: 'string', default: '5' },
  connections: { type: 'string', default: '64' },
  active: { type: 'string', default: '100000' },
});
const LINKS = whole('links', values.links!);
const SECONDS = whole('seconds', values.seconds!);
const STARTS = whole('starts', values.starts!);
const CONNECTIONS = whole('connections', values.connections!);
const ACTIVE = Math.min(LINKS, whole('active', values.active!));
const wrkVersion = wrkAvailable();
if (!wrkVersion) throw new Error('wrk not found (apt-get install wrk)');

const report = createReport('footprint', { json: values.json!, argv });
const log = report.log;

interface Started {
  proc: Bun.Subprocess;
  base: string;
  ms: number;
  /** CPU the process had used when it answered (all threads): start-up work, whatever the neighbours do */
  cpuMs: number;
  stop(): Promise<void>;
}

/** Spawns serve and polls `path` until it answers `status`; ms from just before spawn. */
async function timedStart(bin: string, dataDir: string, cwd: string, path: string, status: number): Promise<Started> {
  const port = freePort();
  const base = `http://127.0.0.1:${port}`;
  const env = cleanEnv({ DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'warn' });
  const t0 = performance.now();
  const proc = Bun.spawn([bin, 'serve'], { cwd, env, stdin: 'ignore', stdout: 'ignore', stderr: 'ignore' });
  children.add(proc);
  const deadline = t0 + 20_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`server exited with ${proc.exitCode} before answering`);
    if (performance.now() > deadline) throw new Error('server did not answer within 20 s');
    try {
      const res = await fetch(`${base}${path}`, { redirect: 'manual', headers: { 'user-agent': BROWSER_UA } });
      if (res.status === status) break;
      throw new Error(`GET ${path} answered ${res.status}, expected ${status}`);
    } catch (e) {
      if (e instanceof Error && e.message.startsWith('GET ')) throw e;
    }
  }
  const ms = performance.now() - t0;
  const cpuMs = cpuSeconds(proc.pid) * 1000;
  return {
    proc,
    base,
    ms,
    cpuMs,
    async stop() {
      proc.kill('SIGTERM');
      await proc.exited;
      children.delete(proc);
    },
  };
}

async function main(): Promise<number> {
  const work = workDir(values.keep!);
  const bin = buildBinary(work, values.binary);
  const binaryMb = statSync(bin).size / 1e6;
  log(`footprint benchmark: compiled binary ${bin} (${fixed(binaryMb, 1)} MB)`);

  // first start: a new, empty folder every time
  const first: number[] = [];
  const firstCpu: number[] = [];
  for (let i = 0; i < STARTS; i++) {
    const s = await timedStart(bin, join(work, `empty-${i}`), work, '/healthz', 200);
    first.push(s.ms);
    firstCpu.push(s.cpuMs);
    await s.stop();
  }

  // restart on a small database holding one link
  const smallDir = join(work, 'small');
  const { userId } = await benchAccount(smallDir, 'pro');
  let h = openProjectDb(smallDir);
  const one = insertLinks(h.sqlite, { count: 1, userId }).codes[0]!;
  h.close();
  const restart: number[] = [];
  const restartCpu: number[] = [];
  let idleSmall = 0;
  for (let i = 0; i < STARTS; i++) {
    const s = await timedStart(bin, smallDir, work, `/${one}`, 302);
    restart.push(s.ms);
    restartCpu.push(s.cpuMs);
    if (i === STARTS - 1) {
      await Bun.sleep(1000);
      idleSmall = memoryMb(s.proc.pid).rss;
    }
    await s.stop();
  }

  // the 1M-link database
  const bigDir = join(work, 'big');
  const seedStarted = performance.now();
  const big = await benchAccount(bigDir, 'pro');
  h = openProjectDb(bigDir);
  const { codes, destinations } = insertLinks(h.sqlite, { count: LINKS, userId: big.userId });
  h.close();
  const seedSeconds = (performance.now() - seedStarted) / 1000;
  const codesFile = join(work, 'codes.txt');
  // an even spread of ACTIVE codes over the whole table (codes are stored in id order)
  const step = codes.length / ACTIVE;
  const active = Array.from({ length: ACTIVE }, (_, i) => Math.floor(i * step));
  writeFileSync(codesFile, active.map((i) => codes[i]).join('\n') + '\n');
  // the baselines answer the same codes with the same 302 from a Map
  const routesFile = join(work, 'routes.json');
  writeFileSync(routesFile, JSON.stringify(Object.fromEntries(active.map((i) => [codes[i], destinations[i]]))));
  const restartBig: number[] = [];
  const restartBigCpu: number[] = [];
  let server: Started | undefined;
  for (let i = 0; i < STARTS; i++) {
    const s = await timedStart(bin, bigDir, work, `/${codes[(i * 7919) % codes.length]}`, 302);
    restartBig.push(s.ms);
    restartBigCpu.push(s.cpuMs);
    if (i < STARTS - 1) await s.stop();
    else server = s;
  }
  await Bun.sleep(1000);
  const idleBig = memoryMb(server!.proc.pid).rss;

  // under load: sample RSS while wrk runs
  const samples: number[] = [];
  const pid = server!.proc.pid;
  const sampler = setInterval(() => samples.push(memoryMb(pid).rss), 250);
  const load = await runWrkRedirect({ base: server!.base, codesFile, userAgent: BROWSER_UA, connections: CONNECTIONS, threads: 1, seconds: SECONDS, workDir: work });
  clearInterval(sampler);
  const after = memoryMb(pid);
  const metrics = await fetch(`${server!.base}/metrics`).then((r) => r.text());
  const metric = (name: string) => Number(new RegExp(`^${name} (\\S+)`, 'm').exec(metrics)?.[1] ?? NaN);
  const flushed = metric('shrinkray_clicks_flushed_total');
  const queued = metric('shrinkray_click_queue_depth');
  const cached = metric('shrinkray_redirect_cache_entries');
  const heapMb = metric('shrinkray_js_heap_bytes') / 1e6;
  const workerHeapMb = metric('shrinkray_flush_worker_js_heap_bytes') / 1e6;
  await Bun.sleep(2000);
  const settled = memoryMb(pid).rss;
  await server!.stop();

  const maxLoad = Math.max(...samples, after.rss);

  // the same load on the bare server, and on the bare server that also holds a second's click facts
  const baselines: { name: string; rps: number; maxRss: number }[] = [];
  const floors: [string, { facts?: boolean; lookups?: string }][] = [
    ['bare Bun.serve', {}],
    ['bare + click facts held 1 s', { facts: true }],
    ['that + codes found in SQLite', { facts: true, lookups: join(bigDir, DB_FILE) }],
  ];
  for (const [name, opts] of floors) {
    const bare = await startBare(routesFile, opts);
    const peaks: number[] = [];
    const watch = setInterval(() => peaks.push(memoryMb(bare.pid).rss), 250);
    const run = await runWrkRedirect({ base: bare.base, codesFile, userAgent: BROWSER_UA, connections: CONNECTIONS, threads: 1, seconds: SECONDS, workDir: work });
    clearInterval(watch);
    baselines.push({ name, rps: run.rps, maxRss: Math.max(...peaks, memoryMb(bare.pid).rss) });
    await bare.stop();
  }
  log(`\n${LINKS} links seeded in ${fixed(seedSeconds, 1)} s; ${STARTS} starts per case, medians (all runs in ms)`);
  log(
    table(
      ['start-up', 'median', 'CPU used', 'runs'],
      [
        ['first start, empty folder (→ /healthz)', `${fixed(median(first), 0)} ms`, `${fixed(median(firstCpu), 0)} ms`, first.map((x) => fixed(x, 0)).join(' ')],
        ['restart, 1 link (→ first 302)', `${fixed(median(restart), 0)} ms`, `${fixed(median(restartCpu), 0)} ms`, restart.map((x) => fixed(x, 0)).join(' ')],
        [`restart, ${LINKS.toLocaleString('en')} links (→ first 302)`, `${fixed(median(restartBig), 0)} ms`, `${fixed(median(restartBigCpu), 0)} ms`, restartBig.map((x) => fixed(x, 0)).join(' ')],
      ],
    ),
  );
  log('');
  log(
    table(
      ['resident memory (VmRSS)', 'MB'],
      [
        ['idle, 1 link', fixed(idleSmall, 1)],
        [`idle, ${LINKS.toLocaleString('en')} links`, fixed(idleBig, 1)],
        [`under load, max of ${samples.length} samples (${fixed(load.rps, 0)} req/s over ${ACTIVE.toLocaleString('en')} codes)`, fixed(maxLoad, 1)],
        ['peak (VmHWM) at the end of the load', fixed(after.peak, 1)],
        ['2 s after the load', fixed(settled, 1)],
        ...baselines.map((b) => [`baseline: ${b.name}, same load, max (${fixed(b.rps, 0)} req/s)`, fixed(b.maxRss, 1)]),
      ],
    ),
  );
  log(
    `\nafter the load: ${load.requests} redirects answered, ${flushed} clicks written, ${queued} waiting in the queue ` +
      `(the rest in the batch being written); redirect cache ${cached} entries; JS heaps: request thread ${fixed(heapMb, 1)} MB, flush worker ${fixed(workerHeapMb, 1)} MB`,
  );
  log(`binary size ${fixed(binaryMb, 1)} MB`);
  const errors = load.badStatus + load.socketErrors;
  report.check(
    'RSS under redirect load',
    maxLoad <= 150 && errors === 0,
    '<= 150 MB',
    `${fixed(maxLoad, 1)} MB max (VmHWM ${fixed(after.peak, 1)} MB; ${baselines.map((b) => `${b.name} ${fixed(b.maxRss, 1)} MB`).join(', ')}) at ${fixed(load.rps, 0)} req/s, ${ACTIVE.toLocaleString('en')} of ${LINKS.toLocaleString('en')} links; ` +
      `${load.requests - flushed} clicks not yet written${errors ? `; ${errors} errors` : ''}`,
  );
  report.check(
    'restart to first redirect',
    median(restart) <= 150,
    '<= 150 ms',
    `${fixed(median(restart), 0)} ms (1 link; ${fixed(median(restartCpu), 0)} ms of CPU), ${fixed(median(restartBig), 0)} ms (${LINKS.toLocaleString('en')} links); first start ${fixed(median(first), 0)} ms`,
  );
  report.set('binaryMb', binaryMb);
  report.set('startMs', {
    firstStart: first,
    restart,
    restartBig,
    medians: { firstStart: median(first), restart: median(restart), restartBig: median(restartBig) },
    cpuMs: { firstStart: median(firstCpu), restart: median(restartCpu), restartBig: median(restartBigCpu) },
  });
  report.set('rssMb', { idleSmall, idleBig, underLoadMax: maxLoad, peakHwm: after.peak, settled, samples, baselines });
  report.set('load', { ...load, connections: CONNECTIONS, links: LINKS, activeCodes: ACTIVE, clicksFlushed: flushed, queueDepth: queued, cacheEntries: cached, heapMb, workerHeapMb });
  return report.finish();
}

await runBench(main);
