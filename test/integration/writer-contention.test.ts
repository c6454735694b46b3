/**
 * The click writer commits on its own connection (flush worker) while main-thread transactions that read
 * before they write (links.repo update / insertMany with a plan limit, keys.repo insert, users.repo asAdmin)
 * run as deferred BEGIN: their read snapshot is stale once the writer commits, the upgrade to a write fails
 * with SQLITE_BUSY (snapshot) at once — busy_timeout does not retry it — and the request answers 503.
 * Live server: ~1.5% of lnkz PUTs and ~7% of creates on a plan with max-links answered 503 under ~5,000
 * clicks/s (race/busy.ts, race/busy-create.ts). Fails before `{ behavior: 'immediate' }`.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { join } from 'node:path';
import { makeTestApp, type TestApp } from '../helpers/make-test-app.ts';

let t: TestApp;
beforeAll(async () => (t = await makeTestApp()));
afterAll(() => t.close());

/** Another connection (as the flush worker's) takes the write lock, holds it `ms`, writes and commits. */
async function otherWriterCommitsIn(ms: number) {
  const db = join(t.dir, 'shrinkray.db');
  const script = `const { Database } = require('bun:sqlite'); const d = new Database(${JSON.stringify(db)});
    d.exec('PRAGMA busy_timeout = 5000'); d.exec('BEGIN IMMEDIATE'); d.exec("INSERT INTO link_visitors (link_id, visitor_hash) VALUES (1, '" + Math.random() + "')");
    console.log('locked'); Bun.sleepSync(${ms}); d.exec('COMMIT'); d.close();`;
  const p = Bun.spawn([process.execPath, '-e', script], { stdout: 'pipe' });
  const reader = p.stdout.getReader();
  await reader.read(); // 'locked'
  return p;
}

test('an edit while the click writer commits is not a 503', async () => {
  const u = await t.user('pro');
  const created = await t.request('POST', '/api/v1/urls', { headers: u.auth, body: { url: 'https://example.com/a' } });
  const id = (await created.json()).data.id;
  const other = await otherWriterCommitsIn(150);
  const res = await t.request('PUT', `/api/v1/urls/${id}`, { headers: u.auth, body: { url: 'https://example.com/b' } });
  await other.exited;
  expect(res.status).toBe(200);
});

test('a create on a plan with a link limit while the click writer commits is not a 503', async () => {
  const u = await t.user('pro'); // pro: max 10,000 links, so the insert counts first
  await t.request('GET', '/api/v1/urls', { headers: u.auth }); // the key's first use writes last_used_at: not inside the window
  const other = await otherWriterCommitsIn(150);
  const res = await t.request('POST', '/api/v1/urls', { headers: u.auth, body: { url: 'https://example.com/c' } });
  await other.exited;
  expect(res.status).toBe(201);
});
