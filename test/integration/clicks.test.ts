/**
 * Click counting end to end: redirect → in-memory queue → batched flush →
 * counters, rollups and analytics. TRUST_PROXY is on so each request can say
 * who the visitor is through X-Forwarded-For (app.handle has no socket).
 */
import { afterEach, beforeEach, describe, expect, test } from 'bun:test';
import type { Actor } from '../../src/accounts/accounts.types.ts';
import { createClicksRepo, DELETED_SINCE_SQL } from '../../src/clicks/clicks.repo.ts';
import { ERASE_CLICKS_SQL } from '../../src/clicks/deleted-history.repo.ts';
import type { Link } from '../../src/links/links.types.ts';
import { BASE, makeTestApp, type TestApp } from '../helpers/make-test-app.ts';

const CHROME = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36';
const IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1';

let t: TestApp;
let actor: Actor;
let link: Link;

beforeEach(async () => {
  t = await makeTestApp({ env: { TRUST_PROXY: 'true' } });
  const { user } = await t.user('pro');
  actor = await t.services.users.actorFor(user);
  link = (await t.services.links.create(actor, { destination: 'https://example.com/counted', title: 'Counted' })).link;
});
afterEach(() => t.close());

const visit = (path: string, opts: { ua?: string; ip?: string; referer?: string } = {}) => {
  const headers: Record<string, string> = { 'x-forwarded-for': opts.ip ?? '198.51.100.7' };
  if (opts.ua !== '') headers['user-agent'] = opts.ua ?? CHROME;
  if (opts.referer) headers.referer = opts.referer;
  return t.app.handle(new Request(BASE + path, { headers }));
};
const counters = async () => {
  const l = await t.services.links.get(actor, link.id);
  return { total: l.totalClicks, unique: l.uniqueClicks };
};
const rawClicks = (id: number) => (t.services.db.sqlite.query('SELECT COUNT(*) AS n FROM clicks WHERE link_id = ?').get(id) as { n: number }).n;
// a QR code of the link: only then is a ?qr=1 visit a scan
const addQr = () => t.services.qr.create(actor, { name: 'Flyer', type: 'url', content: 'https://example.com/counted', errorCorrection: 'M', linkId: link.id });
const clickRows = () => (t.services.db.sqlite.query('SELECT COUNT(*) AS n FROM clicks').get() as { n: number }).n;

