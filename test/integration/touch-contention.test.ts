/**
 * A key's last_used_at and a dashboard session's sliding expiry are bookkeeping writes made while a
 * request is answered. Found by an audit of a server left running for months: with another writer
 * holding SQLite's write lock past busy_timeout (5 s: a long click fold, a backup, a CLI command), a
 * read-only GET /api/v1/links with a valid key waited 5.03 s and answered 503 (SQLITE_BUSY) for that
 * write alone, and so did a dashboard page. The touch is now tried without waiting for the lock and,
 * when refused, tried again by a later request. Before: ~5 s and 503 for both.
 */
import { Database } from 'bun:sqlite';
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { join } from 'node:path';
import { loginThroughForm } from '../helpers/web-login.ts';
import { BASE, makeTestApp, type TestApp } from '../helpers/make-test-app.ts';

let t: TestApp;
let clock = Date.now();
beforeAll(async () => (t = await makeTestApp({ now: () => clock, env: { TRUST_PROXY: 'true' } })));
afterAll(() => t.close());

/** Another connection to the same file (a backup, a CLI command) holding the write lock until released. */
function holdWriteLock(): { release(): void } {
  const other = new Database(join(t.dir, 'shrinkray.db'));
  other.exec('BEGIN IMMEDIATE');
  return {
    release() {
      other.exec('ROLLBACK');
      other.close();
    },
  };
}

async function timed(f: () => Promise<Response>): Promise<{ status: number; ms: number; res: Response }> {
  const started = performance.now();
  const res = await f();
  return { status: res.status, ms: performance.now() - started, res };
}

const lastUsed = (keyId: number) => (t.sqlite.query('SELECT last_used_at AS at FROM api_keys WHERE id = ?').get(keyId) as { at: number | null }).at;
const lastSeen = (userId: number) => (t.sqlite.query('SELECT last_seen_at AS at FROM sessions WHERE user_id = ?').get(userId) as { at: number }).at;

test('a keyed read answers at once while another writer holds the lock; last_used_at is written by a later request', async () => {
  const u = await t.user('pro');
  const [key] = await t.services.keys.list(u.user.id);
  expect(lastUsed(key!.id)).toBeNull();

  const lock = holdWriteLock();
  let held;
  try {
    held = await timed(() => t.request('GET', '/api/v1/links', { headers: u.auth }));
  } finally {
    lock.release();
  }
  expect(held.status).toBe(200);
  expect(held.ms).toBeLessThan(2000); // it waited the whole busy_timeout (5 s) before
  expect(lastUsed(key!.id)).toBeNull(); // refused, not marked done by the once-a-minute throttle
  // and every other write of the connection waits for the lock as before
  expect(t.sqlite.query('PRAGMA busy_timeout').get()).toEqual({ timeout: 5000 });

  const after = await t.request('GET', '/api/v1/links', { headers: u.auth });
  expect(after.status).toBe(200);
  expect(lastUsed(key!.id)).toBe(clock);
});

test('a revoked key is still refused while the lock is held (only the touch gives way)', async () => {
  const u = await t.user('pro');
  const [key] = await t.services.keys.list(u.user.id);
  await t.services.keys.revoke(u.user.id, key!.id);
  const lock = holdWriteLock();
  try {
    expect((await t.request('GET', '/api/v1/links', { headers: u.auth })).status).toBe(401);
  } finally {
    lock.release();
  }
});

test('a dashboard page answers at once while another writer holds the lock; the session is refreshed by a later page', async () => {
  const u = await t.user('pro');
  const handle = (r: Request) => t.app.handle(r);
  const { cookie } = await loginThroughForm(handle, u, '203.0.113.9');
  const signedIn = lastSeen(u.user.id);
  clock += 5 * 60_000; // past the once-a-minute refresh
  const page = () => handle(new Request(`${BASE}/dashboard`, { headers: { cookie, accept: 'text/html' } }));

  const lock = holdWriteLock();
  let held;
  try {
    held = await timed(page);
  } finally {
    lock.release();
  }
  expect(held.status).toBe(200);
  expect(held.ms).toBeLessThan(2000);
  expect(lastSeen(u.user.id)).toBe(signedIn);
  // not refreshed server side, so the cookie is not re-sent either
  expect(held.res.headers.get('set-cookie')).toBeNull();

  const after = await page();
  expect(after.status).toBe(200);
  expect(lastSeen(u.user.id)).toBe(clock);
  expect(after.headers.get('set-cookie')).toStartWith(cookie + ';');
});
