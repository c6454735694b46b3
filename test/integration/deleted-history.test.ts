/**
 * A deleted link's click history is erased by the click upkeep
 * (deleted-history.repo.ts): its raw clicks, visitor hashes, rollups,
 * profiles, counter and schedules, a chunk at a time, whichever way it was
 * deleted; the row itself stays (its code is never issued again), and no
 * other link's history is touched.
 */
import { afterEach, expect, test } from 'bun:test';
import type { Actor } from '../../src/accounts/accounts.types.ts';
import { createClicksRepo } from '../../src/clicks/clicks.repo.ts';
import type { EnrichedClick } from '../../src/clicks/clicks.types.ts';
import { createDeletedHistoryRepo } from '../../src/clicks/deleted-history.repo.ts';
import { makeTestApp, type TestApp } from '../helpers/make-test-app.ts';

const DAY = 86_400_000;
const NOW = Date.now();
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

let t: TestApp;
afterEach(() => t.close());

const TABLES = ['clicks', 'link_visitors', 'click_rollups', 'click_profiles', 'link_counters', 'link_schedules'] as const;
/** rows of each history table for a link */
const rowsOf = (linkId: number) =>
  Object.fromEntries(TABLES.map((table) => [table, t.sqlite.query<{ n: number }, [number]>(`SELECT count(*) AS n FROM ${table} WHERE link_id = ?`).get(linkId)!.n])) as Record<(typeof TABLES)[number], number>;

function click(linkId: number, daysAgo: number, i: number): EnrichedClick {
  return {
    linkId, at: NOW - daysAgo * DAY, referrerDomain: `ref-${i % 9}.example`, countryCode: 'DE', deviceType: 'desktop', os: 'Linux',
    browser: 'Firefox', isBot: false, source: 'link', visitorHash: `visitor-${linkId}-${i}`,
  };
}

async function setUp() {
  t = await makeTestApp();
  const owner = await t.user('pro');
  const actor: Actor = await t.services.users.actorFor(owner.user);
  const make = async (path: string) =>
    (await t.services.links.create(actor, { destination: `https://example.com/${path}`, title: `The ${path} page`, metadata: 'none', schedules: [{ startsAt: NOW + DAY, endsAt: NOW + 2 * DAY, destination: 'https://example.com/later' }] })).link;
  const gone = await make('gone');
  const kept = await make('kept');
  const repo = createClicksRepo(t.sqlite);
  // 40 clicks a day on 30 past days and today for each: past days folded into rollups, today in profiles
  await repo.writeBatch([gone, kept].flatMap((l) => Array.from({ length: 31 }, (_, d) => Array.from({ length: 40 }, (_, i) => click(l.id, d, d * 40 + i))).flat(2)));
  await repo.foldDaysBefore(isoDay(NOW));
  return { owner, actor, gone, kept };
}

test('a link deleted from the dashboard or the native API has its history erased by the next upkeep; the other link keeps all of its own', async () => {
  const { owner, gone, kept } = await setUp();
  const keptBefore = rowsOf(kept.id);
  for (const table of TABLES) expect(rowsOf(gone.id)[table]).toBeGreaterThan(0);

  expect((await t.request('DELETE', `/api/v1/links/${gone.id}`, { headers: owner.auth })).status).toBe(200);
  // the upkeep follows a batch written: one more click on the kept link, flushed
  await t.request('GET', `/${kept.code}`, { headers: { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64; rv:131.0) Gecko/20100101 Firefox/131.0' } });
  await t.flush();

  expect(rowsOf(gone.id)).toEqual({ clicks: 0, link_visitors: 0, click_rollups: 0, click_profiles: 0, link_counters: 0, link_schedules: 0 });
  const keptAfter = rowsOf(kept.id);
  expect(keptAfter.clicks).toBe(keptBefore.clicks + 1);
  expect(keptAfter.link_visitors).toBeGreaterThanOrEqual(keptBefore.link_visitors);
  expect(keptAfter.click_rollups).toBe(keptBefore.click_rollups);
  expect(keptAfter.link_schedules).toBe(1);
  // the row stays, and with it the code (nobody else can take it), emptied of what it said
  expect(t.sqlite.query('SELECT code, user_id, destination, title, label_user_agent FROM links WHERE id = ? AND deleted_at IS NOT NULL').get(gone.id)).toEqual({
    code: gone.code, user_id: owner.user.id, destination: '', title: null, label_user_agent: null,
  });
  expect(t.sqlite.query<{ destination: string }, [number]>('SELECT destination FROM links WHERE id = ?').get(kept.id)?.destination).toBe('https://example.com/kept');
  const other = await t.user('pro');
  const taken = await t.request('POST', '/api/v1/links', { headers: other.auth, body: { original_url: 'https://example.com/mine', alias: gone.code } });
  expect(taken.status).toBe(422);
  // the kept link's numbers are whole
  const analytics = await (await t.request('GET', `/api/v1/links/${kept.id}/analytics`, { headers: owner.auth })).json();
  expect(analytics.summary.total_clicks).toBe(31 * 40 + 1);
});

test('erased a chunk of rows a transaction; stopped between two, the link is taken up again and finished next time, after a restart too; a clock stepped back misses none', async () => {
  const { actor, gone, kept } = await setUp();
  await t.services.links.remove(actor, gone.id);
  const eraser = createDeletedHistoryRepo(t.sqlite);
  let pauses = 0;
  // stopped after the third chunk: the link is not done
  expect(await eraser.eraseNext(100, async () => ++pauses < 3)).toBe(false);
  expect(pauses).toBe(3);
  const partly = rowsOf(gone.id);
  expect(partly.clicks).toBe(31 * 40 - 300); // three chunks of 100 raw clicks
  expect(partly.link_counters).toBe(1);

  // a new repository on the same database (as after a restart) finishes it, then finds nothing left
  const again = createDeletedHistoryRepo(t.sqlite);
  pauses = 0;
  expect(await again.eraseNext(100, async () => (pauses++, true))).toBe(true);
  expect(pauses).toBeGreaterThan(10); // 940 raw clicks, 1,240 visitors, the rollups: a chunk each pause
  expect(Object.values(rowsOf(gone.id)).every((n) => n === 0)).toBe(true);
  expect(await createDeletedHistoryRepo(t.sqlite).eraseNext(100, async () => true)).toBe(false);
  expect(rowsOf(kept.id).clicks).toBe(31 * 40);

  // a link deleted later is found too, even one whose deletion time is before the last erased one's
  // (a clock stepped back between the two deletions)
  await t.services.links.remove(actor, kept.id);
  t.sqlite.run('UPDATE links SET deleted_at = (SELECT deleted_at FROM links WHERE id = ?) - 60000 WHERE id = ?', [gone.id, kept.id]);
  expect(await again.eraseNext(5000, async () => true)).toBe(true);
  expect(rowsOf(kept.id).clicks).toBe(0);
  expect(await again.eraseNext(5000, async () => true)).toBe(false);
});
