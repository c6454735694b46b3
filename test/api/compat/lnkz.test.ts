/**
 * lnkz URL API, from seeds/lnkz-api.txt: every documented request sent as
 * written (base URL replaced, a test key as the token) with its response
 * pinned, then errors, bulk rules, ownership and auth. The core's clock runs
 * from mid-2025, when the document was written, so its example expiry
 * "2025-12-31 23:59:59" is still in the future, as its author meant it.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { BASE, makeTestApp, type TestApp } from '../../helpers/make-test-app.ts';
import { turnsDuring } from '../../helpers/turns.ts';

const DOC_TIME = Date.parse('2025-06-01T12:00:00Z');
const started = Date.now();

let t: TestApp;
beforeAll(async () => {
  t = await makeTestApp({ env: { TRUST_PROXY: 'true' }, now: () => DOC_TIME + (Date.now() - started) });
});
afterAll(() => t.close());

const API = '/api/v1/urls';
const KEYS = ['clicks', 'expiresAt', 'hash', 'id', 'shortUrl', 'url'];
const CHROME = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36';

type User = Awaited<ReturnType<TestApp['user']>>;
const bearer = (u: User) => ({ authorization: `Bearer ${u.key}` });
const send = (method: string, path: string, u: User, raw?: string) =>
  t.request(method, path, { headers: { ...bearer(u), ...(raw === undefined ? {} : { 'content-type': 'application/json' }) }, raw });
const create = async (u: User, body: unknown) => (await t.request('POST', API, { headers: bearer(u), body })).json();
const visit = (code: string) => t.app.handle(new Request(`${BASE}/${code}`, { headers: { 'user-agent': CHROME, 'x-forwarded-for': '198.51.100.7' } }));
const linkCount = (userId: number) => (t.services.db.sqlite.query('SELECT COUNT(*) AS n FROM links WHERE user_id = ?').get(userId) as { n: number }).n;
const rowOf = (id: number) => t.services.db.sqlite.query('SELECT destination, expires_at, deleted_at FROM links WHERE id = ?').get(id);

describe('happy path (documented examples)', () => {
  test('POST /urls answers 201 with clicks null and the Laravel date', async () => {
    const u = await t.user('pro');
    const res = await send('POST', API, u, '{\n"url": "https://www.youtube.com",\n"expiresAt": "2025-12-31 23:59:59"\n}');
    expect(res.status).toBe(201);
    const body = await res.json();
    expect(Object.keys(body.data).sort()).toEqual(KEYS);
    expect(body).toEqual({
      data: { id: expect.any(Number), hash: expect.stringMatching(/^[A-Za-z0-9]{7}$/), shortUrl: expect.any(String), url: 'https://www.youtube.com', clicks: null, expiresAt: '2025-12-31T23:59:59.000000Z' },
    });
    expect(body.data.shortUrl).toBe(`${BASE}/${body.data.hash}`);
    expect((await visit(body.data.hash)).headers.get('location')).toBe('https://www.youtube.com');
  });

  test('GET /urls and GET /urls/{id} show the count and "Y-m-d H:i:s" dates', async () => {
    const u = await t.user('pro');
    const a = (await create(u, { url: 'https://example.com', expiresAt: '2025-07-04T10:00:00Z' })).data;
    const b = (await create(u, { url: 'https://google.com' })).data;
    await visit(a.hash);
    await visit(a.hash);
    await t.flush();
    const list = await send('GET', API, u);
    expect(list.status).toBe(200);
    expect(await list.json()).toEqual({
      data: [
        { id: a.id, hash: a.hash, shortUrl: `${BASE}/${a.hash}`, url: 'https://example.com', clicks: 2, expiresAt: '2025-07-04 10:00:00' },
        { id: b.id, hash: b.hash, shortUrl: `${BASE}/${b.hash}`, url: 'https://google.com', clicks: 0, expiresAt: null },
      ],
    });
    const got = await send('GET', `${API}/${a.id}`, u);
    expect(got.status).toBe(200);
    expect(await got.json()).toEqual({ data: { id: a.id, hash: a.hash, shortUrl: `${BASE}/${a.hash}`, url: 'https://example.com', clicks: 2, expiresAt: '2025-07-04 10:00:00' } });
    const page = await (await send('GET', `${API}?page=2&per_page=1`, u)).json();
    expect(page.data.map((x: { id: number }) => x.id)).toEqual([b.id]);
  });

  test('GET /urls lists every URL, oldest first, however many (read in batches of 250, streamed past the first, other requests answered between them)', async () => {
    for (const n of [250, 251, 1000, 2345]) {
      const u = await t.user('enterprise');
      const actor = await t.services.users.actorFor(u.user);
      const made: number[] = [];
      for (let i = 0; i < n; i += 500) {
        const results = await t.services.links.createMany(actor, Array.from({ length: Math.min(500, n - i) }, (_, j) => ({ destination: `https://example.com/${i + j}`, metadata: 'none' as const })));
        for (const r of results) if (r.ok) made.push(r.value.link.id);
      }
      const gone = made.splice(100, 1)[0]!;
      await t.services.links.remove(actor, gone);
      const res = await send('GET', API, u);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
      // read as a fast client would, while other requests wait their turn of the event loop
      const { value: body, turns } = await turnsDuring(res.json());
      const { data } = body as { data: { id: number; url: string; clicks: number }[] };
      expect([n, data.length]).toEqual([n, n - 1]);
      // at least a turn for each batch after the first (2,345 links: 9; every batch in one go gave 1)
      expect(turns).toBeGreaterThanOrEqual(Math.floor(data.length / 250));
      expect(data.map((x) => x.id)).toEqual(made);
      expect(data[0]).toMatchObject({ url: 'https://example.com/0', clicks: 0 });
      // the pages agree with the whole list
      const page = await (await send('GET', `${API}?page=10&per_page=100`, u)).json();
      expect(page.data.map((x: { id: number }) => x.id)).toEqual(made.slice(900, 1000));
    }
  });

  test('POST /urls/bulk answers 201 with both URLs in order', async () => {
    const u = await t.user('pro');
    const raw = '[\n{\n"url": "https://laravel.com",\n"expiresAt": "2025-12-31 23:59:59"\n},\n{\n"url": "https://filamentphp.com",\n"expiresAt": null\n}\n]';
    const res = await send('POST', `${API}/bulk`, u, raw);
    expect(res.status).toBe(201);
    const { data } = await res.json();
    expect(data).toEqual([
      { id: expect.any(Number), hash: expect.any(String), shortUrl: `${BASE}/${data[0].hash}`, url: 'https://laravel.com', clicks: null, expiresAt: '2025-12-31T23:59:59.000000Z' },
      { id: data[0].id + 1, hash: expect.any(String), shortUrl: `${BASE}/${data[1].hash}`, url: 'https://filamentphp.com', clicks: null, expiresAt: null },
    ]);
    expect((await visit(data[1].hash)).status).toBe(302);
  });

  test('PUT /urls/{id} answers 200 with an empty body; expiresAt null clears it', async () => {
    const u = await t.user('pro');
    const made = (await create(u, { url: 'https://old.example.com' })).data;
    const res = await send('PUT', `${API}/${made.id}`, u, '{\n"url": "https://example.com",\n"expiresAt": "2025-12-31 23:59:59"\n}');
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
    expect((await (await send('GET', `${API}/${made.id}`, u)).json()).data).toMatchObject({ url: 'https://example.com', expiresAt: '2025-12-31 23:59:59' });
    expect((await send('PUT', `${API}/${made.id}`, u, '{"expiresAt": null}')).status).toBe(200);
    expect((await (await send('GET', `${API}/${made.id}`, u)).json()).data).toMatchObject({ url: 'https://example.com', expiresAt: null });
    // "" is null to Laravel (ConvertEmptyStringsToNull): it clears the expiry too, as it means none on create
    await send('PUT', `${API}/${made.id}`, u, '{"expiresAt": "2025-12-31 23:59:59"}');
    expect((await send('PUT', `${API}/${made.id}`, u, '{"expiresAt": ""}')).status).toBe(200);
    expect((await (await send('GET', `${API}/${made.id}`, u)).json()).data).toMatchObject({ expiresAt: null });
    // blank is "" once trimmed (TrimStrings runs first)
    await send('PUT', `${API}/${made.id}`, u, '{"expiresAt": "2025-12-31 23:59:59"}');
    expect((await send('PUT', `${API}/${made.id}`, u, '{"expiresAt": "  "}')).status).toBe(200);
    expect((await (await send('GET', `${API}/${made.id}`, u)).json()).data).toMatchObject({ expiresAt: null });
  });

  test('DELETE /urls/{id} answers 204 with no body; the URL 404s everywhere', async () => {
    const u = await t.user('pro');
    const made = (await create(u, { url: 'https://example.com/bye' })).data;
    const res = await send('DELETE', `${API}/${made.id}`, u);
    expect(res.status).toBe(204);
    expect(await res.text()).toBe('');
    expect((await send('GET', `${API}/${made.id}`, u)).status).toBe(404);
    expect((await visit(made.hash)).status).toBe(404);
  });
});

describe('errors', () => {
  test('PATCH updates as PUT does (Laravel routes both to the update)', async () => {
    const u = await t.user('pro');
    const { data } = await create(u, { url: 'https://example.com/before-patch' });
    const res = await send('PATCH', `${API}/${data.id}`, u, '{"url":"https://example.com/after-patch"}');
    expect([res.status, await res.text()]).toEqual([200, '']);
    expect((rowOf(data.id) as { destination: string }).destination).toBe('https://example.com/after-patch');
    expect((await send('PATCH', `${API}/${data.id}`, u, '{"url":"not a url"}')).status).toBe(422);
  });

  test('a method or a path lnkz does not have answers in lnkz\'s {code, message}: 405 with Allow, or 404', async () => {
    const u = await t.user('pro');
    const { data } = await create(u, { url: 'https://example.com/patched' });
    const posted = await send('POST', `${API}/${data.id}`, u, '{"url":"https://example.com/x"}');
    expect(posted.status).toBe(405);
    expect(posted.headers.get('allow')).toBe('GET, HEAD, PUT, PATCH, DELETE');
    const body = await posted.json();
    expect(Object.keys(body).sort()).toEqual(['code', 'message']);
    expect(body.code).toBe('METHOD_NOT_ALLOWED');
    const deeper = await send('GET', `${API}/${data.id}/clicks`, u);
    expect(deeper.status).toBe(404);
    expect(await deeper.json()).toEqual({ code: 'NOT_FOUND', message: `The route api/v1/urls/${data.id}/clicks could not be found.` });
  });

  test('404 NOT_FOUND for an unknown or malformed id', async () => {
    const u = await t.user('pro');
    for (const id of ['999999', 'abc', '-1']) {
      const res = await send('GET', `${API}/${id}`, u);
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual({ code: 'NOT_FOUND', message: 'URL not found.' });
    }
  });

  test('422 VALIDATION_ERROR per field; 400 BAD_REQUEST for a body that is not JSON', async () => {
    const u = await t.user('pro');
    let res = await send('POST', API, u, '{}');
    expect(res.status).toBe(422);
    expect(await res.json()).toEqual({ code: 'VALIDATION_ERROR', message: 'The url field is required.', errors: { url: ['The url field is required.'] } });
    res = await send('POST', API, u, '{"url":"javascript:alert(1)","expiresAt":"someday"}');
    expect(Object.keys((await res.json()).errors).sort()).toEqual(['expiresAt', 'url']);
    res = await send('POST', API, u, '{"url":"https://example.com","expiresAt":"2020-01-01 00:00:00"}');
    expect(res.status).toBe(422);
    expect((await res.json()).errors).toEqual({ expiresAt: ['The expires at field must be a date after now.'] });
    expect((await send('POST', API, u, '{"url":"http://10.0.0.1/"}')).status).toBe(422);
    res = await send('POST', API, u, '{"url":');
    expect(res.status).toBe(400);
    expect((await res.json()).code).toBe('BAD_REQUEST');
  });

  test('paging beyond the document is validated: per_page 1 to 100, page from 1 (422 VALIDATION_ERROR)', async () => {
    const u = await t.user('pro');
    await create(u, { url: 'https://example.com/paged' });
    const refused = async (query: string, field: string, message: string) => {
      const res = await send('GET', `${API}?${query}`, u);
      expect([query, res.status, await res.json()]).toEqual([query, 422, { code: 'VALIDATION_ERROR', message, errors: { [field]: [message] } }]);
    };
    await refused('per_page=101', 'per_page', 'The per page field must be between 1 and 100.');
    await refused('per_page=0', 'per_page', 'The per page field must be between 1 and 100.');
    await refused('page=0', 'page', 'The page field must be at least 1.');
    const hundred = await send('GET', `${API}?per_page=100`, u);
    expect(hundred.status).toBe(200);
    expect((await hundred.json()).data).toHaveLength(1);
  });

  test('a past expiresAt is named in the same 422 as the other fields at fault, as Laravel lists them all', async () => {
    const u = await t.user('pro');
    const past = '2001-01-01 00:00:00';
    const both = { url: ['The url field must be a valid URL.'], expiresAt: ['The expires at field must be a date after now.'] };
    const created = await send('POST', API, u, JSON.stringify({ url: 'bad', expiresAt: past }));
    expect(created.status).toBe(422);
    expect(await created.json()).toEqual({ code: 'VALIDATION_ERROR', message: 'The url field must be a valid URL. (and 1 more error)', errors: both });
    const { data } = await create(u, { url: 'https://example.com/kept' });
    const updated = await send('PUT', `${API}/${data.id}`, u, JSON.stringify({ url: 'bad', expiresAt: past }));
    expect([updated.status, (await updated.json()).errors]).toEqual([422, both]);
    const bulk = await send('POST', `${API}/bulk`, u, JSON.stringify([{ url: 'https://x.com' }, { url: 'bad' }, { expiresAt: past }]));
    expect(bulk.status).toBe(422);
    expect((await bulk.json()).errors).toEqual({
      '1.url': ['The 1.url field must be a valid URL.'],
      '2.url': ['The 2.url field is required.'],
      '2.expiresAt': ['The 2.expires at field must be a date after now.'],
    });
  });

  test('"after now" is judged on the core\'s clock: the document\'s expiry is still ahead, whatever else fails', async () => {
    const u = await t.user('pro');
    const res = await send('POST', API, u, '{"url":"bad","expiresAt":"2025-12-31 23:59:59"}');
    expect((await res.json()).errors).toEqual({ url: ['The url field must be a valid URL.'] });
  });

  test('PLAN_QUOTA_EXCEEDED body with the real plan, limit and usage (403), for create and bulk', async () => {
    await t.services.plans.update('enterprise', { maxLinks: 2 });
    try {
      const u = await t.user('enterprise');
      await create(u, { url: 'https://example.com/1' });
      const bulk = await send('POST', `${API}/bulk`, u, JSON.stringify([{ url: 'https://example.com/2' }, { url: 'https://example.com/3' }]));
      expect(bulk.status).toBe(403);
      expect((await bulk.json()).current_usage).toBe(1);
      await create(u, { url: 'https://example.com/2' });
      const res = await send('POST', API, u, '{"url":"https://example.com/3"}');
      expect(res.status).toBe(403);
      expect(await res.json()).toEqual({
        code: 'PLAN_QUOTA_EXCEEDED',
        message: 'You reached your link limit for the current plan.',
        current_plan: 'enterprise',
        quota_key: 'max_links',
        policy_limit: 2,
        current_usage: 2,
        upgrade_hint: 'Upgrade to PRO to unlock this capability.',
      });
      expect(linkCount(u.user.id)).toBe(2);
    } finally {
      await t.services.plans.update('enterprise', { maxLinks: null });
    }
  });

  test('free plan (no API access): 403 with the document\'s PLAN_QUOTA_EXCEEDED body, the quota named api_access', async () => {
    const u = await t.user('free');
    const res = await send('GET', API, u);
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({
      code: 'PLAN_QUOTA_EXCEEDED',
      message: 'API access requires a Pro or Enterprise plan (current plan: free).',
      current_plan: 'free',
      quota_key: 'api_access',
      policy_limit: 0,
      current_usage: 0,
      upgrade_hint: 'Upgrade to PRO to unlock this capability.',
    });
  });

  test('a feature the plan lacks answers the same body, naming it', async () => {
    await t.services.plans.update('pro', { expiry: false });
    try {
      const u = await t.user('pro');
      const res = await send('POST', API, u, JSON.stringify({ url: 'https://example.com/gated', expiresAt: '2099-01-01 00:00:00' }));
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({ code: 'PLAN_QUOTA_EXCEEDED', current_plan: 'pro', quota_key: 'expiry', policy_limit: 0, current_usage: 0 });
    } finally {
      await t.services.plans.update('pro', { expiry: true });
    }
  });

  test('an expiry added by PUT on a plan without expiry answers the same body, and the URL keeps none', async () => {
    // the free plan with API access, its features still off
    await t.services.plans.update('free', { apiAccess: true });
    try {
      const u = await t.user('free');
      const { data } = await create(u, { url: 'https://example.com/no-expiry' });
      expect(data.expiresAt).toBeNull();
      const res = await send('PUT', `${API}/${data.id}`, u, JSON.stringify({ url: 'https://example.com/no-expiry', expiresAt: '2099-01-01 00:00:00' }));
      expect(res.status).toBe(403);
      expect(await res.json()).toEqual({
        code: 'PLAN_QUOTA_EXCEEDED',
        message: 'Link expiration dates require a Pro or Enterprise plan.',
        current_plan: 'free',
        quota_key: 'expiry',
        policy_limit: 0,
        current_usage: 0,
        upgrade_hint: 'Upgrade to PRO to unlock this capability.',
      });
      expect(rowOf(data.id)).toEqual({ destination: 'https://example.com/no-expiry', expires_at: null, deleted_at: null });
    } finally {
      await t.services.plans.update('free', { apiAccess: false });
    }
  });
});

describe('bulk rules', () => {
  test('one invalid item fails the whole batch with errors keyed by index; nothing is created', async () => {
    const u = await t.user('pro');
    const res = await send('POST', `${API}/bulk`, u, JSON.stringify([{ url: 'https://ok.example' }, { url: 'not a url' }, 'x']));
    expect(res.status).toBe(422);
    const body = await res.json();
    expect(body.code).toBe('VALIDATION_ERROR');
    expect(Object.keys(body.errors).sort()).toEqual(['1.url', '2']);
    expect(body.errors['1.url']).toEqual(['The 1.url field must be a valid URL.']);
    const past = await send('POST', `${API}/bulk`, u, JSON.stringify([{ url: 'https://ok.example' }, { url: 'https://ok2.example', expiresAt: '2001-01-01 00:00:00' }]));
    expect(past.status).toBe(422);
    expect((await past.json()).errors).toEqual({ '1.expiresAt': ['The 1.expires at field must be a date after now.'] });
    // Laravel names expiresAt "expires at", and a bulk item's field by its index
    const bad = await send('POST', `${API}/bulk`, u, JSON.stringify([{ url: 'nope' }, { url: 'https://ok3.example', expiresAt: 'soon' }]));
    expect((await bad.json()).errors).toEqual({ '0.url': ['The 0.url field must be a valid URL.'], '1.expiresAt': ['The 1.expires at field must be a valid date.'] });
    expect(linkCount(u.user.id)).toBe(0);
  });

  test('a batch whose third insert fails in storage creates none of it', async () => {
    const u = await t.user('pro');
    // storage refusing one row, as a full disk or a constraint would, after two rows of the batch were written
    t.sqlite.run("CREATE TRIGGER refuse_boom BEFORE INSERT ON links WHEN NEW.destination = 'https://example.com/boom' BEGIN SELECT RAISE(ABORT, 'boom'); END");
    try {
      const res = await send('POST', `${API}/bulk`, u, JSON.stringify([{ url: 'https://example.com/a' }, { url: 'https://example.com/b' }, { url: 'https://example.com/boom' }]));
      expect([res.status, await res.json()]).toEqual([500, { code: 'SERVER_ERROR', message: 'Server Error' }]);
      expect(linkCount(u.user.id)).toBe(0);
    } finally {
      t.sqlite.run('DROP TRIGGER refuse_boom');
    }
    expect((await send('POST', `${API}/bulk`, u, JSON.stringify([{ url: 'https://example.com/a' }, { url: 'https://example.com/b' }]))).status).toBe(201);
  });

  test('the body must be an array of 1 to 100 items', async () => {
    const u = await t.user('pro');
    for (const body of ['{"url":"https://a.example"}', '[]', JSON.stringify(Array.from({ length: 101 }, (_, i) => ({ url: `https://a.example/${i}` })))]) {
      const res = await send('POST', `${API}/bulk`, u, body);
      expect(res.status).toBe(422);
      expect(Object.keys((await res.json()).errors)).toEqual(['body']);
    }
    const hundred = await send('POST', `${API}/bulk`, u, JSON.stringify(Array.from({ length: 100 }, (_, i) => ({ url: `https://a.example/${i}` }))));
    expect(hundred.status).toBe(201);
    expect((await hundred.json()).data).toHaveLength(100);
  });
});

describe('ownership', () => {
  test('another user’s id is 404 on every route and the row is unchanged', async () => {
    const owner = await t.user('pro');
    const other = await t.user('pro');
    const made = (await create(owner, { url: 'https://example.com/mine', expiresAt: '2025-12-31 23:59:59' })).data;
    const before = rowOf(made.id);
    for (const [method, raw] of [['GET', undefined], ['PUT', '{"url":"https://evil.example","expiresAt":null}'], ['DELETE', undefined]] as const) {
      const res = await send(method, `${API}/${made.id}`, other, raw);
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual({ code: 'NOT_FOUND', message: 'URL not found.' });
    }
    expect(rowOf(made.id)).toEqual(before);
    expect((await (await send('GET', API, other)).json()).data).toEqual([]);
  });
});

describe('auth', () => {
  const routes: [string, string][] = [
    ['GET', API],
    ['POST', API],
    ['POST', `${API}/bulk`],
    ['GET', `${API}/1`],
    ['PUT', `${API}/1`],
    ['DELETE', `${API}/1`],
  ];
  for (const [method, path] of routes) {
    test(`${method} ${path}: no key, a wrong key, X-API-Key alone and ?api_key answer 401`, async () => {
      const u = await t.user('pro');
      const attempts: Record<string, string>[] = [{}, { authorization: 'Bearer sr_wrong' }, { 'x-api-key': u.key }];
      for (const headers of attempts) {
        const res = await t.request(method, path, { headers, body: {} });
        expect(res.status).toBe(401);
        expect(await res.json()).toEqual({ code: 'UNAUTHENTICATED', message: 'Unauthenticated.' });
      }
      expect((await t.request(method, `${path}?api_key=${encodeURIComponent(u.key)}`, { body: {} })).status).toBe(401);
    });
  }

  test('429 RATE_LIMITED with Retry-After past the plan’s per-minute limit', async () => {
    await t.services.plans.update('enterprise', { rateLimitPerMinute: 2 });
    try {
      const u = await t.user('enterprise');
      for (let i = 0; i < 2; i++) expect((await send('GET', API, u)).status).toBe(200);
      const res = await send('GET', API, u);
      expect(res.status).toBe(429);
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect((await res.json()).code).toBe('RATE_LIMITED');
    } finally {
      await t.services.plans.update('enterprise', { rateLimitPerMinute: 300 });
    }
  });
});
