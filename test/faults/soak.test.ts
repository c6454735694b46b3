/**
 * Soak: SOAK_SECONDS (default 15; the issue's 60 s with SOAK_SECONDS=60) of
 * mixed load against the compiled binary from 127.0.0.1 — redirects; creates
 * through the native API, lnkz and LinkShrink (with a key); native analytics
 * and LinkShrink stats; list pages; the login page; and the signed-in
 * dashboard's links and analytics screens. Redirects come from many distinct
 * visitors (user agents) and referrers. Asserted:
 *   - zero 5xx, zero failed connections, every answer the one the route
 *     documents (no 429s either: the key's plan is raised like an operator's),
 *     no click flush retried and no error in the server's log;
 *   - resident memory (VmRSS) is flat: after a warm-up of the same load
 *     (SOAK_WARMUP_SECONDS, default 10, not counted in SOAK_SECONDS), the
 *     average of the last third of the samples is within +20% of the first
 *     third's.
 * The server is then stopped with SIGTERM (exit 0) and the database checked.
 * Figures are printed: requests, rate, per-route counts, RSS first/last third.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { BROWSER_UA, type ServerProcess } from '../helpers/binary.ts';
import { appliance, loops, PASSWORD, provision, rssKb, type Appliance } from './faults-kit.ts';

const SECONDS = Number(process.env.SOAK_SECONDS ?? 15);
const WORKERS = Number(process.env.SOAK_WORKERS ?? 16);
// Bounded caches (SQLite's page cache on two connections, the enrichment memos, the unique-visitor
// set) fill for the first ~20 s at this rate (see docs/reliability.md); memory is judged after that.
const WARMUP_MS = Number(process.env.SOAK_WARMUP_SECONDS ?? 10) * 1000;
const SAMPLE_MS = 250;
const EMAIL = 'soak@example.com';
const REFERRERS = ['https://news.example.com/item', 'https://www.example.org/', 'https://t.example/x', 'android-app://com.example', ''];

let app: Appliance;
let server: ServerProcess;
let key = '';
let session = '';
const seeded: { id: number; code: string }[] = [];

interface Op {
  name: string;
  weight: number;
  expect: number[];
  run(): Promise<Response>;
}

const pick = <T>(xs: T[]) => xs[Math.floor(Math.random() * xs.length)]!;
const auth = () => ({ authorization: `Bearer ${key}`, accept: 'application/json' });
const json = (body: unknown) => ({ method: 'POST', headers: { ...auth(), 'content-type': 'application/json' }, body: JSON.stringify(body) });
let seq = 0;

function operations(base: string): Op[] {
  const get = (path: string, headers: Record<string, string> = {}) => fetch(base + path, { redirect: 'manual', headers });
  const ops: Op[] = [
    // many distinct visitors and referrers, so the enrichment caches and the unique-visitor set are exercised, not one hot entry
    { name: 'redirect', weight: 50, expect: [302], run: () => get(`/${pick(seeded).code}`, { 'user-agent': `${BROWSER_UA} v/${Math.floor(Math.random() * 50_000)}`, referer: pick(REFERRERS) }) },
    { name: 'LinkShrink expand', weight: 5, expect: [200], run: () => get(`/api/v1/expand/${pick(seeded).code}`, { ...auth(), 'user-agent': BROWSER_UA }) },
    { name: 'native create', weight: 5, expect: [201], run: () => fetch(`${base}/api/v1/links`, json({ original_url: `https://example.com/soak/n/${++seq}`, title: `soak ${seq}` })) },
    { name: 'lnkz create', weight: 4, expect: [201], run: () => fetch(`${base}/api/v1/urls`, json({ url: `https://example.com/soak/z/${++seq}` })) },
    { name: 'LinkShrink create', weight: 4, expect: [201], run: () => fetch(`${base}/api/v1/shorten`, json({ url: `https://example.com/soak/l/${++seq}` })) },
    { name: 'native analytics', weight: 6, expect: [200], run: () => get(`/api/v1/links/${pick(seeded).id}/analytics`, auth()) },
    { name: 'LinkShrink stats', weight: 6, expect: [200], run: () => get(`/api/v1/stats/${pick(seeded).code}`, auth()) },
    { name: 'native list', weight: 3, expect: [200], run: () => get(`/api/v1/links?page=${1 + Math.floor(Math.random() * 5)}`, auth()) },
    { name: 'Linx.ly list', weight: 2, expect: [200], run: () => get('/v1/client/short-links?per_page=20', auth()) },
    { name: 'login page', weight: 3, expect: [200], run: () => get('/login', { accept: 'text/html' }) },
  ];
  if (session) {
    ops.push(
      { name: 'dashboard', weight: 5, expect: [200], run: () => get('/dashboard', { cookie: session, accept: 'text/html' }) },
      { name: 'dashboard analytics', weight: 3, expect: [200], run: () => get(`/dashboard/links/${pick(seeded).id}/analytics`, { cookie: session, accept: 'text/html' }) },
    );
  }
  return ops;
}

/** Average RSS per tenth of the run, to show the shape (warm-up, plateau) and not only two numbers. */
function trend(samples: { at: number; kb: number }[]): string {
  const tenth = Math.max(1, Math.floor(samples.length / 10));
  const out: string[] = [];
  for (let i = 0; i + tenth <= samples.length; i += tenth) out.push((samples.slice(i, i + tenth).reduce((n, s) => n + s.kb, 0) / tenth / 1024).toFixed(0));
  return out.join(' ');
}