describe('recording clicks', () => {
  test('the redirect does not write to SQLite; clicks appear only after a flush', async () => {
    expect((await visit(`/${link.code}`)).status).toBe(302);
    expect(clickRows()).toBe(0);
    expect(t.services.recorder.depth).toBe(1);
    expect(await counters()).toEqual({ total: 0, unique: 0 });

    await t.flush();
    expect(clickRows()).toBe(1);
    expect(await counters()).toEqual({ total: 1, unique: 1 });
  });

  test('the same visitor twice is two clicks and one unique visitor', async () => {
    await visit(`/${link.code}`);
    await visit(`/${link.code}`);
    await t.flush();
    expect(await counters()).toEqual({ total: 2, unique: 1 });

    await visit(`/${link.code}`, { ip: '198.51.100.8' });
    await visit(`/${link.code}`, { ua: IPHONE });
    await t.flush();
    expect(await counters()).toEqual({ total: 4, unique: 3 });
  });

  test.each([
    ['Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)'],
    ['facebookexternalhit/1.1'],
    ['curl/8.0'],
    [''],
  ])('a bot (%p) is stored as a bot and not counted', async (ua) => {
    expect((await visit(`/${link.code}`, { ua })).status).toBe(302);
    await t.flush();
    expect(await counters()).toEqual({ total: 0, unique: 0 });
    const row = t.services.db.sqlite.query('SELECT is_bot, device_type FROM clicks WHERE link_id = ?').get(link.id) as { is_bot: number; device_type: string };
    expect(row).toEqual({ is_bot: 1, device_type: 'bot' });
  });

  test('the country comes from the forwarded address when the proxy is trusted', async () => {
    await visit(`/${link.code}`, { ip: '8.8.8.8' });
    await t.flush();
    const stats = await t.services.analytics.forLink(await t.services.links.get(actor, link.id));
    expect(stats.countries).toContainEqual({ code: 'US', name: 'United States', clicks: 1 });
  });

  test('without TRUST_PROXY a forged X-Forwarded-For is ignored', async () => {
    const untrusting = await makeTestApp();
    try {
      const { user } = await untrusting.user('pro');
      const a = await untrusting.services.users.actorFor(user);
      const l = (await untrusting.services.links.create(a, { destination: 'https://example.com/x', title: 'x' })).link;
      await untrusting.app.handle(new Request(`${BASE}/${l.code}`, { headers: { 'user-agent': CHROME, 'x-forwarded-for': '8.8.8.8' } }));
      await untrusting.flush();
      const stats = await untrusting.services.analytics.forLink(await untrusting.services.links.get(a, l.id));
      expect(stats.countries.map((c) => c.code)).not.toContain('US');
    } finally {
      await untrusting.close();
    }
  });

  test('a QR scan (?qr=1) is counted with source qr while the link has a QR code; deleting it stops scan tracking', async () => {
    const qr = await addQr();
    await visit(`/${link.code}?qr=1`);
    await visit(`/${link.code}`, { ip: '198.51.100.9' });
    await t.flush();
    const sources = async () => (await t.services.analytics.forLink(await t.services.links.get(actor, link.id))).sources;
    expect(await sources()).toEqual([{ value: 'link', clicks: 1 }, { value: 'qr', clicks: 1 }]);

    await t.services.qr.remove(actor, qr.id);
    // the printed code still works, and the visit still counts: as the link's, no longer as a scan
    expect((await visit(`/${link.code}?qr=1`, { ip: '198.51.100.10' })).status).toBe(302);
    await t.flush();
    expect(await sources()).toEqual([{ value: 'link', clicks: 2 }, { value: 'qr', clicks: 1 }]);
    expect(await counters()).toEqual({ total: 3, unique: 3 });
  });

  test('without a QR code of its own, a ?qr=1 visit is not a scan', async () => {
    await visit(`/${link.code}?qr=1`);
    await t.flush();
    expect((await t.services.analytics.forLink(await t.services.links.get(actor, link.id))).sources).toEqual([{ value: 'link', clicks: 1 }]);
  });

  test('device, browser and referrer domain reach the breakdowns; the raw IP is stored nowhere', async () => {
    await visit(`/${link.code}`, { ua: IPHONE, referer: 'https://www.reddit.com/r/selfhosted/comments/1', ip: '198.51.100.77' });
    await t.flush();
    const stats = await t.services.analytics.forLink(await t.services.links.get(actor, link.id));
    expect(stats.devices).toContainEqual({ value: 'mobile', clicks: 1 });
    expect(stats.browsers).toContainEqual({ value: 'Mobile Safari', clicks: 1 });
    expect(stats.referrers).toContainEqual({ value: 'reddit.com', clicks: 1 });
    const row = t.services.db.sqlite.query('SELECT * FROM clicks WHERE link_id = ?').get(link.id);
    expect(JSON.stringify(row)).not.toContain('198.51.100.77');
  });

  test('stopping the recorder (shutdown) flushes queued clicks to the database', async () => {
    await visit(`/${link.code}`);
    await visit(`/${link.code}`, { ip: '198.51.100.10' });
    expect(clickRows()).toBe(0);
    await t.services.recorder.stop();
    expect(clickRows()).toBe(2);
    expect(await counters()).toEqual({ total: 2, unique: 2 });
  });
});

