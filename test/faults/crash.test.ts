/**
 * Crash safety of the compiled appliance, under a concurrent load of link
 * creations (POST /api/v1/links) and redirects (GET /{code}) from 127.0.0.1.
 *
 * kill -9 mid-load, then restart on the same folder:
 *   - every link whose create was acknowledged (201 received) exists, with
 *     its destination, and redirects there;
 *   - PRAGMA integrity_check is "ok" and foreign keys hold; click rows,
 *     link counters and daily rollups agree (each flush is one transaction),
 *     and so do each user's links and their count;
 *   - clicks lost ≤ the redirects completed in the last CRASH_WINDOW_MS
 *     (1500 ms) before the kill. Why that bound: a redirect queues its click
 *     in memory before answering, and the queue is written every 1000 ms in
 *     one transaction (WAL, synchronous=NORMAL: a committed flush survives a
 *     process crash). What a kill can lose is what was queued since the last
 *     committed flush — one flush interval, plus the few milliseconds a flush
 *     takes and timer slack under load; 1.5 s covers that with margin.
 * SIGTERM mid-load, then reopen: the server stops accepting, lets in-flight
 * requests finish and writes the whole queue before exiting 0, so every
 * completed redirect is recorded: recorded == completed, exactly.
 *
 * Figures are printed (creates, redirects, clicks recorded and lost).
 * CRASH_LOAD_MS sets how long the load runs before the kill (default 4000,
 * so the 1.5 s window is well inside the run).
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { BROWSER_UA } from '../helpers/binary.ts';
import { appliance, loops, provision, type Appliance } from './faults-kit.ts';

const LOAD_MS = Number(process.env.CRASH_LOAD_MS ?? 4000);
const CRASH_WINDOW_MS = 1500;
const CREATORS = 4;
const CLICKERS = 32;
// creates are paced to run for the whole load (a few hundred), so some are in flight when the kill lands
const CREATE_PAUSE_MS = 20;

let app: Appliance;
let key = '';

interface Acked {
  id: number;
  code: string;
  destination: string;
}

/**
 * Creates and clicks against base until stopped. Clicks go to codes already
 * acknowledged in this run, so every completed redirect names a link we know.
 */
function load(base: string, tag: string) {
  const acked: Acked[] = [];
  const completed: number[] = []; // when each 302 arrived (performance.now())
  let sent = 0;
  let seq = 0;
  const creators = loops(CREATORS, async () => {
    await Bun.sleep(CREATE_PAUSE_MS);
    const destination = `https://example.com/${tag}/${++seq}?q=${seq * 7}`;
    const res = await fetch(`${base}/api/v1/links`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ original_url: destination, title: `${tag} ${seq}` }),
    });
    if (res.status === 201) {
      const body = (await res.json()) as { id: number; short_code: string; original_url: string };
      acked.push({ id: body.id, code: body.short_code, destination: body.original_url });
    } else {
      throw new Error(`create answered ${res.status}: ${await res.text()}`);
    }
  });
  const clickers = loops(CLICKERS, async () => {
    if (acked.length === 0) return void (await Bun.sleep(5));
    const link = acked[Math.floor(Math.random() * acked.length)]!;
    sent++;
    const res = await fetch(`${base}/${link.code}`, { redirect: 'manual', headers: { 'user-agent': BROWSER_UA } });
    await res.arrayBuffer();
    if (res.status === 302) completed.push(performance.now());
    else throw new Error(`redirect answered ${res.status}`);
  });
  return {
    acked,
    completed,
    get sent() {
      return sent;
    },
    get errors() {
      return creators.errors + clickers.errors;
    },
    stop: () => Promise.all([creators.stop(), clickers.stop()]),
  };
}

/** Waits until the load has done something worth crashing, or LOAD_MS has passed. */
async function warm(l: ReturnType<typeof load>) {
  const started = performance.now();
  while (performance.now() - started < LOAD_MS || l.acked.length < 50 || l.completed.length < 500) {
    if (performance.now() - started > LOAD_MS * 4) break;
    await Bun.sleep(50);
  }
}

function checkIntegrity(db: ReturnType<Appliance['open']>) {
  expect(db.query<{ integrity_check: string }, []>('PRAGMA integrity_check').all()).toEqual([{ integrity_check: 'ok' }]);
  expect(db.query('PRAGMA foreign_key_check').all()).toEqual([]);
  // each user's count of live links (kept by triggers, in the create's transaction) is the rows'
  const counted = db.query('SELECT user_id, count(*) AS live FROM links WHERE user_id IS NOT NULL AND deleted_at IS NULL GROUP BY user_id ORDER BY user_id').all();
  expect(db.query('SELECT user_id, live FROM user_link_counts WHERE live <> 0 ORDER BY user_id').all()).toEqual(counted);
  expect(counted.length).toBeGreaterThan(0);
  // and so is the count of all live links
  expect(db.query('SELECT live FROM live_link_total').all()).toEqual(db.query('SELECT count(*) AS live FROM links WHERE deleted_at IS NULL').all());
}

