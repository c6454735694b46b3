/**
 * Drives wrk (the preferred generator: C, epoll, no GC pauses of its own).
 * The Lua script sends a browser User-Agent (bots are not counted as clicks),
 * draws a random code per request when there are several, and reports the
 * exact counts and percentiles as one JSON line from done(), so nothing is
 * scraped from wrk's human summary.
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

const SCRIPT = `
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

local seeds = 0
function setup(thread)
  seeds = seeds + 1
  thread:set("seed", seeds)
end

function init(args)
  math.randomseed(os.time() * 1000 + (seed or 0))
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"duration_us":%d,"status":%d,"socket":%d,"p50_us":%d,"p99_us":%d}\\n',
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
`;

export async function runWrk(opts: {
  base: string;
  codesFile: string;
  userAgent: string;
  connections: number;
  threads: number;
  seconds: number;
  workDir: string;
}): Promise<LoadResult> {
  const script = join(opts.workDir, 'redirect.lua');
  writeFileSync(script, SCRIPT);
  const proc = Bun.spawn(
    ['wrk', '-t', String(opts.threads), '-c', String(opts.connections), '-d', `${opts.seconds}s`, '--timeout', '5s', '-s', script, `${opts.base}/`],
    { env: { ...process.env, BENCH_CODES: opts.codesFile, BENCH_UA: opts.userAgent }, stdout: 'pipe', stderr: 'pipe', timeout: (opts.seconds + 30) * 1000 },
  );
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  const line = out.split('\n').find((l) => l.startsWith('BENCH_JSON '));
  if (code !== 0 || !line) throw new Error(`wrk failed (exit ${code}):\n${out}\n${err}`);
  const r = JSON.parse(line.slice('BENCH_JSON '.length)) as { requests: number; duration_us: number; status: number; socket: number; p50_us: number; p99_us: number };
  const seconds = r.duration_us / 1e6;
  return { requests: r.requests, seconds, rps: r.requests / seconds, p50Ms: r.p50_us / 1000, p99Ms: r.p99_us / 1000, badStatus: r.status, socketErrors: r.socket };
}