describe('the current day in profiles, past days in rollups', () => {
  const DAY = 86_400_000;
  const rows = (table: string) => (t.services.db.sqlite.query(`SELECT COUNT(*) AS n FROM ${table} WHERE link_id = ?`).get(link.id) as { n: number }).n;
  const report = async () => {
    const stored = await t.services.links.get(actor, link.id);
    const from = new Date(Date.now() - 10 * DAY).toISOString().slice(0, 10);
    const { summary, range, ...rest } = await t.services.analytics.forLink(stored, { from, to: new Date(Date.now() + DAY).toISOString().slice(0, 10) });
    return { ...rest, total: summary.totalClicks, unique: summary.uniqueClicks };
  };

  test("today's clicks wait in profiles; folding them changes no report", async () => {
    await visit(`/${link.code}`, { referer: 'https://news.ycombinator.com/item?id=1' });
    await visit(`/${link.code}`, { ip: '198.51.100.8', ua: IPHONE });
    await visit(`/${link.code}`, { ip: '198.51.100.8', ua: IPHONE });
    await visit(`/${link.code}`, { ua: 'facebookexternalhit/1.1' });
    await t.flush();
    expect(rows('click_rollups')).toBe(0);
    expect(rows('click_profiles')).toBe(3); // Chrome with a referrer, the iPhone twice folded into one, the bot
    const before = await report();
    expect(before.total).toBe(3);
    expect(before.unique).toBe(2);
    expect(before.referrers).toContainEqual({ value: 'news.ycombinator.com', clicks: 1 });
    expect(before.devices).toEqual([{ value: 'mobile', clicks: 2 }, { value: 'desktop', clicks: 1 }]);

    // as the flusher does once the day is over
    await createClicksRepo(t.services.db.sqlite).foldDaysBefore(new Date(Date.now() + DAY).toISOString().slice(0, 10));
    expect(rows('click_profiles')).toBe(0);
    expect(t.services.db.sqlite.query("SELECT dim, value, clicks FROM click_rollups WHERE link_id = ? AND dim IN ('total', 'unique', 'bots') ORDER BY dim").all(link.id)).toEqual([
      { dim: 'bots', value: '', clicks: 1 },
      { dim: 'total', value: '', clicks: 3 },
      { dim: 'unique', value: '', clicks: 2 },
    ]);
    expect(await report()).toEqual(before);
  });

  test('clicks of a day already over are folded by the batch that writes them', async () => {
    await addQr();
    const yesterday = Date.now() - DAY;
    t.services.recorder.record({ linkId: link.id, at: yesterday, ip: '198.51.100.20', userAgent: CHROME, referrer: null, source: 'qr' });
    t.services.recorder.record({ linkId: link.id, at: Date.now(), ip: '198.51.100.21', userAgent: CHROME, referrer: null, source: 'link' });
    await t.flush();
    expect(rows('click_profiles')).toBe(1); // today's
    expect(t.services.db.sqlite.query("SELECT day, clicks FROM click_rollups WHERE link_id = ? AND dim = 'source' AND value = 'qr'").all(link.id)).toEqual([
      { day: new Date(yesterday).toISOString().slice(0, 10), clicks: 1 },
    ]);
    const r = await report();
    expect(r.clicksOverTime.map((d) => d.clicks)).toEqual([1, 1]);
    expect(r.sources).toEqual([{ value: 'link', clicks: 1 }, { value: 'qr', clicks: 1 }]);
  });

  test('a link past 1,000 profiles in a day is folded at once, so reading its day stays cheap', async () => {
    const repo = createClicksRepo(t.services.db.sqlite);
    const click = (i: number) => ({
      linkId: link.id, at: Date.now(), referrerDomain: `site-${i}.example`, countryCode: 'DE', deviceType: 'desktop' as const,
      os: 'Linux', browser: 'Firefox', isBot: false, source: 'link' as const, visitorHash: `visitor-${i}`,
    });
    await repo.writeBatch(Array.from({ length: 600 }, (_, i) => click(i)));
    expect(rows('click_profiles')).toBe(600);
    await repo.writeBatch(Array.from({ length: 600 }, (_, i) => click(600 + i)));
    expect(rows('click_profiles')).toBe(0);
    const r = await report();
    expect(r.total).toBe(1200);
    expect(r.unique).toBe(1200);
    expect(r.countries).toEqual([{ code: 'DE', name: 'Germany', clicks: 1200 }]);
    expect(r.referrers).toHaveLength(50); // the breakdown's default limit
    // the next clicks start a new set of profiles, and the reports add both up
    await repo.writeBatch([click(5), click(5)]);
    expect(rows('click_profiles')).toBe(1);
    expect((await report()).total).toBe(1202);
    expect((await report()).referrers[0]).toEqual({ value: 'site-5.example', clicks: 3 });
  });
});


