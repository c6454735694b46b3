/**
 * Raw click retention (CLICK_RETENTION_DAYS): the click writer deletes raw
 * click rows past it, a chunk at a time, and no analytics number anywhere
 * changes, because every report reads the rollups, profiles, counters and
 * link_visitors, never the raw rows.
 */
import { afterEach, describe, expect, test } from 'bun:test';
import type { Actor } from '../../src/accounts/accounts.types.ts';
import { createClickRetentionRepo, PURGE_CLICKS_SQL } from '../../src/clicks/click-retention.repo.ts';
import { createClickUpkeep } from '../../src/clicks/click-upkeep.ts';
import { createDeletedHistoryRepo } from '../../src/clicks/deleted-history.repo.ts';
import { createClicksRepo } from '../../src/clicks/clicks.repo.ts';
import { createPlannerStats } from '../../src/db/planner-stats.ts';
import type { EnrichedClick } from '../../src/clicks/clicks.types.ts';
import type { Link } from '../../src/links/links.types.ts';
import { makeTestApp, type TestApp } from '../helpers/make-test-app.ts';
import { loginThroughForm } from '../helpers/web-login.ts';

const DAY = 86_400_000;
const NOW = Date.now();
const CHROME = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36';
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

let t: TestApp;
afterEach(() => t.close());

async function setUp(env: Record<string, string>) {
  t = await makeTestApp({ env: { TRUST_PROXY: 'true', ...env }, now: () => NOW });
  const owner = await t.user('pro');
  const actor: Actor = await t.services.users.actorFor(owner.user);
  const link: Link = (await t.services.links.create(actor, { destination: 'https://example.com/kept', title: 'Kept' })).link;
  return { owner, actor, link };
}

/** Raw rows of a link per days-ago (as of NOW). */
function rawDays(linkId: number): Record<number, number> {
  const rows = t.sqlite.query<{ ago: number; n: number }, [number, number]>(
    'SELECT ?2 - clicked_at / 86400000 AS ago, count(*) AS n FROM clicks WHERE link_id = ?1 GROUP BY ago ORDER BY ago',
  ).all(linkId, Math.floor(NOW / DAY));
  return Object.fromEntries(rows.map((r) => [r.ago, r.n]));
}

function click(linkId: number, daysAgo: number, i: number): EnrichedClick {
  return {
    linkId, at: NOW - daysAgo * DAY, referrerDomain: ['t.co', null, 'github.com'][i % 3]!, countryCode: ['DE', 'US', null][i % 3]!,
    deviceType: i % 7 === 0 ? 'bot' : i % 2 ? 'mobile' : 'desktop', os: 'Linux', browser: i % 2 ? 'Firefox' : 'Chrome', isBot: i % 7 === 0,
    source: i % 4 ? 'link' : 'qr', visitorHash: `visitor-${i % 5}`,
  };
}