async function signIn(base: string): Promise<string> {
  const form = await fetch(`${base}/login`);
  const nonce = (form.headers.get('set-cookie') ?? '').split(';')[0]!;
  const token = /name="_csrf" value="([^"]+)"/.exec(await form.text())?.[1];
  if (!token) return '';
  const res = await fetch(`${base}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie: nonce, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ email: EMAIL, password: PASSWORD, _csrf: token }),
  });
  return res.status === 303 ? (res.headers.get('set-cookie') ?? '').split(';')[0]! : '';
}

beforeAll(async () => {
  app = appliance();
  key = await provision(app, EMAIL);
  server = await app.serve();
  for (let i = 0; i < 200; i++) {
    const res = await fetch(`${server.base}/api/v1/links`, json({ original_url: `https://example.com/seed/${i}`, title: `seed ${i}` }));
    const body = (await res.json()) as { id: number; short_code: string };
    seeded.push({ id: body.id, code: body.short_code });
  }
  session = await signIn(server.base);
}, 120_000);

afterAll(() => app?.cleanup());

describe(`soak: ${SECONDS} s of mixed load on the compiled binary (after ${WARMUP_MS / 1000} s of warm-up)`, () => {
  test(
    'zero 5xx, every answer as documented, resident memory flat',
    async () => {
      expect(session).toStartWith('shrinkray_session=');
      const ops = operations(server.base);
      const total = ops.reduce((n, o) => n + o.weight, 0);
      const choose = () => {
        let r = Math.random() * total;
        for (const o of ops) if ((r -= o.weight) < 0) return o;
        return ops[0]!;
      };
      const counts = new Map<string, number>();
      const unexpected = new Map<string, number>();
      let requests = 0;
      let fiveXx = 0;

      const samples: { at: number; kb: number }[] = [];
      const started = performance.now();
      let died: string | null = null;
      const sampler = setInterval(() => {
        if (server.proc.exitCode !== null || server.proc.signalCode !== null) {
          died ??= `the server died after ${((performance.now() - started) / 1000).toFixed(1)} s (exit ${server.proc.exitCode}, signal ${server.proc.signalCode}); its last output:\n${server.output().slice(-4000)}`;
          return;
        }
        samples.push({ at: performance.now() - started, kb: rssKb(server.proc.pid) });
      }, SAMPLE_MS);
      const load = loops(WORKERS, async () => {
        if (died || performance.now() - started >= WARMUP_MS + SECONDS * 1000) return false;
        const op = choose();
        const res = await op.run();
        await res.arrayBuffer();
        requests++;
        counts.set(op.name, (counts.get(op.name) ?? 0) + 1);
        if (res.status >= 500) fiveXx++;
        if (!op.expect.includes(res.status)) unexpected.set(`${op.name} → ${res.status}`, (unexpected.get(`${op.name} → ${res.status}`) ?? 0) + 1);
      });
      await load.done;
      clearInterval(sampler);
      if (died) throw new Error(died);
      const elapsed = (performance.now() - started) / 1000;

      const steady = samples.filter((s) => s.at >= WARMUP_MS);
      const third = Math.floor(steady.length / 3);
      const avg = (xs: typeof steady) => xs.reduce((n, s) => n + s.kb, 0) / xs.length;
      const first = avg(steady.slice(0, third));
      const last = avg(steady.slice(-third));
      const mb = (kb: number) => (kb / 1024).toFixed(1);
      console.log(
        `soak: ${SECONDS} s after a ${(WARMUP_MS / 1000).toFixed(0)} s warm-up, ${WORKERS} connections, ${requests} requests (${(requests / elapsed).toFixed(0)}/s), ${fiveXx} 5xx, ${load.errors} connection errors; ` +
          `RSS after the warm-up: first third ${mb(first)} MB, last third ${mb(last)} MB (${((last / first - 1) * 100).toFixed(1)}%), ` +
          `peak ${mb(Math.max(...samples.map((s) => s.kb)))} MB\n  RSS by tenth of the run (MB): ${trend(samples)}\n  ${[...counts].map(([k, n]) => `${k} ${n}`).join(', ')}`,
      );

      // failures a client never sees: click flushes that were retried, errors the server logged
      const metrics = await (await fetch(`${server.base}/metrics`)).text();
      const counter = (name: string) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\d+)`, 'm').exec(metrics)?.[1] ?? 0);
      const flushErrors = counter('shrinkray_click_flush_errors_total');
      expect(counter('shrinkray_clicks_flushed_total')).toBeGreaterThan(0);
      const loggedErrors = server.output().split('\n').filter((l) => / error /.test(l));

      expect(fiveXx).toBe(0);
      expect(load.errors).toBe(0);
      expect(flushErrors).toBe(0);
      expect(loggedErrors).toEqual([]);
      expect([...unexpected]).toEqual([]);
      expect(requests).toBeGreaterThan((SECONDS + WARMUP_MS / 1000) * 100);
      expect(third).toBeGreaterThanOrEqual(3);
      expect(last).toBeLessThanOrEqual(first * 1.2);

      expect(await server.stop('SIGTERM', 20_000)).toBe(0);
      const db = app.open();
      try {
        expect(db.query('PRAGMA integrity_check').all()).toEqual([{ integrity_check: 'ok' }]);
        // the database grows with the run; SQLite's page cache (32 MB per connection, two connections) follows it up to its cap
        const rows = (table: string) => db.query<{ n: number }, []>(`SELECT count(*) AS n FROM ${table}`).get()!.n;
        console.log(`soak: database ${(statSync(join(app.dir, 'data', 'shrinkray.db')).size / 1e6).toFixed(1)} MB after the run: ${rows('links')} links, ${rows('clicks')} clicks`);
      } finally {
        db.close();
      }
    },
    WARMUP_MS + SECONDS * 1000 + 120_000,
  );
});