describe('a batch over many links, in arrival order', () => {
  test('every table gets exactly what was clicked: raw rows, profiles, counters and visitors', async () => {
    const links = [link];
    for (let i = 1; i < 150; i++) links.push((await t.services.links.create(actor, { destination: `https://example.com/many/${i}` })).link);
    const ids = links.map((l) => l.id);
    const start = Date.now() - 60_000;
    let seed = 42;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed % n);
    // 1,234 clicks: more rows per table than one statement takes (100), and a remainder
    const batch = Array.from({ length: 1234 }, (_, i) => {
      const bot = rand(10) === 0;
      return {
        linkId: ids[rand(ids.length)]!, at: start + rand(50_000), referrerDomain: ['t.co', null, 'github.com'][rand(3)]!, countryCode: 'DE',
        deviceType: bot ? ('bot' as const) : ('desktop' as const), os: bot ? null : 'Linux', browser: bot ? null : 'Firefox', isBot: bot,
        source: 'link' as const, visitorHash: `visitor-${rand(7)}-${i % 2}`,
      };
    });
    const want = new Map<number, { total: number; visitors: Set<string>; last: number; bots: number }>();
    for (const c of batch) {
      const w = want.get(c.linkId) ?? { total: 0, visitors: new Set<string>(), last: 0, bots: 0 };
      want.set(c.linkId, w);
      if (c.isBot) w.bots++;
      else {
        w.total++;
        w.visitors.add(c.visitorHash);
        w.last = Math.max(w.last, c.at);
      }
    }
    await createClicksRepo(t.services.db.sqlite).writeBatch(batch);

    const db = t.services.db.sqlite;
    expect(clickRows()).toBe(1234);
    const counted = db.query<{ link_id: number; total_clicks: number; unique_clicks: number; last_clicked_at: number }, []>('SELECT * FROM link_counters ORDER BY link_id').all();
    const profiles = db.query<{ link_id: number; clicks: number; uniques: number; bots: number }, []>(
      'SELECT link_id, sum(clicks * (1 - is_bot)) AS clicks, sum(uniques) AS uniques, sum(clicks * is_bot) AS bots FROM click_profiles GROUP BY link_id ORDER BY link_id',
    ).all();
    const visitors = db.query<{ link_id: number; n: number }, []>('SELECT link_id, count(*) AS n FROM link_visitors GROUP BY link_id ORDER BY link_id').all();
    const expected = [...want].sort(([a], [b]) => a - b);
    expect(counted).toEqual(expected.filter(([, w]) => w.total).map(([id, w]) => ({ link_id: id, total_clicks: w.total, unique_clicks: w.visitors.size, last_clicked_at: w.last })));
    expect(profiles).toEqual(expected.map(([id, w]) => ({ link_id: id, clicks: w.total, uniques: w.visitors.size, bots: w.bots })));
    expect(visitors).toEqual(expected.filter(([, w]) => w.total).map(([id, w]) => ({ link_id: id, n: w.visitors.size })));
  });

  test("a visitor's earliest click in the batch is the unique one, wherever it sits in the batch", async () => {
    const at = Date.now() - 10_000;
    const click = (ms: number, referrerDomain: string) => ({
      linkId: link.id, at: at + ms, referrerDomain, countryCode: null, deviceType: 'desktop' as const,
      os: 'Linux', browser: 'Firefox', isBot: false, source: 'link' as const, visitorHash: 'one-visitor',
    });
    await createClicksRepo(t.services.db.sqlite).writeBatch([click(5, 'later.example'), click(1, 'first.example')]);
    expect(t.services.db.sqlite.query('SELECT referrer, clicks, uniques FROM click_profiles ORDER BY referrer').all()).toEqual([
      { referrer: 'first.example', clicks: 1, uniques: 1 },
      { referrer: 'later.example', clicks: 1, uniques: 0 },
    ]);
  });
});

describe('unique visitors across a failed batch', () => {
  test('a batch that rolls back forgets the visitors it had marked: their next click still counts as unique', async () => {
    const repo = createClicksRepo(t.services.db.sqlite);
    const click = {
      linkId: link.id, at: Date.now(), referrerDomain: null, countryCode: null, deviceType: 'desktop' as const,
      os: 'Linux', browser: 'Firefox', isBot: false, source: 'link' as const, visitorHash: 'visitor-after-failure',
    };
    // the counter upsert comes after the visitor checks: make it fail
    t.services.db.sqlite.run("CREATE TEMP TRIGGER fail_counters BEFORE INSERT ON link_counters BEGIN SELECT RAISE(ABORT, 'disk full'); END");
    await expect(repo.writeBatch([click])).rejects.toThrow('disk full');
    t.services.db.sqlite.run('DROP TRIGGER fail_counters');
    expect(t.services.db.sqlite.query('SELECT COUNT(*) AS n FROM link_visitors').get()).toEqual({ n: 0 });
    await repo.writeBatch([click]);
    expect(await counters()).toEqual({ total: 1, unique: 1 });
    await repo.writeBatch([click]);
    expect(await counters()).toEqual({ total: 2, unique: 1 });
  });
});

