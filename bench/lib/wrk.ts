/**
 * Drives wrk (the preferred generator: C, epoll, no GC pauses of its own).
 * Every script reports the exact counts and percentiles as one JSON line from
 * done(), so nothing is scraped from wrk's human summary.
 *
 * Scripts:
 * - REDIRECT: GET /CODE with a browser User-Agent (bots are not counted as
 *   clicks), a random code per request from BENCH_CODES when it lists several.
 * - postScript(): POST JSON bodies built per request by a Lua body function,
 *   with a per-thread counter so every request carries new URLs.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LoadResult } from './load-result.ts';

export function wrkAvailable(): string | null {
  const path = Bun.which('wrk');
  if (!path) return null;
  const r = Bun.spawnSync([path, '--version'], { stdout: 'pipe', stderr: 'pipe' });
  return (r.stdout.toString() + r.stderr.toString()).split('\n')[0]!.replace(/\s*Copyright.*/, '').trim() || 'wrk';
}

const DONE = `
local seeds = 0
function setup(thread)
  seeds = seeds + 1
  thread:set("seed", seeds)
end

function init(args)
  math.randomseed(os.time() * 1000 + (seed or 0))
  thread_id = seed or 0
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"duration_us":%d,"status":%d,"socket":%d,"p50_us":%d,"p99_us":%d}\\n',
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
`;

export const REDIRECT_SCRIPT = `
local codes = {}
for line in io.lines(os.getenv("BENCH_CODES")) do
  if #line > 0 then codes[#codes + 1] = line end
end
wrk.headers["User-Agent"] = os.getenv("BENCH_UA")

if #codes == 1 then
  wrk.path = "/" .. codes[1]
else
  local n = #codes
  local random = math.random
  request = function()
    return wrk.format(nil, "/" .. codes[random(n)])
  end
end
${DONE}`;

/**
 * A POST script: `bodyLua` is the body of a Lua function(n) returning the
 * request body for the n-th request of this thread (thread_id is set too).
 * Headers come from BENCH_HEADERS ("Name: value" lines).
 */
export function postScript(path: string, bodyLua: string): string {
  return `
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json"
local extra = os.getenv("BENCH_HEADERS") or ""
for name, value in extra:gmatch("([^:\\n]+):%s*([^\\n]*)") do wrk.headers[name] = value end
local counter = 0
local function body(n)
${bodyLua}
end
request = function()
  counter = counter + 1
  return wrk.format(nil, ${JSON.stringify(path)}, nil, body(counter))
end
${DONE}`;
}

/** A GET script with fixed headers from BENCH_HEADERS (analytics reads). */
export const GET_SCRIPT = `
local extra = os.getenv("BENCH_HEADERS") or ""
for name, value in extra:gmatch("([^:\\n]+):%s*([^\\n]*)") do wrk.headers[name] = value end
${DONE}`;

export async function runWrk(opts: {
  url: string;
  script: string;
  env?: Record<string, string>;
  connections: number;
  threads: number;
  seconds: number;
  workDir: string;
}): Promise<LoadResult> {
  const script = join(opts.workDir, `wrk-${Bun.hash(opts.script).toString(16)}.lua`);
  writeFileSync(script, opts.script);
  const threads = Math.min(opts.threads, opts.connections);
  const proc = Bun.spawn(
    ['wrk', '-t', String(threads), '-c', String(opts.connections), '-d', `${opts.seconds}s`, '--timeout', '5s', '-s', script, opts.url],
    { env: { ...process.env, ...opts.env }, stdout: 'pipe', stderr: 'pipe', timeout: (opts.seconds + 30) * 1000 },
  );
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  const line = out.split('\n').find((l) => l.startsWith('BENCH_JSON '));
  if (code !== 0 || !line) throw new Error(`wrk failed (exit ${code}):\n${out}\n${err}`);
  const r = JSON.parse(line.slice('BENCH_JSON '.length)) as { requests: number; duration_us: number; status: number; socket: number; p50_us: number; p99_us: number };
  const seconds = r.duration_us / 1e6;
  return { requests: r.requests, seconds, rps: r.requests / seconds, p50Ms: r.p50_us / 1000, p99Ms: r.p99_us / 1000, badStatus: r.status, socketErrors: r.socket };
}

/** The redirect load: GET /CODE, codes drawn at random from codesFile. */
export function runWrkRedirect(opts: { base: string; codesFile: string; userAgent: string; connections: number; threads: number; seconds: number; workDir: string }): Promise<LoadResult> {
  return runWrk({ url: `${opts.base}/`, script: REDIRECT_SCRIPT, env: { BENCH_CODES: opts.codesFile, BENCH_UA: opts.userAgent }, ...opts });
}
