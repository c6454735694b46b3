/** The server's click writer: clicks enriched and stored by the flush worker thread. */
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { makeTestApp, type TestApp } from '../helpers/make-test-app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await makeTestApp({ clickWriter: 'worker', env: { TRUST_PROXY: 'true' } });
});
afterAll(() => t.close());

const CHROME = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';

test('clicks go through the worker: enriched, counted, rolled up, raw IP never stored', async () => {
  const actor = await t.services.users.actorFor((await t.user('pro')).user);
  const { link } = await t.services.links.create(actor, { destination: 'https://example.com/w', title: 'w' });
  for (const ip of ['8.8.8.8', '8.8.8.8', '81.2.69.142']) {
    const res = await t.request('GET', `/${link.code}`, { headers: { 'user-agent': CHROME, 'x-forwarded-for': ip } });
    expect(res.status).toBe(302);
  }
  await t.request('GET', `/${link.code}`, { headers: { 'user-agent': 'facebookexternalhit/1.1', 'x-forwarded-for': '8.8.4.4' } });
  // the handler never writes: nothing is stored until the flush
  expect(t.services.db.sqlite.query('SELECT count(*) AS n FROM clicks').get()).toEqual({ n: 0 });
  await t.flush();
  const stored = await t.services.links.get(actor, link.id);
  expect([stored.totalClicks, stored.uniqueClicks]).toEqual([3, 2]);
  const a = await t.services.analytics.forLink(stored);
  expect(a.countries.find((c) => c.code === 'US')?.clicks).toBe(2);
  expect(a.browsers).toEqual([{ value: 'Chrome', clicks: 3 }]);
  const rows = JSON.stringify(t.services.db.sqlite.query('SELECT * FROM clicks').all());
  expect(rows).not.toContain('8.8.8.8');
  expect(t.services.db.sqlite.query('SELECT count(*) AS n FROM clicks WHERE is_bot = 1').get()).toEqual({ n: 1 });
  // the worker reports its own heap with each batch it writes
  const workerHeap = Number(/^shrinkray_flush_worker_js_heap_bytes (\d+)$/m.exec(t.services.metrics.render())?.[1]);
  expect(workerHeap).toBeGreaterThan(1e6);
});

test('shutdown writes every queued click before the worker stops', async () => {
  const app = await makeTestApp({ clickWriter: 'worker' });
  const actor = await app.services.users.actorFor((await app.user('pro')).user);
  const { link } = await app.services.links.create(actor, { destination: 'https://example.com/s', title: 's' });
  for (let i = 0; i < 50; i++) app.services.recorder.record({ linkId: link.id, at: Date.now(), ip: `203.0.113.${i}`, userAgent: CHROME, referrer: null, source: 'link' });
  await app.services.shutdown();
  expect(app.services.db.sqlite.query('SELECT total_clicks AS n FROM link_counters WHERE link_id = ?').get(link.id)).toEqual({ n: 50 });
  await app.close();
});

test('packing for the worker keeps every field, nulls and non-ASCII included, and neutralises separators', async () => {
  const { packChunks, unpackClicks } = await import('../../src/clicks/click-batch.ts');
  const clicks = [
    { linkId: 7, at: 1_700_000_000_123, ip: '2001:db8::1', userAgent: 'Mozilla/5.0\tTabbed\nTwice', referrer: null, source: 'qr' as const },
    { linkId: 8, at: 1_700_000_000_456, ip: null, userAgent: null, referrer: 'https://bücher.example/日本?😀', source: 'link' as const, viaApi: true },
  ];
  const chunks = packChunks(clicks);
  expect(chunks).toHaveLength(1);
  expect(chunks[0]!.buffer).toBeInstanceOf(SharedArrayBuffer);
  expect(unpackClicks(chunks)).toEqual([{ ...clicks[0]!, userAgent: 'Mozilla/5.0 Tabbed Twice' }, clicks[1]!]);
  // chunks are read in order; a header past what is read of it (1,024 characters) is cut there
  const long = { ...clicks[1]!, referrer: `https://example.com/${'x'.repeat(300_000)}` };
  const many = packChunks([clicks[0]!, long, clicks[1]!, clicks[0]!], 2);
  expect(many).toHaveLength(2);
  expect(unpackClicks(many).map((c) => c.referrer?.length ?? c.linkId)).toEqual([7, 1024, clicks[1]!.referrer!.length, 7]);
});

test('a flush worker whose thread dies is replaced by the next write; no click is lost and nothing hangs', async () => {
  const threads: Worker[] = [];
  const app = await makeTestApp({ clickWriter: 'worker', spawnWorker: (url) => threads[threads.push(new Worker(url)) - 1]! });
  const actor = await app.services.users.actorFor((await app.user('pro')).user);
  const { link } = await app.services.links.create(actor, { destination: 'https://example.com/d', title: 'd' });
  const record = (n: number) => {
    for (let i = 0; i < n; i++) app.services.recorder.record({ linkId: link.id, at: Date.now(), ip: `203.0.113.${i}`, userAgent: CHROME, referrer: null, source: 'link' });
  };
  const total = () => (app.services.db.sqlite.query('SELECT total_clicks AS n FROM link_counters WHERE link_id = ?').get(link.id) as { n: number } | null)?.n ?? 0;
  record(10);
  await app.flush();
  expect([threads.length, total()]).toEqual([1, 10]);

  const stopped = new Promise((r) => threads[0]!.addEventListener('close', r));
  threads[0]!.terminate(); // as if it had crashed
  await stopped;
  record(15);
  await app.flush();
  expect([threads.length, total()]).toEqual([2, 25]);
  await app.services.shutdown();
  await app.close();
});

test("the worker keeps CLICK_RETENTION_DAYS and folds past days after its batch: raw clicks past it go, every count stays", async () => {
  const DAY = 86_400_000;
  const app = await makeTestApp({ clickWriter: 'worker', env: { CLICK_RETENTION_DAYS: '30' } });
  const actor = await app.services.users.actorFor((await app.user('pro')).user);
  const { link } = await app.services.links.create(actor, { destination: 'https://example.com/r', title: 'r' });
  for (const [ago, i] of [[40, 1], [45, 2], [1, 3], [0, 1]]) {
    app.services.recorder.record({ linkId: link.id, at: Date.now() - ago! * DAY, ip: `203.0.113.${i}`, userAgent: CHROME, referrer: null, source: 'link' });
  }
  await app.flush();
  // the upkeep runs after the worker has answered the write: waited for here, as an operator would
  const raw = () => (app.services.db.sqlite.query('SELECT count(*) AS n FROM clicks WHERE link_id = ?').get(link.id) as { n: number }).n;
  const pastProfiles = () => (app.services.db.sqlite.query("SELECT count(*) AS n FROM click_profiles WHERE day < date('now')").get() as { n: number }).n;
  for (let waited = 0; (raw() > 2 || pastProfiles() > 0) && waited < 5000; waited += 20) await Bun.sleep(20);
  expect([raw(), pastProfiles()]).toEqual([2, 0]);
  const stored = await app.services.links.get(actor, link.id);
  expect([stored.totalClicks, stored.uniqueClicks]).toEqual([4, 3]);
  const day = (ago: number) => new Date(Date.now() - ago * DAY).toISOString().slice(0, 10);
  const a = await app.services.analytics.forLink(stored, { from: day(60), to: day(0) });
  expect([a.summary.totalClicks, a.summary.uniqueClicks]).toEqual([4, 3]);
  expect(a.clicksOverTime.filter((d) => d.clicks > 0).map((d) => d.day)).toEqual([day(45), day(40), day(1), day(0)]);
  await app.close();
});