describe('erasing a link erases its raw clicks, found by day', () => {
  const DAY = 86_400_000;
  test('every day of its history goes, including history older than the link row; a neighbour clicked the same days keeps all of its clicks', async () => {
    const other = (await t.services.links.create(actor, { destination: 'https://example.com/neighbour' })).link;
    const repo = createClicksRepo(t.services.db.sqlite);
    const click = (linkId: number, at: number, i: number) => ({
      linkId, at, referrerDomain: null, countryCode: null, deviceType: 'desktop' as const,
      os: 'Linux', browser: 'Firefox', isBot: i % 5 === 0, source: 'link' as const, visitorHash: `visitor-${i}`,
    });
    // 400 days back (before the link row was created: imported history), yesterday, today, and one day ahead
    const times = [Date.now() - 400 * DAY, Date.now() - 399 * DAY, Date.now() - DAY, Date.now(), Date.now() + DAY];
    await repo.writeBatch(times.flatMap((at, i) => [click(link.id, at, i), click(other.id, at, i)]));
    expect(rawClicks(link.id)).toBe(5);
    expect(rawClicks(other.id)).toBe(5);

    await t.services.links.purge(actor, link.code);
    expect(rawClicks(link.id)).toBe(0);
    expect(rawClicks(other.id)).toBe(5);
  });

  test('the erase reads the day-and-link index, not the whole click history', () => {
    const plan = t.services.db.sqlite
      .query<{ detail: string }, [number, number, number]>(`EXPLAIN QUERY PLAN ${ERASE_CLICKS_SQL}`)
      .all(1, 3, 1)
      .map((r) => r.detail);
    expect(plan).toContain('SEARCH clicks USING INDEX clicks_day_link_idx (<expr>=? AND link_id=?)');
  });
});

describe('clicks that reach the writer after their link was deleted', () => {
  test('a click queued before a permanent delete and one recorded by a request already under way are not stored', async () => {
    await visit(`/${link.code}`);
    await t.services.links.purge(actor, link.code);
    // a request that looked the link up before the delete (a password check takes ~100 ms) records its click now
    t.services.recorder.record({ linkId: link.id, at: Date.now(), ip: '198.51.100.99', userAgent: CHROME, referrer: null, source: 'link' });
    await t.flush();
    const left = (table: string) => (t.services.db.sqlite.query(`SELECT COUNT(*) AS n FROM ${table} WHERE link_id = ?`).get(link.id) as { n: number }).n;
    expect({ clicks: left('clicks'), counters: left('link_counters'), visitors: left('link_visitors'), profiles: left('click_profiles'), rollups: left('click_rollups') }).toEqual({
      clicks: 0, counters: 0, visitors: 0, profiles: 0, rollups: 0,
    });
    expect((await visit(`/${link.code}`)).status).toBe(404);
  });

  test('the writer finds recently deleted links through their own small index, whatever the size of the links table', () => {
    const plan = t.services.db.sqlite.query<{ detail: string }, [number]>(`EXPLAIN QUERY PLAN ${DELETED_SINCE_SQL}`).all(0).map((r) => r.detail);
    expect(plan).toEqual(['SEARCH links USING COVERING INDEX links_deleted_idx (deleted_at>?)']);
  });

  test('the same for a link deleted the ordinary way; the other links of the batch are written', async () => {
    const other = (await t.services.links.create(actor, { destination: 'https://example.com/kept' })).link;
    await visit(`/${link.code}`);
    await visit(`/${other.code}`);
    await t.services.links.remove(actor, link.id);
    await t.flush();
    expect(rawClicks(link.id)).toBe(0);
    expect(rawClicks(other.id)).toBe(1);
  });
});
