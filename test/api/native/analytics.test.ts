/** Minilnk per-link analytics: the documented shape, filled by real redirects. */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { makeTestApp, type TestApp } from '../../helpers/make-test-app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await makeTestApp({ env: { TRUST_PROXY: 'true' } });
});
afterAll(() => t.close());

const CHROME = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';
const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0';
const IPHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1';

describe('GET /links/{id}/analytics', () => {
  test('breakdowns by day, device, country, browser, OS, referrer and source; bots excluded', async () => {
    const u = await t.user('pro');
    const link = await (await t.request('POST', '/api/v1/links', { headers: u.auth, body: { original_url: 'https://news.ycombinator.com/news', alias: 'hnstats', title: 'Hacker News Feed' } })).json();
    const visit = (ua: string, ip: string, extra: Record<string, string> = {}, path = '/hnstats') =>
      t.request('GET', path, { headers: { 'user-agent': ua, 'x-forwarded-for': ip, ...extra } });
    await visit(CHROME, '8.8.8.8', { referer: 'https://twitter.com/some/post' });
    await visit(CHROME, '8.8.8.8'); // same visitor again: not unique
    await visit(FIREFOX, '81.2.69.142'); // GB
    // a scan of the link's QR code
    const qr = await t.request('POST', '/api/v1/qrcodes', { headers: u.auth, body: { name: 'HN poster', type: 'url', content: link.short_url, error_correction: 'M', link_id: link.id } });
    expect(qr.status).toBe(201);
    await visit(IPHONE, '8.8.4.4', {}, '/hnstats?qr=1');
    await visit('Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)', '8.8.8.8');
    await t.flush();

    const res = await t.request('GET', `/api/v1/links/${link.id}/analytics`, { headers: u.auth });
    expect(res.status).toBe(200);
    const a = await res.json();
    const today = new Date().toISOString().slice(0, 10);
    expect(a.link).toEqual({
      id: link.id,
      title: 'Hacker News Feed',
      short_code: 'hnstats',
      short_url: link.short_url,
      original_url: 'https://news.ycombinator.com/news',
      total_clicks: 4,
      unique_clicks: 3,
    });
    expect(a.summary).toMatchObject({ total_clicks: 4, unique_clicks: 3 });
    expect(a.breakdown.clicks_over_time).toEqual([{ date: today, count: 4 }]);
    expect(a.breakdown.devices).toEqual([
      { device_type: 'desktop', count: 3 },
      { device_type: 'mobile', count: 1 },
    ]);
    expect(a.breakdown.countries).toContainEqual({ country: 'United States', country_code: 'US', count: 3 });
    expect(a.breakdown.countries).toContainEqual({ country: 'United Kingdom', country_code: 'GB', count: 1 });
    expect(a.breakdown.browsers).toEqual([
      { browser: 'Chrome', count: 2 },
      { browser: 'Firefox', count: 1 },
      { browser: 'Mobile Safari', count: 1 },
    ]);
    expect(a.breakdown.operating_systems).toContainEqual({ os: 'Windows', count: 2 });
    expect(a.breakdown.referrers).toEqual([
      { referrer: '(direct)', count: 3 },
      { referrer: 'twitter.com', count: 1 },
    ]);
    expect(a.breakdown.sources).toEqual([
      { source: 'link', count: 3 },
      { source: 'qr', count: 1 },
    ]);
  });

  test('from/to narrow the range and bad dates are 422', async () => {
    const u = await t.user('pro');
    const link = await (await t.request('POST', '/api/v1/links', { headers: u.auth, body: { original_url: 'https://a.example', title: 'a' } })).json();
    const empty = await (await t.request('GET', `/api/v1/links/${link.id}/analytics?from=2020-01-01&to=2020-01-31`, { headers: u.auth })).json();
    expect(empty.breakdown.clicks_over_time).toEqual([]);
    expect(empty.summary.total_clicks).toBe(0);
    for (const q of ['from=yesterday', 'to=2026-02-30', 'from=2026-05-02&to=2026-05-01']) {
      const res = await t.request('GET', `/api/v1/links/${link.id}/analytics?${q}`, { headers: u.auth });
      expect(res.status).toBe(422);
      expect((await res.json()).errors).toBeDefined();
    }
  });

  test('an empty from or to is no bound (Laravel reads it as null): the same answer as without it', async () => {
    const u = await t.user('pro');
    const link = await (await t.request('POST', '/api/v1/links', { headers: u.auth, body: { original_url: 'https://a.example/empty-range', title: 'a' } })).json();
    await t.request('GET', `/${link.short_code}`, { headers: { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0' } });
    await t.flush();
    const plain = await (await t.request('GET', `/api/v1/links/${link.id}/analytics`, { headers: u.auth })).json();
    expect(plain.summary.total_clicks).toBe(1);
    for (const q of ['from=', 'to=', 'from=&to=', 'from=%20', 'to=%20%20']) {
      const res = await t.request('GET', `/api/v1/links/${link.id}/analytics?${q}`, { headers: u.auth });
      expect([q, res.status]).toEqual([q, 200]);
      expect(await res.json()).toEqual(plain);
    }
  });
  test('a breakdown of more than 50 values lists the 50 largest and sums the rest as "(other)": it still adds up to the clicks', async () => {
    const u = await t.user('pro');
    const link = await (await t.request('POST', '/api/v1/links', { headers: u.auth, body: { original_url: 'https://a.example/many-referrers', title: 'a' } })).json();
    // 55 referrer domains, the first twice: 56 clicks
    for (let i = 0; i < 55; i++) await t.request('GET', `/${link.short_code}`, { headers: { 'user-agent': CHROME, 'x-forwarded-for': '8.8.8.8', referer: `https://site-${String(i).padStart(2, '0')}.example/` } });
    await t.request('GET', `/${link.short_code}`, { headers: { 'user-agent': CHROME, 'x-forwarded-for': '8.8.8.8', referer: 'https://site-00.example/' } });
    await t.flush();
    const a = await (await t.request('GET', `/api/v1/links/${link.id}/analytics`, { headers: u.auth })).json();
    const referrers = a.breakdown.referrers as { referrer: string; count: number }[];
    expect([referrers.length, referrers[0], referrers.at(-1), referrers.reduce((n, r) => n + r.count, 0)]).toEqual([51, { referrer: 'site-00.example', count: 2 }, { referrer: '(other)', count: 5 }, 56]);
    // breakdowns that list every value get no such entry
    expect(a.breakdown.countries).toEqual([{ country: 'United States', country_code: 'US', count: 56 }]);
  });
});
