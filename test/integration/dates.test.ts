/**
 * Dates and days as clients and people read them: a click in the last
 * millisecond of a UTC day and one in the first of the next land on their own
 * days in every report (range ends inclusive); every date a client reads is
 * the same whatever zone the server process runs in; the analytics page says
 * its days are UTC and which day is today there. Clicks are stamped with the
 * wall clock (setSystemTime moves it); the core's clock is pinned with `now`.
 */
import { afterEach, describe, expect, setSystemTime, test } from 'bun:test';
import { BASE, makeTestApp, type TestApp } from '../helpers/make-test-app.ts';
import { loginThroughForm } from '../helpers/web-login.ts';

const CHROME = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36';

let t: TestApp | undefined;
afterEach(async () => {
  setSystemTime();
  await t?.close();
  t = undefined;
});

const visit = (app: TestApp, code: string, ip: string) =>
  app.app.handle(new Request(`${BASE}/${code}`, { headers: { 'user-agent': CHROME, 'x-forwarded-for': ip } }));

/** A link created on 2026-03-10 with clicks at 23:59:59.999 that day and at 00:00:00.000 and .500 the next, written in one batch after midnight. */
async function clicksAcrossMidnight() {
  setSystemTime(new Date('2026-03-10T12:00:00.000Z'));
  const app = (t = await makeTestApp({ env: { TRUST_PROXY: 'true' } }));
  const u = await app.user('pro');
  const created = await app.request('POST', '/api/v1/links', { body: { original_url: 'https://example.com/midnight', alias: 'midnight', expires_at: '2099-03-29T02:30:00+02:00' }, headers: u.auth });
  const link = (await created.json()) as { id: number };
  setSystemTime(new Date('2026-03-10T23:59:59.999Z'));
  await visit(app, 'midnight', '198.51.100.1');
  setSystemTime(new Date('2026-03-11T00:00:00.000Z'));
  await visit(app, 'midnight', '198.51.100.2');
  setSystemTime(new Date('2026-03-11T00:00:00.500Z'));
  await visit(app, 'midnight', '198.51.100.3');
  await app.flush();
  return { app, u, id: link.id };
}

describe('a day is a UTC day', () => {
  test('the last millisecond of a day and the first of the next are counted on their own days, ends inclusive', async () => {
    const { app, u, id } = await clicksAcrossMidnight();
    const native = async (q = '') => ((await (await app.request('GET', `/api/v1/links/${id}/analytics${q}`, { headers: u.auth })).json()) as { breakdown: { clicks_over_time: unknown } }).breakdown.clicks_over_time;
    expect(await native()).toEqual([{ date: '2026-03-10', count: 1 }, { date: '2026-03-11', count: 2 }]);
    expect(await native('?from=2026-03-10&to=2026-03-10')).toEqual([{ date: '2026-03-10', count: 1 }]);
    expect(await native('?from=2026-03-11&to=2026-03-11')).toEqual([{ date: '2026-03-11', count: 2 }]);

    const stats = (await (await app.request('GET', '/api/v1/stats/midnight', { headers: u.auth })).json()) as { data: { clicksByDay: unknown; lastClicked: string } };
    expect(stats.data.clicksByDay).toEqual([{ date: '2026-03-11', clicks: 2 }, { date: '2026-03-10', clicks: 1 }]);
    expect(stats.data.lastClicked).toBe('2026-03-11T00:00:00.500Z');
    const csv = await (await app.request('GET', '/api/v1/stats/midnight/export?format=csv&from=2026-03-10&to=2026-03-10', { headers: u.auth })).text();
    expect(csv).toBe('date,clicks\n2026-03-10,1\n');
  });
});

describe('what a client reads does not depend on the server’s zone', () => {
  test('every dialect answers the same dates under TZ=UTC, America/Los_Angeles and Asia/Kolkata', async () => {
    const { app, u, id } = await clicksAcrossMidnight();
    const json = { ...u.auth, accept: 'application/json' };
    const { cookie } = await loginThroughForm(app.app.handle.bind(app.app), u, '203.0.113.76');
    const page = async (path: string) => (await app.app.handle(new Request(BASE + path, { headers: { cookie } }))).text();
    const read = async () => {
      const out: string[] = [];
      for (const path of [`/api/v1/links/${id}`, `/api/v1/links?page=1`, `/api/v1/links/${id}/analytics`, `/api/v1/urls/${id}`, '/v1/client/short-links/midnight', '/api/links/midnight']) {
        out.push(await (await app.request('GET', path, { headers: json })).text());
      }
      out.push(await (await app.request('GET', '/api/v1/stats/midnight', { headers: u.auth })).text());
      out.push(await (await app.request('GET', '/api/v1/stats/midnight/export?format=csv', { headers: u.auth })).text());
      out.push(await page(`/dashboard/links/${id}/analytics.csv?from=2026-03-10&to=2026-03-11`), await page('/dashboard/links.csv'));
      const shown = (html: string) => html.match(/<time[^>]*>[^<]*<\/time>|value="\d{4}-[^"]*"/g);
      out.push(...[await page('/dashboard'), await page(`/dashboard/links/${id}/analytics?from=2026-03-10&to=2026-03-11`), await page(`/dashboard/links/${id}/edit`)].map((h) => JSON.stringify(shown(h))));
      return out;
    };
    const before = process.env.TZ;
    try {
      process.env.TZ = 'UTC';
      const utc = await read();
      expect(utc[0]).toContain('"expires_at":"2099-03-29T00:30:00.000000Z"');
      expect(utc[3]).toContain('"expiresAt":"2099-03-29 00:30:00"');
      expect(utc[6]).toContain('"lastClicked":"2026-03-11T00:00:00.500Z"');
      expect(utc[8]).toContain('day,2026-03-10,,1,1,');
      expect(JSON.parse(utc.at(-1)!)).toEqual(['value="2099-03-29T00:30"']);
      for (const zone of ['America/Los_Angeles', 'Asia/Kolkata']) {
        process.env.TZ = zone;
        expect(new Date(0).getTimezoneOffset()).not.toBe(0);
        expect(await read()).toEqual(utc);
      }
    } finally {
      if (before === undefined) delete process.env.TZ;
      else process.env.TZ = before;
    }
  });
});

