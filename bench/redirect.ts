/**
 * Redirect hot-path benchmark: the compiled binary against a bare Bun.serve
 * answering the same 302, in the same run, on the same machine, with the
 * same load generator; then a check that the click queue lost nothing.
 *
 *   bun run bench:redirect [--links 1] [--seconds 10] [--warmup 2] [--connections 64]
 *                          [--threads 1] [--loadgen auto|wrk|bun] [--log-level warn]
 *
 * --links 1 is the hot-key case (one cached code); --links 1000 draws a random
 * code per request. The server runs at LOG_LEVEL=warn by default, so the
 * figure is the redirect path rather than the access log's stdout (pass
 * --log-level info to include it). Exits 0 only when both checks pass:
 *   ratio    shrinkray req/s >= 0.8 x bare req/s
 *   clicks   after SIGTERM (which flushes the queue) the database's
 *            total_clicks equals the redirects the generator completed.
 *            wrk abandons requests in flight when its time is up; the server
 *            may already have queued those clicks, so up to one per connection
 *            per run may exceed the count wrk reports (the Bun generator
 *            awaits them and must match exactly).
 */
import { Database } from 'bun:sqlite';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { BROWSER_UA, cleanEnv, ensureBinary, lastLine, runProcess, startServer, type ServerProcess } from '../test/helpers/binary.ts';
import type { LoadResult } from './lib/load-result.ts';
import { runBunLoadgen } from './lib/loadgen.ts';
import { runWrk, wrkAvailable } from './lib/wrk.ts';

const { values } = parseArgs({
  args: Bun.argv.slice(2),
  options: {
    links: { type: 'string', default: '1' },
    seconds: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    connections: { type: 'string', default: '64' },
    threads: { type: 'string', default: '1' },
    loadgen: { type: 'string', default: 'auto' },
    'log-level': { type: 'string', default: 'warn' },
    keep: { type: 'boolean', default: false },
  },
});
const positive = (name: string, raw: string, min = 1) => {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be a whole number >= ${min}, got "${raw}"`);
  return n;
};
const LINKS = positive('links', values.links!);
const SECONDS = positive('seconds', values.seconds!);
const WARMUP = positive('warmup', values.warmup!, 0);
const CONNECTIONS = positive('connections', values.connections!);
const THREADS = positive('threads', values.threads!);
const wrkVersion = values.loadgen === 'bun' ? null : wrkAvailable();
if (values.loadgen === 'wrk' && !wrkVersion) throw new Error('wrk not found (apt-get install wrk), or use --loadgen bun');
const useWrk = wrkVersion !== null;

const work = mkdtempSync(join(tmpdir(), 'shrinkray-bench-'));
const children: { kill(signal?: number | NodeJS.Signals): void }[] = [];
let shrinkray: ServerProcess | undefined;
process.on('exit', () => {
  for (const c of children) c.kill('SIGKILL');
  if (!values.keep) rmSync(work, { recursive: true, force: true });
});

const log = (s: string) => console.log(s);

async function main(): Promise<boolean> {
  const bin = ensureBinary();
  const env = cleanEnv({ DATA_DIR: join(work, 'data'), PORT: '0', LOG_LEVEL: values['log-level']! });
  const cli = async (...args: string[]) => {
    const r = await runProcess([bin, ...args], { cwd: work, env });
    if (r.code !== 0) throw new Error(`shrinkray ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
    return r.stdout;
  };

  // the API's per-key limit would throttle creating many links; the redirects themselves are not limited
  await cli('user', 'create', '--email', 'bench@example.com', '--password', 'benchmark-password', '--plan', 'pro');
  await cli('plan', 'set', 'pro', '--rate-limit', '1000000', '--max-links', 'unlimited');
  const key = lastLine(await cli('key', 'create', '--email', 'bench@example.com', '--name', 'bench'));

  shrinkray = await startServer([bin, 'serve'], { cwd: work, env });
  children.push(shrinkray.proc);
  const routes = await createLinks(shrinkray.base, key, LINKS);
  const codesFile = join(work, 'codes.txt');
  writeFileSync(codesFile, Object.keys(routes).join('\n') + '\n');
  const routesFile = join(work, 'routes.json');
  writeFileSync(routesFile, JSON.stringify(routes));

  const bare = await startBare(routesFile);
  const verified = await verifyRedirects('shrinkray', shrinkray.base, routes);
  await verifyRedirects('bare Bun.serve', bare.base, routes);

  const generator = useWrk
    ? `${wrkVersion} (${THREADS} thread${THREADS > 1 ? 's' : ''})`
    : `Bun fetch loadgen${values.loadgen === 'bun' ? '' : ' (wrk not found: apt-get install wrk)'}`;
  log(`\nredirect benchmark: ${LINKS} link${LINKS > 1 ? 's (random code per request)' : ' (hot key)'}, ${CONNECTIONS} connections, ${SECONDS} s per target after ${WARMUP} s warm-up`);
  log(`load generator: ${generator}; ${navigator.hardwareConcurrency} CPUs shared by generator and servers; LOG_LEVEL=${values['log-level']}\n`);

  const drive = (base: string, seconds: number) =>
    useWrk
      ? runWrk({ base, codesFile, userAgent: BROWSER_UA, connections: CONNECTIONS, threads: THREADS, seconds, workDir: work })
      : runBunLoadgen({ base, codesFile, userAgent: BROWSER_UA, connections: CONNECTIONS, seconds });

  const runs: LoadResult[] = [];
  if (WARMUP) await drive(bare.base, WARMUP);
  const bareResult = await drive(bare.base, SECONDS);
  bare.proc.kill('SIGTERM');
  await bare.proc.exited;
  if (WARMUP) runs.push(await drive(shrinkray.base, WARMUP));
  const srResult = await drive(shrinkray.base, SECONDS);
  runs.push(srResult);

  const t0 = performance.now();
  const exitCode = await shrinkray.stop('SIGTERM', 60_000);
  const shutdownMs = performance.now() - t0;
  const db = new Database(join(work, 'data', 'shrinkray.db'), { readonly: true });
  const recorded = db.query<{ n: number }, []>('SELECT coalesce(sum(total_clicks), 0) AS n FROM links').get()!.n;
  const rows = db.query<{ n: number }, []>('SELECT count(*) AS n FROM clicks WHERE is_bot = 0').get()!.n;
  const linksClicked = db.query<{ n: number }, []>('SELECT count(*) AS n FROM links WHERE total_clicks > 0').get()!.n;
  db.close();

  const row = (name: string, r: LoadResult) =>
    `${name.padEnd(16)}${String(r.requests).padStart(10)}${r.rps.toFixed(0).padStart(10)}${`${r.p50Ms.toFixed(2)} ms`.padStart(11)}${`${r.p99Ms.toFixed(2)} ms`.padStart(11)}${String(r.badStatus).padStart(9)}${String(r.socketErrors).padStart(8)}`;
  log(`${'target'.padEnd(16)}${'requests'.padStart(10)}${'req/s'.padStart(10)}${'p50'.padStart(11)}${'p99'.padStart(11)}${'bad'.padStart(9)}${'errors'.padStart(8)}`);
  log(row('bare Bun.serve', bareResult));
  log(row('shrinkray', srResult));
  const ratio = srResult.rps / bareResult.rps;
  log(`\nratio shrinkray/bare: ${ratio.toFixed(3)}   p99 ratio: ${(srResult.p99Ms / bareResult.p99Ms).toFixed(2)}x`);

  const completed = verified + runs.reduce((n, r) => n + r.requests, 0);
  const bad = runs.reduce((n, r) => n + r.badStatus + r.socketErrors, 0) + bareResult.badStatus + bareResult.socketErrors;
  const slack = useWrk ? CONNECTIONS * runs.length : 0;
  log(
    `clicks: ${completed} redirects completed on shrinkray (warm-up and ${verified} checks included); ` +
      `database total_clicks ${recorded} (click rows ${rows}) over ${linksClicked} of ${LINKS} links; ` +
      `shutdown with flush took ${shutdownMs.toFixed(0)} ms, exit code ${exitCode}` +
      (slack ? `; allowed excess for requests wrk abandoned in flight: ${slack}` : ''),
  );

  const ratioOk = ratio >= 0.8;
  const clicksOk = exitCode === 0 && bad === 0 && recorded >= completed && recorded <= completed + slack && rows === recorded;
  log(`\n${ratioOk ? 'PASS' : 'FAIL'}  ratio >= 0.8 (${ratio.toFixed(3)})`);
  log(`${clicksOk ? 'PASS' : 'FAIL'}  every click recorded (${recorded} recorded / ${completed} completed${bad ? `, ${bad} bad responses or socket errors` : ''})`);
  return ratioOk && clicksOk;
}