/** Clicks of the given links, three ways that one flush transaction keeps equal. */
function clicksOf(db: ReturnType<Appliance['open']>, ids: number[]) {
  const list = ids.join(',') || '0';
  const rows = db.query<{ n: number }, []>(`SELECT count(*) AS n FROM clicks WHERE is_bot = 0 AND link_id IN (${list})`).get()!.n;
  const counters = db.query<{ n: number | null }, []>(`SELECT sum(total_clicks) AS n FROM link_counters WHERE link_id IN (${list})`).get()!.n ?? 0;
  // days already folded into rollups, plus the current day's profiles
  const rollups =
    (db.query<{ n: number | null }, []>(`SELECT sum(clicks) AS n FROM click_rollups WHERE dim = 'total' AND link_id IN (${list})`).get()!.n ?? 0) +
    (db.query<{ n: number | null }, []>(`SELECT sum(clicks) AS n FROM click_profiles WHERE is_bot = 0 AND link_id IN (${list})`).get()!.n ?? 0);
  return { rows, counters, rollups };
}

beforeAll(async () => {
  app = appliance();
  key = await provision(app, 'crash@example.com');
}, 120_000);

afterAll(() => app?.cleanup());

describe('compiled server under create-and-click load', () => {
  test(
    'kill -9 mid-load: acknowledged links survive, the database is intact, clicks lost ≤ the last flush interval',
    async () => {
      const server = await app.serve();
      const l = load(server.base, 'kill');
      await warm(l);
      server.proc.kill('SIGKILL');
      const killedAt = performance.now();
      await server.proc.exited;
      await l.stop();

      const completed = l.completed.length;
      const inWindow = l.completed.filter((at) => at >= killedAt - CRASH_WINDOW_MS).length;
      const restarted = await app.serve();
      const db = app.open();
      try {
        checkIntegrity(db);
        const missing = l.acked.filter((a) => db.query<{ destination: string }, [number, string]>('SELECT destination FROM links WHERE id = ? AND code = ? AND deleted_at IS NULL').get(a.id, a.code)?.destination !== a.destination);
        expect(missing).toEqual([]);
        const clicks = clicksOf(
          db,
          l.acked.map((a) => a.id),
        );
        expect(clicks.counters).toBe(clicks.rows);
        expect(clicks.rollups).toBe(clicks.rows);
        const lost = completed - clicks.rows;
        // completions arrive in order and the lost clicks are the newest: how much traffic they were
        const lostSpan = lost > 0 ? killedAt - l.completed[completed - lost]! : 0;
        console.log(
          `crash (kill -9): ${l.acked.length} creates acknowledged, ${completed} redirects completed (${l.sent} sent), ` +
            `${clicks.rows} clicks recorded, ${lost} lost (the last ${lostSpan.toFixed(0)} ms of traffic); bound = ${inWindow} redirects completed in the last ${CRASH_WINDOW_MS} ms`,
        );
        expect(l.acked.length).toBeGreaterThanOrEqual(50);
        expect(completed).toBeGreaterThanOrEqual(500);
        expect(clicks.rows).toBeGreaterThanOrEqual(completed - inWindow);
        // a click is queued before its 302 is written, so a redirect cut off by the kill may be counted; never more than were sent
        expect(clicks.rows).toBeLessThanOrEqual(l.sent);
      } finally {
        db.close();
      }
      // every acknowledged link still redirects where it should
      for (const a of l.acked) {
        const res = await fetch(`${restarted.base}/${a.code}`, { redirect: 'manual', headers: { 'user-agent': 'curl/8' } });
        expect([a.code, res.status, res.headers.get('location')]).toEqual([a.code, 302, a.destination]);
      }
      // one server per DATA_DIR: the next test starts its own
      expect(await restarted.stop('SIGTERM')).toBe(0);
    },
    90_000,
  );

  test(
    'SIGTERM mid-load: exit 0 and every completed redirect is recorded (recorded == completed)',
    async () => {
      const server = await app.serve();
      const l = load(server.base, 'term');
      await warm(l);
      const exit = server.stop('SIGTERM', 20_000);
      const code = await exit;
      await l.stop();
      expect(code).toBe(0);

      const db = app.open();
      try {
        checkIntegrity(db);
        const missing = l.acked.filter((a) => db.query<{ destination: string }, [number]>('SELECT destination FROM links WHERE id = ?').get(a.id)?.destination !== a.destination);
        expect(missing).toEqual([]);
        const clicks = clicksOf(
          db,
          l.acked.map((a) => a.id),
        );
        console.log(`crash (SIGTERM): ${l.acked.length} creates acknowledged, ${l.completed.length} redirects completed (${l.sent} sent), ${clicks.rows} clicks recorded`);
        expect(l.completed.length).toBeGreaterThanOrEqual(500);
        expect(clicks.rows).toBe(l.completed.length);
        expect(clicks.counters).toBe(clicks.rows);
        expect(clicks.rollups).toBe(clicks.rows);
      } finally {
        db.close();
      }
    },
    90_000,
  );
});