describe('CLICK_RETENTION_DAYS', () => {
  test('the purge deletes raw clicks past the limit and keeps newer ones; every analytics number of every API and the dashboard is the same', async () => {
    const { owner, link } = await setUp({ CLICK_RETENTION_DAYS: '0' }); // kept while the history is written
    const other = (await t.services.links.create(await t.services.users.actorFor(owner.user), { destination: 'https://example.com/other' })).link;
    const repo = createClicksRepo(t.sqlite);
    const ages = [200, 120, 91, 89, 10, 0];
    await repo.writeBatch(ages.flatMap((ago, d) => Array.from({ length: 6 }, (_, i) => [click(link.id, ago, d * 6 + i), click(other.id, ago, i)]).flat()));
    await repo.foldDaysBefore(isoDay(NOW)); // past days in the rollups, today in the profiles, as the flusher leaves them
    expect(rawDays(link.id)).toEqual({ 0: 6, 10: 6, 89: 6, 91: 6, 120: 6, 200: 6 });

    const from = isoDay(NOW - 250 * DAY);
    const to = isoDay(NOW);
    const web = await loginThroughForm((r) => t.app.handle(r), owner, '192.0.2.31');
    const cookie = { cookie: web.cookie };
    const snapshot = async () => ({
      native: await (await t.request('GET', `/api/v1/links/${link.id}/analytics?from=${from}&to=${to}`, { headers: owner.auth })).json(),
      nativeLink: await (await t.request('GET', `/api/v1/links/${link.id}`, { headers: owner.auth })).json(),
      stats: await (await t.request('GET', `/api/v1/stats/${link.code}`, { headers: owner.auth })).json(),
      statsExport: await (await t.request('GET', `/api/v1/stats/${link.code}/export?from=${from}&to=${to}&format=json`, { headers: owner.auth })).json(),
      dashboardCsv: await (await t.request('GET', `/dashboard/links/${link.id}/analytics.csv?from=${from}&to=${to}`, { headers: cookie })).text(),
      dashboard: await (await t.request('GET', `/dashboard/links/${link.id}/analytics?from=${from}&to=${to}`, { headers: cookie })).text(),
    });
    const before = await snapshot();
    // every day's clicks are in the reports, the days whose raw rows are about to go included (a seventh of them bots)
    expect(before.native.summary).toMatchObject({ total_clicks: 30, unique_clicks: 5 });
    expect(before.native.breakdown.clicks_over_time.map((d: { date: string }) => d.date)).toEqual(ages.map((ago) => isoDay(NOW - ago * DAY)));
    expect(before.dashboardCsv).toContain(`day,${isoDay(NOW - 200 * DAY)},,5,5,`);

    const upkeep = createClickUpkeep({ clicks: repo, retention: createClickRetentionRepo(t.sqlite), deleted: createDeletedHistoryRepo(t.sqlite), retentionDays: 90, stats: createPlannerStats(t.sqlite), now: () => NOW, pause: async () => undefined });
    await upkeep.run();
    expect(rawDays(link.id)).toEqual({ 0: 6, 10: 6, 89: 6 });
    expect(rawDays(other.id)).toEqual({ 0: 6, 10: 6, 89: 6 });
    expect(await snapshot()).toEqual(before);
  });

  test('the purge reads the day-and-link index, and deletes a few thousand rows per transaction', async () => {
    const { link } = await setUp({ CLICK_RETENTION_DAYS: '0' });
    const explain = t.sqlite.prepare<{ detail: string }, [number, number]>(`EXPLAIN QUERY PLAN ${PURGE_CLICKS_SQL}`);
    const plan = explain.all(1, 1).map((r) => r.detail);
    explain.finalize();
    expect(plan).toContain('SEARCH clicks USING INTEGER PRIMARY KEY (rowid=?)');
    expect(plan).toContain('SEARCH clicks USING COVERING INDEX clicks_day_link_idx (<expr><?)');

    const repo = createClicksRepo(t.sqlite);
    await repo.writeBatch(Array.from({ length: 9000 }, (_, i) => click(link.id, 100 + (i % 3), i)));
    const chunks: number[] = [];
    let left = 9000;
    const upkeep = createClickUpkeep({
      clicks: repo, retention: createClickRetentionRepo(t.sqlite), deleted: createDeletedHistoryRepo(t.sqlite), retentionDays: 90, stats: createPlannerStats(t.sqlite), now: () => NOW,
      pause: async () => {
        const n = Object.values(rawDays(link.id)).reduce((a, b) => a + b, 0);
        chunks.push(left - n);
        left = n;
      },
    });
    await upkeep.run();
    expect(rawDays(link.id)).toEqual({});
    expect(chunks.length).toBeGreaterThanOrEqual(2);
    for (const n of chunks) expect(n).toBeLessThanOrEqual(5000);
  });

  test('runs once a day: rows that turn old later wait for the next day', async () => {
    const { link } = await setUp({ CLICK_RETENTION_DAYS: '0' });
    let now = NOW;
    const repo = createClicksRepo(t.sqlite);
    const upkeep = createClickUpkeep({ clicks: repo, retention: createClickRetentionRepo(t.sqlite), deleted: createDeletedHistoryRepo(t.sqlite), retentionDays: 30, stats: createPlannerStats(t.sqlite), now: () => now, pause: async () => undefined });
    await repo.writeBatch([click(link.id, 40, 1), click(link.id, 29, 2)]);
    await upkeep.run();
    expect(rawDays(link.id)).toEqual({ 29: 1 });
    await repo.writeBatch([click(link.id, 45, 3)]); // a late click of an old day, written after today's purge
    await upkeep.run();
    expect(rawDays(link.id)).toEqual({ 29: 1, 45: 1 });
    now += 2 * DAY;
    await upkeep.run();
    expect(rawDays(link.id)).toEqual({});
  });

  test('the click writer honours it: raw clicks older than the limit are gone after a flush, still counted everywhere', async () => {
    const { actor, link } = await setUp({ CLICK_RETENTION_DAYS: '30' });
    for (const [ago, ip] of [[40, '198.51.100.1'], [45, '198.51.100.2'], [1, '198.51.100.3'], [0, '198.51.100.1']] as const) {
      t.services.recorder.record({ linkId: link.id, at: NOW - ago * DAY, ip, userAgent: CHROME, referrer: null, source: 'link' });
    }
    await t.flush();
    expect(rawDays(link.id)).toEqual({ 0: 1, 1: 1 });
    const stored = await t.services.links.get(actor, link.id);
    expect([stored.totalClicks, stored.uniqueClicks]).toEqual([4, 3]);
    const a = await t.services.analytics.forLink(stored, { from: isoDay(NOW - 60 * DAY), to: isoDay(NOW) });
    expect([a.summary.totalClicks, a.summary.uniqueClicks]).toEqual([4, 3]);
  });

  test('0 keeps raw clicks forever', async () => {
    const { link } = await setUp({ CLICK_RETENTION_DAYS: '0' });
    t.services.recorder.record({ linkId: link.id, at: NOW - 3000 * DAY, ip: '198.51.100.1', userAgent: CHROME, referrer: null, source: 'link' });
    await t.flush();
    expect(rawDays(link.id)).toEqual({ 3000: 1 });
  });
});
