/**
 * Fallback load generator for machines without wrk, run as its own process
 * so its event loop does not share a thread with the benchmark's bookkeeping.
 * C connections each loop fetch() with keep-alive until the deadline; requests
 * in flight at the deadline are awaited and counted, so the total is exact
 * (unlike wrk, which drops them).
 *
 *   bun bench/lib/loadgen.ts --base URL --codes FILE --connections 64 --seconds 10 --ua UA
 * Prints one line: BENCH_JSON {LoadResult}
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { LoadResult } from './load-result.ts';

if (import.meta.main) {
  const { values } = parseArgs({
    args: Bun.argv.slice(2),
    options: { base: { type: 'string' }, codes: { type: 'string' }, connections: { type: 'string' }, seconds: { type: 'string' }, ua: { type: 'string' } },
  });
  const codes = readFileSync(values.codes!, 'utf8').split('\n').filter(Boolean);
  const result = await generate({
    base: values.base!,
    codes,
    connections: Number(values.connections ?? 64),
    seconds: Number(values.seconds ?? 10),
    userAgent: values.ua ?? 'Mozilla/5.0',
  });
  console.log(`BENCH_JSON ${JSON.stringify(result)}`);
}

async function generate(opts: { base: string; codes: string[]; connections: number; seconds: number; userAgent: string }): Promise<LoadResult> {
  const urls = opts.codes.map((c) => `${opts.base}/${c}`);
  const headers = { 'user-agent': opts.userAgent };
  let latencies = new Float64Array(1 << 20);
  let count = 0;
  let badStatus = 0;
  let socketErrors = 0;
  const started = performance.now();
  const deadline = started + opts.seconds * 1000;

  async function connection() {
    while (performance.now() < deadline) {
      const url = urls.length === 1 ? urls[0]! : urls[Math.floor(Math.random() * urls.length)]!;
      const t0 = performance.now();
      try {
        const res = await fetch(url, { redirect: 'manual', headers });
        await res.arrayBuffer();
        if (res.status !== 302) badStatus++;
      } catch {
        socketErrors++;
        continue;
      }
      if (count === latencies.length) {
        const bigger = new Float64Array(latencies.length * 2);
        bigger.set(latencies);
        latencies = bigger;
      }
      latencies[count++] = performance.now() - t0;
    }
  }

  await Promise.all(Array.from({ length: opts.connections }, connection));
  const seconds = (performance.now() - started) / 1000;
  const sorted = latencies.subarray(0, count).sort();
  const pct = (p: number) => (count ? sorted[Math.min(count - 1, Math.floor((p / 100) * count))]! : 0);
  return { requests: count, seconds, rps: count / seconds, p50Ms: pct(50), p99Ms: pct(99), badStatus, socketErrors };
}

export async function runBunLoadgen(opts: { base: string; codesFile: string; userAgent: string; connections: number; seconds: number }): Promise<LoadResult> {
  const proc = Bun.spawn(
    [process.execPath, import.meta.path, '--base', opts.base, '--codes', opts.codesFile, '--connections', String(opts.connections), '--seconds', String(opts.seconds), '--ua', opts.userAgent],
    { stdout: 'pipe', stderr: 'pipe', timeout: (opts.seconds + 60) * 1000 },
  );
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  const line = out.split('\n').find((l) => l.startsWith('BENCH_JSON '));
  if (code !== 0 || !line) throw new Error(`load generator failed (exit ${code}):\n${out}\n${err}`);
  return JSON.parse(line.slice('BENCH_JSON '.length)) as LoadResult;
}
