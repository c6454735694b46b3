/**
 * Linx.ly Short Links API, from seeds/linxly-short-links-api.txt: every
 * documented request sent as written (base URL replaced, a test key as the
 * token) with its response shape pinned, then errors, ownership and auth.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { BASE, makeTestApp, type TestApp } from '../../helpers/make-test-app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await makeTestApp({ env: { TRUST_PROXY: 'true' } });
});
afterAll(() => t.close());

const API = '/v1/client/short-links';
const PATH = `${BASE}${API}`;
const DATE = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;
const ITEM_KEYS = ['clicks_count', 'created_at', 'destination_url', 'id', 'short_code', 'status', 'utm', 'utm_id'];
const LINK_KEYS = ['created_at', 'destination_url', 'id', 'schedules', 'short_code', 'updated_at', 'user_id', 'utm'];
const CHROME = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36';

type User = Awaited<ReturnType<TestApp['user']>>;
const headers = (u: User) => ({ authorization: `Bearer ${u.key}`, accept: 'application/json' });
const create = async (u: User, body: Record<string, unknown>) => (await t.request('POST', API, { headers: headers(u), body })).json();
const visit = (code: string, ip = '198.51.100.7') => t.app.handle(new Request(`${BASE}/${code}`, { headers: { 'user-agent': CHROME, 'x-forwarded-for': ip } }));
const count = (sql: string, id: number) => (t.services.db.sqlite.query(sql).get(id) as { n: number }).n;
const rowOf = (code: string) => t.services.db.sqlite.query('SELECT destination, is_active, deleted_at, utm_source FROM links WHERE code = ?').get(code);

describe('happy path (documented examples)', () => {
  test('GET list with the documented query answers the Laravel resource page exactly', async () => {
    const u = await t.user('pro');
    const made = await create(u, { destination_url: 'https://google.com' });
    const res = await t.request('GET', `${API}?page=1&per_page=10&sort_column=created_at&sort_type=desc`, { headers: headers(u) });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(Object.keys(body.data[0]).sort()).toEqual(ITEM_KEYS);
    expect(body).toEqual({
      data: [
        { id: made.data.id, utm_id: null, short_code: made.data.short_code, status: true, destination_url: 'https://google.com', created_at: made.data.created_at, clicks_count: 0, utm: null },
      ],
      links: { first: `${PATH}?page=1`, last: `${PATH}?page=1`, prev: null, next: null },
      meta: {
        current_page: 1,
        from: 1,
        last_page: 1,
        links: [
          { url: null, label: '« Previous', active: false },
          { url: `${PATH}?page=1`, label: '1', active: true },
          { url: null, label: 'Next »', active: false },
        ],
        path: PATH,
        per_page: 10,
        to: 1,
        total: 1,
      },
    });
  });

  test('POST without short_code answers 200 with a generated code and the documented object', async () => {
    const u = await t.user('pro');
    const res = await t.request('POST', API, { headers: { ...headers(u), 'content-type': 'application/json' }, raw: '{"destination_url": "https://google.com"}' });
    expect(res.status).toBe(200);
    const { data } = await res.json();
    expect(Object.keys(data).sort()).toEqual(LINK_KEYS);
    expect(data).toMatchObject({ short_code: expect.stringMatching(/^[A-Za-z0-9]{7}$/), destination_url: 'https://google.com', user_id: u.user.id, utm: null, schedules: [] });
    expect(data.id).toBeInteger();
    expect(data.created_at).toMatch(DATE);
    expect(data.updated_at).toMatch(DATE);
    expect(Date.parse(`${data.created_at.replace(' ', 'T')}Z`)).toBeLessThanOrEqual(Date.now());
  });

  test('GET, PUT and DELETE /{short_code} as documented', async () => {
    const u = await t.user('pro');
    const made = await create(u, { destination_url: 'https://google.com', short_code: 'mycustom' });
    expect(made.data.short_code).toBe('mycustom');

    const got = await t.request('GET', `${API}/mycustom`, { headers: headers(u) });
    expect(got.status).toBe(200);
    expect(await got.json()).toEqual(made);

    const put = await t.request('PUT', `${API}/mycustom`, { headers: { ...headers(u), 'content-type': 'application/json' }, raw: '{"destination_url": "https://github.com"}' });
    expect(put.status).toBe(200);
    const updated = await put.json();
    expect(Object.keys(updated.data).sort()).toEqual(LINK_KEYS);
    expect(updated.data).toMatchObject({ id: made.data.id, short_code: 'mycustom', destination_url: 'https://github.com', user_id: u.user.id, utm: null, schedules: [] });
    expect((await visit('mycustom')).headers.get('location')).toBe('https://github.com');

    const del = await t.request('DELETE', `${API}/mycustom`, { headers: headers(u) });
    expect(del.status).toBe(200);
    expect(await del.json()).toEqual({ message: 'Short link deleted successfully.' });
    expect((await t.request('GET', `${API}/mycustom`, { headers: headers(u) })).status).toBe(404);
    expect((await visit('mycustom')).status).toBe(404);
  });
});

describe('status', () => {
  test('an expired link (expiry set through another API) is listed with status false: its short URL answers 404', async () => {
    const u = await t.user('pro');
    const { data } = await create(u, { destination_url: 'https://example.com/expiring' });
    const statusOf = async () => (await (await t.request('GET', API, { headers: headers(u) })).json()).data.find((l: { id: number }) => l.id === data.id).status;
    expect(await statusOf()).toBe(true);
    t.services.db.sqlite.query('UPDATE links SET expires_at = ? WHERE id = ?').run(Date.now() - 1000, data.id);
    expect((await visit(data.short_code)).status).toBe(404);
    expect(await statusOf()).toBe(false);
  });

  test('sort_column=status sorts by the status shown: an expired link sorts with the paused ones', async () => {
    const u = await t.user('pro');
    const live = (await create(u, { destination_url: 'https://example.com/live' })).data;
    const paused = (await create(u, { destination_url: 'https://example.com/paused' })).data;
    expect((await t.request('PUT', `${API}/${paused.short_code}`, { headers: headers(u), body: { status: false } })).status).toBe(200);
    const expired = (await create(u, { destination_url: 'https://example.com/expired' })).data;
    const live2 = (await create(u, { destination_url: 'https://example.com/live2' })).data;
    t.services.db.sqlite.query('UPDATE links SET expires_at = ? WHERE id = ?').run(Date.now() - 1000, expired.id);
    const order = async (dir: string) =>
      (await (await t.request('GET', `${API}?sort_column=status&sort_type=${dir}`, { headers: headers(u) })).json()).data.map((l: { id: number; status: boolean }) => [l.id, l.status]);
    expect(await order('asc')).toEqual([[paused.id, false], [expired.id, false], [live.id, true], [live2.id, true]]);
    expect(await order('desc')).toEqual([[live2.id, true], [live.id, true], [expired.id, false], [paused.id, false]]);
  });
});

describe('UTM and schedules', () => {
  test('utm is stored, shown with utm_id, and appended by GET /{code}', async () => {
    const u = await t.user('pro');
    const utm = { utm_source: 'newsletter', utm_medium: 'email', utm_campaign: 'spring', utm_term: null, utm_content: null };
    const { data } = await create(u, { destination_url: 'https://example.com/shop?x=1', utm });
    expect(data.utm).toEqual({ id: data.id, ...utm });
    const list = await (await t.request('GET', API, { headers: headers(u) })).json();
    expect(list.data[0]).toMatchObject({ utm_id: data.id, utm: { id: data.id, utm_source: 'newsletter' } });
    const res = await visit(data.short_code);
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get('location')!);
    expect(Object.fromEntries(location.searchParams)).toEqual({ x: '1', utm_source: 'newsletter', utm_medium: 'email', utm_campaign: 'spring' });

    const cleared = await (await t.request('PUT', `${API}/${data.short_code}`, { headers: headers(u), body: { utm: null } })).json();
    expect(cleared.data.utm).toBeNull();
    expect((await visit(data.short_code)).headers.get('location')).toBe('https://example.com/shop?x=1');
  });

  test('a schedule active now sends visitors to its destination; others do not', async () => {
    const u = await t.user('pro');
    const fmt = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
    const now = Date.now();
    const schedules = [
      { start_at: fmt(now - 3_600_000), end_at: fmt(now + 3_600_000), destination_url: 'https://example.com/sale' },
      { start_at: fmt(now + 86_400_000), end_at: null, destination_url: 'https://example.com/later' },
    ];
    const { data } = await create(u, { destination_url: 'https://example.com/regular', schedules });
    expect(data.schedules).toEqual([
      { id: expect.any(Number), start_at: schedules[0]!.start_at, end_at: schedules[0]!.end_at, destination_url: 'https://example.com/sale' },
      { id: expect.any(Number), start_at: schedules[1]!.start_at, end_at: null, destination_url: 'https://example.com/later' },
    ]);
    expect((await visit(data.short_code)).headers.get('location')).toBe('https://example.com/sale');

    const put = await (await t.request('PUT', `${API}/${data.short_code}`, { headers: headers(u), body: { schedules: [] } })).json();
    expect(put.data.schedules).toEqual([]);
    expect((await visit(data.short_code)).headers.get('location')).toBe('https://example.com/regular');
  });

  test('at most 20 schedules: 21 are a 422 on schedules, on create and on update; 20 are kept', async () => {
    const u = await t.user('pro');
    const schedules = (n: number) => Array.from({ length: n }, (_, i) => ({ start_at: `2030-01-${String(i + 1).padStart(2, '0')} 10:00:00`, end_at: null, destination_url: `https://example.com/s${i}` }));
    const message = 'The schedules field must not have more than 20 items.';
    const refused = await t.request('POST', API, { headers: headers(u), body: { destination_url: 'https://example.com/many', schedules: schedules(21) } });
    expect([refused.status, await refused.json()]).toEqual([422, { message, errors: { schedules: [message] } }]);
    expect(count('SELECT COUNT(*) AS n FROM links WHERE user_id = ?', u.user.id)).toBe(0);
    const { data } = await create(u, { destination_url: 'https://example.com/many', schedules: schedules(20) });
    expect(data.schedules).toHaveLength(20);
    const put = await t.request('PUT', `${API}/${data.short_code}`, { headers: headers(u), body: { schedules: schedules(21) } });
    expect([put.status, await put.json()]).toEqual([422, { message, errors: { schedules: [message] } }]);
    expect(count('SELECT COUNT(*) AS n FROM link_schedules WHERE link_id = ?', data.id)).toBe(20);
  });

  test('status false pauses the link (404) and true resumes it', async () => {
    const u = await t.user('pro');
    const { data } = await create(u, { destination_url: 'https://example.com/pause' });
    await t.request('PUT', `${API}/${data.short_code}`, { headers: headers(u), body: { status: false } });
    expect((await visit(data.short_code)).status).toBe(404);
    const list = await (await t.request('GET', API, { headers: headers(u) })).json();
    expect(list.data[0].status).toBe(false);
    await t.request('PUT', `${API}/${data.short_code}`, { headers: headers(u), body: { status: true } });
    expect((await visit(data.short_code)).status).toBe(302);
  });
});

describe('bodies and dates as a Laravel service reads them', () => {
  test('multipart bodies with a browser boundary (mixed case) are read', async () => {
    const u = await t.user('pro');
    const boundary = '----WebKitFormBoundary7MA4YWxkTrZu0gW';
    const raw = `--${boundary}\r\nContent-Disposition: form-data; name="destination_url"\r\n\r\nhttps://example.com/multipart\r\n--${boundary}--\r\n`;
    const res = await t.request('POST', API, { headers: { ...headers(u), 'content-type': `multipart/form-data; boundary=${boundary}` }, raw });
    expect(res.status).toBe(200);
    expect((await res.json()).data.destination_url).toBe('https://example.com/multipart');
  });

  test('a day the month does not have is 422, not moved to the next month', async () => {
    const u = await t.user('pro');
    for (const start_at of ['2026-02-31 10:00:00', '2027-02-29', '2026-04-31T12:00:00Z']) {
      const res = await t.request('POST', API, { headers: headers(u), body: { destination_url: 'https://example.com/d', schedules: [{ start_at, destination_url: 'https://example.com/s' }] } });
      expect([start_at, res.status]).toEqual([start_at, 422]);
      expect((await res.json()).errors['schedules.0.start_at']).toEqual(['The schedules.0.start at field must be a valid date.']);
    }
    const leap = await t.request('POST', API, { headers: headers(u), body: { destination_url: 'https://example.com/d', schedules: [{ start_at: '2028-02-29 10:00:00', destination_url: 'https://example.com/s' }] } });
    expect((await leap.json()).data.schedules[0].start_at).toBe('2028-02-29 10:00:00');
  });

  test('strings are trimmed and "" is null, as Laravel\'s default middleware hands them over; [] is an empty utm', async () => {
    const u = await t.user('pro');
    const made = await t.request('POST', API, { headers: headers(u), body: { destination_url: ' https://example.com/padded ', short_code: '  padded-code ', utm: [] } });
    expect(made.status).toBe(200);
    const { data } = await made.json();
    expect(data).toMatchObject({ short_code: 'padded-code', destination_url: 'https://example.com/padded', utm: null });
    const tagged = await (await t.request('PUT', `${API}/padded-code`, {
      headers: headers(u),
      body: { utm: { utm_source: ' news ' }, schedules: [{ start_at: '2030-01-01 10:00:00', destination_url: 'https://example.com/s' }] },
    })).json();
    expect(tagged.data.utm).toMatchObject({ utm_source: 'news' });
    expect(tagged.data.schedules).toHaveLength(1);
    const cleared = await t.request('PUT', `${API}/padded-code`, { headers: headers(u), body: { utm: '', schedules: '' } });
    expect(cleared.status).toBe(200);
    expect((await cleared.json()).data).toMatchObject({ utm: null, schedules: [] });
    const blank = await t.request('POST', API, { headers: headers(u), body: { destination_url: '   ' } });
    expect(blank.status).toBe(422);
    expect((await blank.json()).errors).toEqual({ destination_url: ['The destination url field is required.'] });
  });

  test('form bodies read bracketed names as PHP does: utm[utm_source], schedules[0][start_at]', async () => {
    const u = await t.user('pro');
    const form = 'destination_url=https%3A%2F%2Fexample.com%2Fform&short_code=formy&utm%5Butm_source%5D=news&schedules%5B0%5D%5Bstart_at%5D=2030-01-01+00%3A00%3A00&schedules%5B0%5D%5Bdestination_url%5D=https%3A%2F%2Fexample.com%2Flater';
    const res = await t.request('POST', API, { headers: { ...headers(u), 'content-type': 'application/x-www-form-urlencoded' }, raw: form });
    expect(res.status).toBe(200);
    const { data } = await res.json();
    expect(data.utm).toMatchObject({ utm_source: 'news' });
    expect(data.schedules).toEqual([{ id: expect.any(Number), start_at: '2030-01-01 00:00:00', end_at: null, destination_url: 'https://example.com/later' }]);
    const bad = await t.request('POST', API, { headers: { ...headers(u), 'content-type': 'application/x-www-form-urlencoded' }, raw: 'destination_url=https%3A%2F%2Fexample.com%2F&schedules%5B0%5D%5Bstart_at%5D=soon' });
    expect((await bad.json()).errors['schedules.0.start_at']).toEqual(['The schedules.0.start at field must be a valid date.']);
  });

  test('JSON as PHP encodes arrays: numbered-key objects are lists, {} is empty, a list is no utm', async () => {
    const u = await t.user('pro');
    const made = await t.request('POST', API, {
      headers: headers(u),
      body: { destination_url: 'https://example.com/php', utm: ['a'], schedules: { '1': { start_at: '2030-01-01 00:00:00', destination_url: 'https://example.com/one' } } },
    });
    expect(made.status).toBe(200);
    const { data } = await made.json();
    expect(data.utm).toBeNull();
    expect(data.schedules.map((s: { destination_url: string }) => s.destination_url)).toEqual(['https://example.com/one']);
    const named = await t.request('POST', API, { headers: headers(u), body: { destination_url: 'https://example.com/php', schedules: { '3': { start_at: 'soon', destination_url: 'https://example.com/x' } } } });
    expect(Object.keys((await named.json()).errors)).toEqual(['schedules.3.start_at']);
    const cleared = await (await t.request('PUT', `${API}/${data.short_code}`, { headers: headers(u), body: { schedules: {} } })).json();
    expect(cleared.data.schedules).toEqual([]);
    expect((await t.request('POST', API, { headers: headers(u), body: { destination_url: 'https://example.com/php', schedules: { a: 1 } } })).status).toBe(422);
  });

  test('DELETE ignores a body, even one that is not JSON', async () => {
    const u = await t.user('pro');
    const { data } = await create(u, { destination_url: 'https://example.com/del-body' });
    const res = await t.app.handle(new Request(`${PATH}/${data.short_code}`, { method: 'DELETE', headers: { ...headers(u), 'content-type': 'application/json' }, body: '{oops' }));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ message: 'Short link deleted successfully.' });
  });
});

describe('updated_at moves when the owner changes something, and only then', () => {
  test('the background title fetch and a PUT that changes nothing leave it; a real change moves it', async () => {
    let release!: () => void;
    const fetched = new Promise<void>((resolve) => (release = resolve));
    const app = await makeTestApp({
      fetchMeta: async () => {
        await fetched;
        return { title: 'Fetched title', description: 'About the page', image: null };
      },
    });
    try {
      const u = await app.user('pro');
      const h = { authorization: `Bearer ${u.key}` };
      const { data } = await (await app.request('POST', API, { headers: h, body: { destination_url: 'https://example.com/slow' } })).json();
      type Stamps = { title: string; description: string | null; created_at: number; updated_at: number };
      const row = () => app.services.db.sqlite.query<Stamps, [number]>('SELECT title, description, created_at, updated_at FROM links WHERE id = ?').get(data.id)!;
      const before = row();
      expect(before.updated_at).toBe(before.created_at);
      await Bun.sleep(5);
      release();
      for (let i = 0; i < 200 && row().title !== 'Fetched title'; i++) await Bun.sleep(5);
      expect(row()).toEqual({ ...before, title: 'Fetched title', description: 'About the page' });

      for (const body of [{}, { short_code: 'ignored' }, { destination_url: 'https://example.com/slow' }]) {
        expect((await app.request('PUT', `${API}/${data.short_code}`, { headers: h, body })).status).toBe(200);
      }
      expect(row().updated_at).toBe(before.updated_at);
      await Bun.sleep(5);
      await app.request('PUT', `${API}/${data.short_code}`, { headers: h, body: { destination_url: 'https://example.com/moved' } });
      expect(row().updated_at).toBeGreaterThan(before.updated_at);
    } finally {
      await app.close();
    }
  });

  test('a PUT (or PATCH) resending the same schedules keeps their ids and updated_at; a changed one replaces them', async () => {
    const u = await t.user('pro');
    const schedules = [
      { start_at: '2030-01-01 10:00:00', end_at: '2030-01-02 10:00:00', destination_url: 'https://example.com/one' },
      { start_at: '2030-02-01 10:00:00', end_at: null, destination_url: 'https://example.com/two' },
    ];
    const { data } = await create(u, { destination_url: 'https://example.com/sched', schedules });
    const updatedAt = () => (t.services.db.sqlite.query('SELECT updated_at FROM links WHERE id = ?').get(data.id) as { updated_at: number }).updated_at;
    const before = updatedAt();
    await Bun.sleep(5);
    for (const method of ['PUT', 'PATCH']) {
      const res = await t.request(method, `${API}/${data.short_code}`, { headers: headers(u), body: { destination_url: 'https://example.com/sched', schedules } });
      expect(res.status).toBe(200);
      expect((await res.json()).data.schedules).toEqual(data.schedules);
    }
    expect(updatedAt()).toBe(before);
    const changed = [schedules[1]!, schedules[0]!];
    const res = await (await t.request('PUT', `${API}/${data.short_code}`, { headers: headers(u), body: { schedules: changed } })).json();
    expect(res.data.schedules.map((s: { destination_url: string }) => s.destination_url)).toEqual(['https://example.com/two', 'https://example.com/one']);
    expect(res.data.schedules[0].id).not.toBe(data.schedules[0].id);
    expect(updatedAt()).toBeGreaterThan(before);
  });

  test('a title the owner sets while the page is being fetched is kept', async () => {
    let release!: () => void;
    const fetched = new Promise<void>((resolve) => (release = resolve));
    let done!: () => void;
    const filled = new Promise<void>((resolve) => (done = resolve));
    const app = await makeTestApp({
      fetchMeta: async () => {
        await fetched;
        setTimeout(done, 20);
        return { title: 'Fetched title', description: 'From the page', image: 'https://example.com/i.png' };
      },
    });
    try {
      const actor = await app.services.users.actorFor((await app.user('pro')).user);
      const { link } = await app.services.links.create(actor, { destination: 'https://example.com/race', metadata: 'background' });
      await app.services.links.update(actor, link, { title: 'Mine' });
      release();
      await filled;
      const after = await app.services.links.get(actor, link.id);
      expect([after.title, after.description, after.thumbnailUrl]).toEqual(['Mine', 'From the page', 'https://example.com/i.png']);
    } finally {
      await app.close();
    }
  });
});

describe('pagination and sorting', () => {
  test('per_page, page 2, links and Laravel meta', async () => {
    const u = await t.user('pro');
    for (let i = 0; i < 7; i++) await create(u, { destination_url: `https://example.com/p${i}` });
    const p1 = await (await t.request('GET', `${API}?per_page=3`, { headers: headers(u) })).json();
    expect(p1.data.map((l: { destination_url: string }) => l.destination_url)).toEqual(['https://example.com/p6', 'https://example.com/p5', 'https://example.com/p4']);
    expect(p1.links).toEqual({ first: `${PATH}?page=1`, last: `${PATH}?page=3`, prev: null, next: `${PATH}?page=2` });
    const p2 = await (await t.request('GET', `${API}?per_page=3&page=2`, { headers: headers(u) })).json();
    expect(p2.meta).toMatchObject({ current_page: 2, from: 4, to: 6, last_page: 3, per_page: 3, total: 7 });
    expect(p2.links).toEqual({ first: `${PATH}?page=1`, last: `${PATH}?page=3`, prev: `${PATH}?page=1`, next: `${PATH}?page=3` });
    expect(p2.meta.links.map((l: { label: string; active: boolean }) => `${l.label}${l.active ? '*' : ''}`)).toEqual(['« Previous', '1', '2*', '3', 'Next »']);
    const beyond = await (await t.request('GET', `${API}?page=9`, { headers: headers(u) })).json();
    expect(beyond.meta).toMatchObject({ current_page: 9, from: null, to: null, total: 7 });
    const capped = await (await t.request('GET', `${API}?per_page=1000`, { headers: headers(u) })).json();
    expect(capped.meta.per_page).toBe(100);
  });

  test('sort_column=clicks_count&sort_type=asc orders by clicks', async () => {
    const u = await t.user('pro');
    const a = (await create(u, { destination_url: 'https://example.com/a' })).data;
    const b = (await create(u, { destination_url: 'https://example.com/b' })).data;
    const c = (await create(u, { destination_url: 'https://example.com/c' })).data;
    for (let i = 0; i < 3; i++) await visit(a.short_code);
    await visit(c.short_code);
    await t.flush();
    const asc = await (await t.request('GET', `${API}?sort_column=clicks_count&sort_type=asc`, { headers: headers(u) })).json();
    expect(asc.data.map((l: { short_code: string; clicks_count: number }) => [l.short_code, l.clicks_count])).toEqual([
      [b.short_code, 0],
      [c.short_code, 1],
      [a.short_code, 3],
    ]);
  });

  test('a bad sort_column, sort_type or per_page is 422', async () => {
    const u = await t.user('pro');
    const res = await t.request('GET', `${API}?sort_column=password`, { headers: headers(u) });
    expect(res.status).toBe(422);
    expect(await res.json()).toEqual({ message: 'The selected sort column is invalid.', errors: { sort_column: ['The selected sort column is invalid.'] } });
    expect((await t.request('GET', `${API}?sort_type=sideways`, { headers: headers(u) })).status).toBe(422);
    expect((await t.request('GET', `${API}?per_page=0`, { headers: headers(u) })).status).toBe(422);
  });
});

describe('errors', () => {
  test('422 short code already taken (and reserved words)', async () => {
    const u = await t.user('pro');
    await create(u, { destination_url: 'https://example.com/1', short_code: 'takenone' });
    for (const short_code of ['takenone', 'dashboard']) {
      const res = await t.request('POST', API, { headers: headers(u), body: { destination_url: 'https://example.com/2', short_code } });
      expect(res.status).toBe(422);
      expect(await res.json()).toEqual({ message: 'The short code has already been taken.', errors: { short_code: ['The short code has already been taken.'] } });
    }
  });

  test('422 invalid input, Laravel body with every field', async () => {
    const u = await t.user('pro');
    const res = await t.request('POST', API, {
      headers: headers(u),
      body: { destination_url: 'ftp://x', short_code: 'a b', utm: { utm_source: 5 }, schedules: [{ start_at: 'soon' }] },
    });
    expect(res.status).toBe(422);
    const body = await res.json();
    expect(Object.keys(body.errors).sort()).toEqual(['destination_url', 'schedules.0.destination_url', 'schedules.0.start_at', 'short_code', 'utm.utm_source']);
    expect(body.errors['schedules.0.start_at']).toEqual(['The schedules.0.start at field must be a valid date.']);
    expect(body.message).toMatch(/\(and 4 more errors\)$/);
    const missing = await (await t.request('POST', API, { headers: headers(u), body: {} })).json();
    expect(missing).toEqual({ message: 'The destination url field is required.', errors: { destination_url: ['The destination url field is required.'] } });
    const priv = await t.request('POST', API, { headers: headers(u), body: { destination_url: 'http://127.0.0.1/admin' } });
    expect(priv.status).toBe(422);
    expect((await t.request('POST', API, { headers: headers(u), raw: '{oops' })).status).toBe(422);
  });

  test('400 Tariff limit reached when the plan’s link quota is used up', async () => {
    await t.services.plans.update('enterprise', { maxLinks: 1 });
    try {
      const u = await t.user('enterprise');
      expect((await t.request('POST', API, { headers: headers(u), body: { destination_url: 'https://example.com/one' } })).status).toBe(200);
      const res = await t.request('POST', API, { headers: headers(u), body: { destination_url: 'https://example.com/two' } });
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({ message: 'Tariff limit reached' });
    } finally {
      await t.services.plans.update('enterprise', { maxLinks: null });
    }
  });

  test('a plan without custom aliases: 422 on short_code; a plan without API access: 400', async () => {
    await t.services.plans.update('enterprise', { customAlias: false });
    try {
      const u = await t.user('enterprise');
      const res = await t.request('POST', API, { headers: headers(u), body: { destination_url: 'https://example.com/x', short_code: 'mine123' } });
      expect(res.status).toBe(422);
      expect((await res.json()).errors.short_code).toEqual(['Your tariff does not include custom short codes.']);
    } finally {
      await t.services.plans.update('enterprise', { customAlias: true });
    }
    const free = await t.user('free');
    const res = await t.request('GET', API, { headers: headers(free) });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ message: 'Tariff limit reached' });
  });

  test('404 for an unknown code', async () => {
    const u = await t.user('pro');
    const res = await t.request('GET', `${API}/nope-nope`, { headers: headers(u) });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ message: 'Short link not found.' });
  });
});

describe('delete removes click logs and schedules', () => {
  test('clicks, rollups and schedules are gone; the code 404s and is not reissued to anyone else', async () => {
    const u = await t.user('pro');
    const soon = new Date(Date.now() + 86_400_000).toISOString();
    const { data } = await create(u, { destination_url: 'https://example.com/gone', short_code: 'gonesoon', schedules: [{ start_at: soon, destination_url: 'https://example.com/s' }] });
    await visit('gonesoon');
    await visit('gonesoon', '198.51.100.9');
    await t.flush();
    await visit('gonesoon'); // still queued when the delete arrives
    expect(count('SELECT COUNT(*) AS n FROM clicks WHERE link_id = ?', data.id)).toBe(2);
    expect(count('SELECT COUNT(*) AS n FROM link_schedules WHERE link_id = ?', data.id)).toBe(1);

    expect((await t.request('DELETE', `${API}/gonesoon`, { headers: headers(u) })).status).toBe(200);
    await t.flush();
    for (const table of ['clicks', 'link_schedules', 'click_rollups', 'click_profiles', 'link_visitors', 'link_counters']) {
      expect(count(`SELECT COUNT(*) AS n FROM ${table} WHERE link_id = ?`, data.id)).toBe(0);
    }
    expect((await visit('gonesoon')).status).toBe(404);
    expect((await t.request('DELETE', `${API}/gonesoon`, { headers: headers(u) })).status).toBe(404);
    const other = await t.user('pro');
    const hijack = await t.request('POST', API, { headers: headers(other), body: { destination_url: 'https://evil.example', short_code: 'gonesoon' } });
    expect(hijack.status).toBe(422);
    expect((await visit('gonesoon')).status).toBe(404);
  });

  test('its owner may create the deleted short_code again: a new link, with no history of the old one', async () => {
    const u = await t.user('pro');
    const { data: old } = await create(u, { destination_url: 'https://example.com/first', short_code: 'againcode' });
    await visit('againcode');
    await t.flush();
    expect((await t.request('DELETE', `${API}/againcode`, { headers: headers(u) })).status).toBe(200);
    expect((await visit('againcode')).status).toBe(404);

    const again = await t.request('POST', API, { headers: headers(u), body: { destination_url: 'https://example.com/second', short_code: 'againcode' } });
    expect(again.status).toBe(200);
    const { data } = await again.json();
    expect(data.id).not.toBe(old.id);
    expect(data.short_code).toBe('againcode');
    const hop = await visit('againcode');
    expect([hop.status, hop.headers.get('location')]).toEqual([302, 'https://example.com/second']);
    await t.flush();
    const shown = await (await t.request('GET', `${API}/againcode`, { headers: headers(u) })).json();
    expect(shown.data).toMatchObject({ id: data.id, destination_url: 'https://example.com/second' });
    const listed = await (await t.request('GET', `${API}?per_page=100`, { headers: headers(u) })).json();
    expect(listed.data.filter((l: { short_code: string }) => l.short_code === 'againcode')).toEqual([expect.objectContaining({ id: data.id, clicks_count: 1 })]);
  });
});

describe('ownership', () => {
  test('another user’s short_code is 404 on every route and the row is unchanged', async () => {
    const owner = await t.user('pro');
    const other = await t.user('pro');
    await create(owner, { destination_url: 'https://example.com/mine', short_code: 'ownedone', utm: { utm_source: 'x' } });
    const before = rowOf('ownedone');
    const attempts: [string, Record<string, unknown> | undefined][] = [
      ['GET', undefined],
      ['PUT', { destination_url: 'https://evil.example', status: false, utm: null }],
      ['DELETE', undefined],
    ];
    for (const [method, body] of attempts) {
      const res = await t.request(method, `${API}/ownedone`, { headers: headers(other), body });
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual({ message: 'Short link not found.' });
    }
    expect(rowOf('ownedone')).toEqual(before);
    const list = await (await t.request('GET', API, { headers: headers(other) })).json();
    expect(list.meta.total).toBe(0);
  });
});

describe('auth', () => {
  const routes: [string, string][] = [
    ['GET', API],
    ['POST', API],
    ['GET', `${API}/abc`],
    ['PUT', `${API}/abc`],
    ['DELETE', `${API}/abc`],
  ];
  for (const [method, path] of routes) {
    test(`${method} ${path}: no key, a wrong key, X-API-Key alone and ?api_key all answer 401`, async () => {
      const u = await t.user('pro');
      const attempts: Record<string, string>[] = [{}, { authorization: 'Bearer sr_wrong' }, { 'x-api-key': u.key }];
      for (const headers of attempts) {
        const res = await t.request(method, path, { headers, body: {} });
        expect(res.status).toBe(401);
        expect(await res.json()).toEqual({ message: 'Unauthenticated.' });
      }
      expect((await t.request(method, `${path}?api_key=${encodeURIComponent(u.key)}`, { body: {} })).status).toBe(401);
    });
  }

  test('429 with Retry-After past the plan’s per-minute limit', async () => {
    await t.services.plans.update('enterprise', { rateLimitPerMinute: 3 });
    try {
      const u = await t.user('enterprise');
      for (let i = 0; i < 3; i++) expect((await t.request('GET', API, { headers: headers(u) })).status).toBe(200);
      const res = await t.request('GET', API, { headers: headers(u) });
      expect(res.status).toBe(429);
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(await res.json()).toEqual({ message: 'Too Many Attempts.' });
    } finally {
      await t.services.plans.update('enterprise', { rateLimitPerMinute: 300 });
    }
  });
});