async function createLinks(base: string, key: string, n: number): Promise<Record<string, string>> {
  const routes: Record<string, string> = {};
  let next = 0;
  async function worker() {
    while (next < n) {
      const i = next++;
      const destination = n === 1 ? 'https://example.com/x' : `https://example.com/bench/${i}`;
      const res = await fetch(`${base}/api/v1/links`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ original_url: destination }),
      });
      if (res.status !== 201) throw new Error(`creating link ${i}: ${res.status} ${await res.text()}`);
      routes[((await res.json()) as { short_code: string }).short_code] = destination;
    }
  }
  await Promise.all(Array.from({ length: Math.min(8, n) }, worker));
  return routes;
}

async function startBare(routesFile: string) {
  const proc = Bun.spawn([process.execPath, join(import.meta.dir, 'lib/bare-server.ts'), routesFile], { stdout: 'pipe', stderr: 'inherit' });
  children.push(proc);
  const reader = proc.stdout.getReader();
  let text = '';
  const deadline = Date.now() + 10_000;
  while (!/listening (\d+)/.test(text)) {
    if (Date.now() > deadline) throw new Error(`bare server did not start: ${text}`);
    const { value, done } = await reader.read();
    if (done) throw new Error(`bare server exited: ${text}`);
    text += new TextDecoder().decode(value);
  }
  reader.releaseLock();
  return { proc, base: `http://127.0.0.1:${/listening (\d+)/.exec(text)![1]}` };
}

/** A few requests outside the measurement so a wrong status or Location fails loudly, not as a fast number. */
async function verifyRedirects(name: string, base: string, routes: Record<string, string>): Promise<number> {
  const codes = Object.keys(routes).slice(0, 3);
  for (const code of codes) {
    const res = await fetch(`${base}/${code}`, { redirect: 'manual', headers: { 'user-agent': BROWSER_UA } });
    if (res.status !== 302 || res.headers.get('location') !== routes[code]) {
      throw new Error(`${name}: GET /${code} answered ${res.status} ${res.headers.get('location')}, expected 302 ${routes[code]}`);
    }
  }
  return codes.length;
}

try {
  process.exitCode = (await main()) ? 0 : 1;
} catch (e) {
  console.error(`bench failed: ${(e as Error).message}`);
  if (shrinkray) console.error(`server output:\n${shrinkray.output()}`);
  process.exitCode = 1;
} finally {
  for (const c of children) c.kill('SIGKILL');
}