describe('the analytics page names its days’ zone', () => {
  test('the presets end on the core’s UTC today, and the page says days are UTC and which day that is', async () => {
    // 23:30 UTC: already the next day east of UTC, still the afternoon in the Americas
    const now = Date.parse('2026-03-10T23:30:00.000Z');
    const app = (t = await makeTestApp({ now: () => now, env: { TRUST_PROXY: 'true' } }));
    const u = await app.user('pro');
    const actor = await app.services.users.actorFor(u.user);
    const { link } = await app.services.links.create(actor, { destination: 'https://example.com/days', title: 'Days' });
    await visit(app, link.code, '198.51.100.9');
    await app.flush();
    const { cookie } = await loginThroughForm(app.app.handle.bind(app.app), u, '203.0.113.77');
    const body = await (await app.app.handle(new Request(`${BASE}/dashboard/links/${link.id}/analytics?range=7`, { headers: { cookie } }))).text();
    expect(body).toContain('<input type="date" id="range-from" name="from" value="2026-03-04" required aria-describedby="range-hint">');
    expect(body).toContain('<input type="date" id="range-to" name="to" value="2026-03-10" required aria-describedby="range-hint">');
    expect(body).toContain('<p class="hint" id="range-hint">Days are UTC days (midnight to midnight UTC); today is 2026-03-10 in UTC.</p>');
    const table = await (await app.app.handle(new Request(`${BASE}/dashboard`, { headers: { cookie } }))).text();
    expect(table).toContain('title="2026-03-10 23:30 UTC">Mar 10, 2026</time>');
  });
});

describe('Linx.ly schedules', () => {
  test('an end equal to the start, written in another zone, is refused in Laravel’s words; one second later is kept, shown in UTC', async () => {
    const app = (t = await makeTestApp());
    const u = await app.user('pro');
    const create = (end_at: string) =>
      app.request('POST', '/v1/client/short-links', {
        headers: u.auth,
        body: { destination_url: 'https://example.com/main', schedules: [{ start_at: '2099-03-29 02:30:00', end_at, destination_url: 'https://example.com/window' }] },
      });
    const same = await create('2099-03-29T04:30:00+02:00');
    expect(same.status).toBe(422);
    const message = 'The schedules.0.end at field must be a date after schedules.0.start at.';
    expect(await same.json()).toEqual({ message, errors: { 'schedules.0.end_at': [message] } });
    const later = await create('2099-03-29T04:30:01+02:00');
    expect(later.status).toBe(200);
    expect(((await later.json()) as { data: { schedules: unknown[] } }).data.schedules).toEqual([
      { id: expect.any(Number), start_at: '2099-03-29 02:30:00', end_at: '2099-03-29 02:30:01', destination_url: 'https://example.com/window' },
    ]);
  });
});

describe('updated_at', () => {
  test('after an edit, each dialect that has it answers the edit’s time, apart from created_at, in its own format', async () => {
    setSystemTime(new Date('2026-03-10T12:00:00.000Z'));
    const app = (t = await makeTestApp());
    const u = await app.user('pro');
    const created = await app.request('POST', '/api/v1/links', { headers: u.auth, body: { original_url: 'https://example.com/before', alias: 'edited', title: 'Edited' } });
    const { id } = (await created.json()) as { id: number };
    setSystemTime(new Date('2026-03-10T13:30:05.000Z'));
    const put = await app.request('PUT', `/api/v1/links/${id}`, { headers: u.auth, body: { original_url: 'https://example.com/after' } });
    expect(put.status).toBe(200);
    setSystemTime(new Date('2026-03-10T14:00:00.000Z'));
    const row = app.sqlite.query('SELECT created_at, updated_at FROM links WHERE id = ?').get(id);
    expect(row).toEqual({ created_at: Date.parse('2026-03-10T12:00:00.000Z'), updated_at: Date.parse('2026-03-10T13:30:05.000Z') });

    const dates = (body: { created_at: string; updated_at: string }) => [body.created_at, body.updated_at];
    const read = async (path: string) => (await app.request('GET', path, { headers: u.auth })).json();
    const minilnk = ['2026-03-10T12:00:00.000000Z', '2026-03-10T13:30:05.000000Z'];
    expect(dates(await put.json())).toEqual(minilnk);
    expect(dates(await read(`/api/v1/links/${id}`))).toEqual(minilnk);
    expect(dates((await read('/api/v1/links')).data[0])).toEqual(minilnk);
    expect(dates((await read('/v1/client/short-links/edited')).data)).toEqual(['2026-03-10 12:00:00', '2026-03-10 13:30:05']);
    expect(dates(await read('/api/links/edited'))).toEqual(['2026-03-10T12:00:00+00:00', '2026-03-10T13:30:05+00:00']);
  });
});
