/**
 * ShrtLnk dialect, from seeds/shrtlnk-api.txt: every documented request sent
 * as written (base URL replaced) with its response shape pinned; then
 * normalisation, deduplication, labels vs ownership, errors and auth.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { ANONYMOUS_DISABLED_MESSAGE } from '../../../src/http/anonymous.ts';
import { BASE, makeTestApp, type TestApp } from '../../helpers/make-test-app.ts';

const CREATE_KEYS = [
  'success', 'id', 'short_url', 'short_code', 'original_url', 'redirect_mode', 'page_title', 'thumbnail_url',
  'source', 'url_cloak', 'cloaked', 'clicks', 'existing', 'created_at',
];
const GET_KEYS = [
  'success', 'id', 'short_url', 'short_code', 'original_url', 'redirect_mode', 'bridge_delay_seconds', 'page_title',
  'thumbnail_url', 'source', 'url_cloak', 'cloaked', 'clicks', 'user_id', 'created_at', 'updated_at',
];
const DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00$/;
const NOT_FOUND = { success: false, message: 'Short link not found.' };

let t: TestApp;
beforeAll(async () => {
  // TRUST_PROXY lets each request name its client, so the per-IP budget is tested deliberately, not by accident
  t = await makeTestApp({ env: { ANONYMOUS_LINKS: 'true', TRUST_PROXY: 'true' } });
});
afterAll(() => t.close());

let ipSeq = 0;
const freshIp = () => `198.51.${Math.floor(++ipSeq / 250)}.${(ipSeq % 250) + 1}`;
type Init = Parameters<TestApp['request']>[2];
const send = (method: string, path: string, init: Init = {}) =>
  t.request(method, path, { ...init, headers: { 'x-forwarded-for': freshIp(), ...init?.headers } });
const create = async (body: Record<string, unknown>, headers: Record<string, string> = {}) => {
  const res = await send('POST', '/api/links', { body, headers });
  return { status: res.status, body: await res.json() };
};

describe('documented examples', () => {
  const example = { original_url: 'https://example.com/blog/post', user_id: 42, user_agent: 'MyIntegration/1.0', ip_address: '203.0.113.10' };

  test('POST /api/links answers 201 with the documented shape, then 200 existing for the same request', async () => {
    const first = await create(example);
    expect(first.status).toBe(201);
    expect(Object.keys(first.body)).toEqual(CREATE_KEYS);
    expect(first.body).toMatchObject({
      success: true,
      original_url: 'https://example.com/blog/post',
      redirect_mode: 'bridge',
      page_title: 'example.com', // no Open Graph in tests: the host name, as documented
      thumbnail_url: null,
      source: 'api',
      url_cloak: 1,
      cloaked: true,
      clicks: 0,
      existing: false,
    });
    expect(first.body.id).toBeInteger();
    expect(first.body.short_code).toMatch(/^[A-Za-z0-9]{7}$/);
    expect(first.body.short_url).toBe(`${BASE}/s/${first.body.short_code}`);
    expect(first.body.created_at).toMatch(DATE);

    const again = await create(example);
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ ...first.body, existing: true });
  });

  test('GET /api/links/{code} answers the documented shape with the user_id label', async () => {
    const { body: made } = await create({ ...example, original_url: 'https://example.com/get-me' });
    const res = await send('GET', `/api/links/${made.short_code}`, { headers: { accept: 'application/json' } });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(Object.keys(body)).toEqual(GET_KEYS);
    expect(body).toMatchObject({ success: true, id: made.id, short_code: made.short_code, bridge_delay_seconds: 0, user_id: 42, clicks: 0 });
    expect(body.updated_at).toMatch(DATE);
  });

  test('GET of an unknown code answers the documented 404', async () => {
    const res = await send('GET', '/api/links/abc123');
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual(NOT_FOUND);
  });

  test('PATCH /api/links/{code} with the documented body answers the GET shape', async () => {
    const { body: made } = await create({ original_url: 'https://example.com/to-update' });
    const res = await send('PATCH', `/api/links/${made.short_code}`, { body: { original_url: 'https://example.com/updated', url_cloak: 1, page_title: 'Updated title' } });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(Object.keys(body)).toEqual(GET_KEYS);
    expect(body).toMatchObject({ id: made.id, original_url: 'https://example.com/updated', url_cloak: 1, redirect_mode: 'bridge', page_title: 'Updated title' });
  });

  test('form bodies work like JSON (url_cloak 0 = direct)', async () => {
    const res = await send('POST', '/api/links', { form: { original_url: 'https://example.com/form', user_id: '7', url_cloak: '0', source: 'engagyo' } });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ redirect_mode: 'direct', url_cloak: 0, cloaked: false, source: 'engagyo' });
  });
});

describe('link preview (Open Graph)', () => {
  test('without page_title the page is fetched: og title and og:image fill page_title and thumbnail_url', async () => {
    const fetched: string[] = [];
    const og = await makeTestApp({
      env: { ANONYMOUS_LINKS: 'true' },
      fetchMeta: async (url) => (fetched.push(url), { title: 'Example Blog Post', description: null, image: 'https://example.com/og-image.jpg' }),
    });
    try {
      const res = await og.request('POST', '/api/links', { body: { original_url: 'https://example.com/blog/post' } });
      expect(await res.json()).toMatchObject({ page_title: 'Example Blog Post', thumbnail_url: 'https://example.com/og-image.jpg' });
      const given = await og.request('POST', '/api/links', { body: { original_url: 'https://example.com/x', page_title: 'Mine', thumbnail_url: 'https://cdn.example.com/i.png' } });
      expect(await given.json()).toMatchObject({ page_title: 'Mine', thumbnail_url: 'https://cdn.example.com/i.png' });
      expect(fetched).toEqual(['https://example.com/blog/post']);
    } finally {
      await og.close();
    }
  });

  test('url_cloak 1 → /s/{code} is the bridge page with og tags; url_cloak 0 → 302', async () => {
    const { body: bridged } = await create({ original_url: 'https://example.com/bridge', page_title: 'Bridge <Title>', thumbnail_url: 'https://example.com/og.png' });
    const page = await t.app.handle(new Request(`${BASE}/s/${bridged.short_code}`));
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    const text = await page.text();
    expect(text).toContain('<meta property="og:title" content="Bridge &lt;Title&gt;">');
    expect(text).toContain('<meta property="og:image" content="https://example.com/og.png">');

    const { body: direct } = await create({ original_url: 'https://example.com/direct', url_cloak: 0 });
    const hop = await t.app.handle(new Request(`${BASE}/s/${direct.short_code}`));
    expect(hop.status).toBe(302);
    expect(hop.headers.get('location')).toBe('https://example.com/direct');
  });

  test('visiting /s/{code} increments clicks by 1, from a script too; unfurlers and HEAD count nothing', async () => {
    const { body: made } = await create({ original_url: 'https://example.com/counted-visit' });
    const clicks = async () => {
      await t.flush();
      return (await (await send('GET', `/api/links/${made.short_code}`)).json()).clicks;
    };
    const visit = (ua: string, method = 'GET', path = `/s/${made.short_code}`) =>
      t.app.handle(new Request(BASE + path, { method, headers: { 'user-agent': ua, 'x-forwarded-for': freshIp() } }));
    expect((await visit('curl/8.5.0')).status).toBe(200);
    expect(await clicks()).toBe(1);
    await visit('python-requests/2.32.3');
    expect(await clicks()).toBe(2);
    await visit('Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)');
    await visit('curl/8.5.0', 'HEAD');
    expect(await clicks()).toBe(2);
    // the plain short URL is a link for people: a script following it is not a visit
    await visit('curl/8.5.0', 'GET', `/${made.short_code}`);
    expect(await clicks()).toBe(2);
  });
});

describe('normalisation and deduplication', () => {
  test('" Example.COM/path/ " is stored as https://example.com/path and deduplicates with it', async () => {
    const a = await create({ original_url: ' Example.COM/path/ ', user_agent: 'norm' });
    expect(a.status).toBe(201);
    expect(a.body.original_url).toBe('https://example.com/path');
    const b = await create({ original_url: 'https://example.com/path', user_agent: 'norm' });
    expect(b).toMatchObject({ status: 200, body: { id: a.body.id, existing: true } });
    // scheme-relative: https is added in place of the two slashes, not in front of them
    const c = await create({ original_url: '//Example.com/path', user_agent: 'norm' });
    expect(c).toMatchObject({ status: 200, body: { id: a.body.id, original_url: 'https://example.com/path' } });
  });

  test('identical requests sent at once make one link: one 201, the rest 200 existing (anonymous and with a key)', async () => {
    const u = await t.user('pro');
    for (const headers of [{}, { authorization: `Bearer ${u.key}` }] as Record<string, string>[]) {
      const body = { original_url: `https://example.com/at-once/${Object.keys(headers).length}`, user_id: 7, user_agent: 'Burst/1.0' };
      const answers = await Promise.all(Array.from({ length: 5 }, () => create(body, headers)));
      expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 200, 200, 201]);
      expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
    }
    // different scopes still get their own links at once
    const scoped = await Promise.all([7, 8].map((user_id) => create({ original_url: 'https://example.com/at-once/scoped', user_id })));
    expect(scoped.map((a) => a.status)).toEqual([201, 201]);
  });

  test('normalisation edits only what the document lists: a non-ASCII path stays as sent, and counts as sent against 2048', async () => {
    const moscow = await create({ original_url: 'https://ru.wikipedia.org/wiki/Москва/', user_agent: 'idn', url_cloak: 0 });
    expect(moscow.status).toBe(201);
    expect(moscow.body.original_url).toBe('https://ru.wikipedia.org/wiki/Москва');
    // the 302 carries it percent-encoded, as a Location header must
    const visit = await t.request('GET', `/${moscow.body.short_code}`);
    expect(visit.headers.get('location')).toBe('https://ru.wikipedia.org/wiki/%D0%9C%D0%BE%D1%81%D0%BA%D0%B2%D0%B0');
    // 330 characters as sent (2,730 once percent-encoded)
    const long = `https://ja.wikipedia.org/wiki/${'あ'.repeat(300)}`;
    const created = await create({ original_url: long, user_agent: 'idn' });
    expect(created.status).toBe(201);
    expect(created.body.original_url).toBe(long);
  });

  test('same URL + source + cloak in the same label scope → existing; any difference → a new link', async () => {
    const base = { original_url: 'https://example.com/dedupe', user_agent: 'Agent/1', user_id: 5 };
    const first = await create(base);
    expect(first.status).toBe(201);
    const same = await create(base);
    expect(same).toMatchObject({ status: 200, body: { id: first.body.id, existing: true } });
    // user_id scopes first: another user_agent under the same user_id is still the same link
    expect((await create({ ...base, user_agent: 'Agent/2' })).body.id).toBe(first.body.id);
    const ids = new Set([first.body.id]);
    for (const variant of [{ user_id: 6 }, { source: 'engagyo' }, { url_cloak: 0 }]) {
      const r = await create({ ...base, ...variant });
      expect(r).toMatchObject({ status: 201, body: { existing: false } });
      ids.add(r.body.id);
    }
    const byAgent = await create({ original_url: base.original_url, user_agent: 'Agent/1' });
    const byOtherAgent = await create({ original_url: base.original_url, user_agent: 'Agent/2' });
    expect(byAgent.status).toBe(201);
    expect(byOtherAgent.status).toBe(201);
    ids.add(byAgent.body.id).add(byOtherAgent.body.id);
    expect(ids.size).toBe(6);
  });

  test('user_agent defaults to the request User-Agent, which then scopes deduplication', async () => {
    const url = { original_url: 'https://example.com/ua-default' };
    const a = await create(url, { 'user-agent': 'Browser/1' });
    const b = await create(url, { 'user-agent': 'Browser/1' });
    const c = await create(url, { 'user-agent': 'Browser/2' });
    expect([a.status, b.status, c.status]).toEqual([201, 200, 201]);
    expect(b.body.id).toBe(a.body.id);
  });

  test('a key caller deduplicates only within its own links', async () => {
    const u = await t.user('pro');
    const body = { original_url: 'https://example.com/keyed', user_agent: 'Same/1' };
    const anon = await create(body);
    const mine = await create(body, u.auth);
    expect(mine.status).toBe(201);
    expect(mine.body.id).not.toBe(anon.body.id);
    expect(await create(body, u.auth)).toMatchObject({ status: 200, body: { id: mine.body.id } });
  });

  test('a paused link, or one given a password, expiry, UTM or schedules elsewhere, is never handed back as existing', async () => {
    const u = await t.user('pro');
    const actor = await t.services.users.actorFor(u.user);
    const body = { original_url: 'https://example.com/dedupe-live', user_id: 42, url_cloak: 0 };
    const first = await create(body, u.auth);
    await t.services.links.update(actor, await t.services.links.get(actor, first.body.id), { isActive: false });
    const second = await create(body, u.auth);
    expect(second).toMatchObject({ status: 201, body: { existing: false } });
    // the live one is found from then on, though an older (paused) match has a lower id
    expect(await create(body, u.auth)).toMatchObject({ status: 200, body: { id: second.body.id, existing: true } });
    // links made through the other dialects share the unlabelled bucket (source "api", direct): only plain ones match
    const plain = { original_url: 'https://example.com/other-dialect', url_cloak: 0 };
    const extras = [
      { password: 'hunter22' }, { expiresAt: Date.now() + 3_600_000 }, { utm: { source: 'news' } },
      { schedules: [{ startsAt: Date.now() + 3_600_000, endsAt: null, destination: 'https://example.com/later' }] },
    ];
    for (const extra of extras) {
      const made = await t.services.links.create(actor, { destination: 'https://example.com/other-dialect', source: 'api', ...extra });
      const got = await create(plain, u.auth);
      expect(got.body.id).not.toBe(made.link.id);
      await t.services.links.remove(actor, got.body.id);
    }
  });
});

describe('labels never grant access', () => {
  test('an owned link is invisible and unchangeable to anyone but its key, whatever user_id they send', async () => {
    const owner = await t.user('pro');
    const other = await t.user('pro');
    const { body: made } = await create({ original_url: 'https://example.com/owned', user_id: 42 }, owner.auth);
    const path = `/api/links/${made.short_code}`;
    for (const headers of [{}, other.auth]) {
      expect(await (await send('GET', path, { headers })).json()).toEqual(NOT_FOUND);
      const patch = await send('PATCH', path, { headers, body: { user_id: 42, original_url: 'https://evil.example/' } });
      expect(patch.status).toBe(404);
      expect((await send('PUT', path, { headers, body: { page_title: 'x' } })).status).toBe(404);
    }
    const mine = await send('PATCH', path, { headers: owner.auth, body: { page_title: 'Owner edit' } });
    expect(await mine.json()).toMatchObject({ page_title: 'Owner edit', user_id: 42, original_url: 'https://example.com/owned' });
  });

  test('user_id in PATCH changes the label only: the link stays anonymous', async () => {
    const { body: made } = await create({ original_url: 'https://example.com/label' });
    const res = await send('PATCH', `/api/links/${made.short_code}`, { body: { user_id: 99 } });
    expect(await res.json()).toMatchObject({ user_id: 99 });
    const link = await t.services.links.getPublic(made.short_code);
    expect(link.userId).toBeNull();
  });

  test('anonymous links from LinkShrink (delete token) are readable but not editable here', async () => {
    const { link } = await t.services.links.create(null, { destination: 'https://example.com/ls', title: 'LS', issueDeleteToken: true });
    expect((await send('GET', `/api/links/${link.code}`)).status).toBe(200);
    const res = await send('PATCH', `/api/links/${link.code}`, { body: { original_url: 'https://evil.example/' } });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ success: false });
    // nor does deduplication hand such a link out
    const dup = await create({ original_url: 'https://example.com/ls', url_cloak: 0 }, { 'user-agent': '' });
    expect(dup.body.id).not.toBe(link.id);
  });

  test('an anonymous LinkShrink link with private stats is 404 here, as a missing code (its clicks are behind the stats token)', async () => {
    const made = await send('POST', '/api/v1/shorten', { body: { url: 'https://example.com/private-stats', private_stats: true } });
    expect(made.status).toBe(201);
    const { code } = (await made.json()).data;
    const res = await send('GET', `/api/links/${code}`);
    expect([res.status, await res.json()]).toEqual([404, NOT_FOUND]);
    const patch = await send('PATCH', `/api/links/${code}`, { body: { page_title: 'x' } });
    expect([patch.status, await patch.json()]).toEqual([404, NOT_FOUND]);
    // the same link without private stats is readable, as above
    const open = (await (await send('POST', '/api/v1/shorten', { body: { url: 'https://example.com/private-stats' } })).json()).data;
    expect((await send('GET', `/api/links/${open.code}`)).status).toBe(200);
  });

  test('a key cannot change an anonymous link (keys work within their own links)', async () => {
    const u = await t.user('pro');
    const { body: made } = await create({ original_url: 'https://example.com/anon-vs-key' });
    expect((await send('PATCH', `/api/links/${made.short_code}`, { headers: u.auth, body: { page_title: 'x' } })).status).toBe(404);
  });
});

describe('updates', () => {
  test('PATCH and PUT change only what is sent; null clears the page_title override', async () => {
    const { body: made } = await create({ original_url: 'https://example.com/partial', page_title: 'Keep', source: 'crm', thumbnail_url: 'https://example.com/t.png', user_agent: 'no-fetch' });
    const path = `/api/links/${made.short_code}`;
    const put = await (await send('PUT', path, { body: { url_cloak: 0 } })).json();
    expect(put).toMatchObject({ redirect_mode: 'direct', url_cloak: 0, cloaked: false, page_title: 'Keep', thumbnail_url: 'https://example.com/t.png', source: 'crm', original_url: 'https://example.com/partial' });
    const patched = await (await send('PATCH', path, { form: { source: 'api', original_url: 'Example.com/New/' } })).json();
    expect(patched).toMatchObject({ source: 'api', original_url: 'https://example.com/New', url_cloak: 0, page_title: 'Keep' });
    await t.services.links.update(null, await t.services.links.getPublic(made.short_code), { title: 'Own title' });
    const cleared = await (await send('PATCH', path, { body: { page_title: null, thumbnail_url: '' } })).json();
    // without the override the bridge (and this field) fall back to the link's own title
    expect(cleared).toMatchObject({ page_title: 'Own title', thumbnail_url: null });
  });

  test('clearing page_title of a link created with both preview fields falls back to the hostname, here and on the bridge page', async () => {
    const { body: made } = await create({ original_url: 'https://example.com/a', page_title: 'Launch draft', thumbnail_url: 'https://example.com/og.png' });
    expect(made.page_title).toBe('Launch draft');
    const path = `/api/links/${made.short_code}`;
    expect(await (await send('PATCH', path, { body: { page_title: null } })).json()).toMatchObject({ page_title: 'example.com' });
    expect(await (await send('GET', path)).json()).toMatchObject({ page_title: 'example.com' });
    const bridge = await (await send('GET', `/s/${made.short_code}`, { headers: { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Chrome/126.0 Safari/537.36' } })).text();
    expect(bridge).toContain('<title>example.com');
    expect(bridge).not.toContain('Launch draft');
  });

  test('blank strings are null, as Laravel hands them over: they clear optional fields and pass optional rules', async () => {
    const { body: made } = await create({ original_url: 'https://example.com/blank', user_id: 42, page_title: 'Set', thumbnail_url: '  ', url_cloak: ' 0 ', ip_address: ' ' });
    expect(made).toMatchObject({ thumbnail_url: null, url_cloak: 0 });
    const path = `/api/links/${made.short_code}`;
    const patched = await send('PATCH', path, { body: { user_id: '  ', page_title: '   ', thumbnail_url: ' ', url_cloak: '1 ' } });
    expect(patched.status).toBe(200);
    const body = await patched.json();
    expect(body).toMatchObject({ page_title: 'example.com', thumbnail_url: null, url_cloak: 1 });
    expect(t.services.db.sqlite.query('SELECT label_user_id AS n FROM links WHERE code = ?').get(made.short_code)).toEqual({ n: null });
  });

  test('PATCH validation: 422 Laravel body; unknown code 404', async () => {
    const { body: made } = await create({ original_url: 'https://example.com/patch-errors' });
    const res = await send('PATCH', `/api/links/${made.short_code}`, { body: { original_url: '', url_cloak: 2 } });
    expect(res.status).toBe(422);
    expect(await res.json()).toEqual({
      message: 'The original url field is required. (and 1 more error)',
      errors: { original_url: ['The original url field is required.'], url_cloak: ['The selected url cloak is invalid.'] },
    });
    expect(await (await send('PATCH', '/api/links/nope123', { body: {} })).json()).toEqual(NOT_FOUND);
  });
});

describe('errors', () => {
  const invalid = async (body: unknown) => {
    const res = await send('POST', '/api/links', { body });
    return { status: res.status, body: await res.json() };
  };
  const one = (field: string, message: string) => ({ status: 422, body: { message, errors: { [field]: [message] } } });

  test('missing and invalid original_url answer the documented Laravel body', async () => {
    expect(await invalid({})).toEqual(one('original_url', 'The original url field is required.'));
    expect(await invalid({ original_url: 'not a url' })).toEqual(one('original_url', 'The original url field must be a valid URL.'));
    expect(await invalid({ original_url: 'javascript:alert(1)' })).toEqual(one('original_url', 'The original url field must be a valid URL.'));
    expect(await invalid({ original_url: `https://example.com/${'a'.repeat(2048)}` })).toEqual(one('original_url', 'The original url field must not be greater than 2048 characters.'));
  });

  test('a destination refused by policy answers {"success": false, "message": "Invalid URL"}', async () => {
    expect(await invalid({ original_url: 'http://127.0.0.1/admin' })).toEqual({ status: 422, body: { success: false, message: 'Invalid URL' } });
    expect(await invalid({ original_url: ' http://[::1]/x ' })).toEqual({ status: 422, body: { success: false, message: 'Invalid URL' } });
    expect(await invalid({ original_url: 'LOCALHOST/x' })).toEqual({ status: 422, body: { success: false, message: 'Invalid URL' } });
    // rule failures come first, as Laravel validates before the controller looks at the host
    expect((await invalid({ original_url: 'http://10.0.0.1/', user_id: 'x' })).body.errors).toEqual({ user_id: ['The user id field must be an integer.'] });
  });

  test('other fields: ip_address, page_title, user_id, url_cloak, thumbnail_url', async () => {
    const ok = 'https://example.com/fields';
    expect(await invalid({ original_url: ok, ip_address: '999.1.1.1' })).toEqual(one('ip_address', 'The ip address field must be a valid IP address.'));
    expect(await invalid({ original_url: ok, page_title: 'x'.repeat(501) })).toEqual(one('page_title', 'The page title field must not be greater than 500 characters.'));
    expect(await invalid({ original_url: ok, user_id: 0 })).toEqual(one('user_id', 'The user id field must be at least 1.'));
    expect(await invalid({ original_url: ok, url_cloak: 'yes' })).toEqual(one('url_cloak', 'The selected url cloak is invalid.'));
    expect(await invalid({ original_url: ok, thumbnail_url: 'nope' })).toEqual(one('thumbnail_url', 'The thumbnail url field must be a valid URL.'));
    const ipv6 = await create({ original_url: ok, ip_address: '2001:db8::1' });
    expect(ipv6.status).toBe(201);
  });

  test('the creating client\'s address is never stored: ip_address is kept only as an integrator sends it (API and web form)', async () => {
    const labelIp = (code: string) => t.sqlite.query<{ label_ip: string | null }, [string]>('SELECT label_ip FROM links WHERE code = ?').get(code)?.label_ip;
    const unlabelled = await create({ original_url: 'https://example.com/no-ip-label' }, { 'x-forwarded-for': '192.0.2.217' });
    expect(unlabelled.status).toBe(201);
    expect(labelIp(unlabelled.body.short_code)).toBeNull();
    const labelled = await create({ original_url: 'https://example.com/ip-label', ip_address: '2001:db8::7' }, { 'x-forwarded-for': '192.0.2.218' });
    expect(labelIp(labelled.body.short_code)).toBe('2001:db8::7');

    const home = await send('GET', '/', { headers: { accept: 'text/html' } });
    const cookie = /^(shrinkray_csrf=[^;]+)/.exec(home.headers.get('set-cookie') ?? '')![1]!;
    const token = /<meta name="csrf-token" content="([^"]+)">/.exec(await home.text())![1]!;
    const web = await send('POST', '/shorten', { body: { original_url: 'https://example.com/web-no-ip' }, headers: { cookie, 'x-csrf-token': token, 'x-forwarded-for': '192.0.2.219' } });
    expect(web.status).toBe(201);
    expect(labelIp((await web.json()).short_code)).toBeNull();
    // nowhere in the database: no column of any table holds the creators' addresses
    const dump = JSON.stringify(t.sqlite.query('SELECT * FROM links').all());
    for (const ip of ['192.0.2.217', '192.0.2.218', '192.0.2.219']) expect(dump).not.toContain(ip);
  });

  test('a body that is not an object is 400 in the ShrtLnk envelope', async () => {
    const arr = await send('POST', '/api/links', { raw: '[1]', headers: { 'content-type': 'application/json' } });
    expect(arr.status).toBe(400);
    expect(await arr.json()).toMatchObject({ success: false });
    expect((await send('POST', '/api/links', { raw: '{bad', headers: { 'content-type': 'application/json' } })).status).toBe(400);
  });

  test('a method or a path ShrtLnk does not have answers in its {success: false, message}: 405 with Allow, or 404', async () => {
    const deleted = await send('DELETE', '/api/links/abc');
    expect([deleted.status, deleted.headers.get('allow')]).toEqual([405, 'GET, HEAD, PUT, PATCH']);
    expect(await deleted.json()).toEqual({
      success: false,
      message: 'The DELETE method is not supported for route api/links/abc. Supported methods: GET, HEAD, PUT, PATCH.',
    });
    const deeper = await send('GET', '/api/links/abc/clicks');
    expect(deeper.status).toBe(404);
    expect(await deeper.json()).toEqual({ success: false, message: 'The route api/links/abc/clicks could not be found.' });
  });

  test('a trailing slash is ignored, as Laravel trims it: GET /api/links/ is GET /api/links, a 405', async () => {
    // the router already serves POST /api/links/ and GET /api/links/{code}/ as without the slash
    const res = await send('GET', '/api/links/');
    expect([res.status, res.headers.get('allow')]).toEqual([405, 'POST']);
    expect(await res.json()).toEqual({ success: false, message: 'The GET method is not supported for route api/links. Supported methods: POST.' });
  });

  test('the 21st create from one IP in a minute is 429 with Retry-After', async () => {
    const from = { 'x-forwarded-for': '203.0.113.77' };
    for (let i = 0; i < 20; i++) expect((await create({ original_url: `https://example.com/rl/${i}` }, from)).status).toBe(201);
    const res = await send('POST', '/api/links', { body: { original_url: 'https://example.com/rl/20' }, headers: from });
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await res.json()).toEqual({ success: false, message: 'Too Many Attempts.' });
    expect((await create({ original_url: 'https://example.com/rl/other' })).status).toBe(201);
  });

  test('from one IP in a minute, the 21st anonymous edit and the 101st read are 429 with Retry-After', async () => {
    const from = { 'x-forwarded-for': '203.0.113.91' };
    const { body: made } = await create({ original_url: 'https://example.com/rl-budgets' });
    const path = `/api/links/${made.short_code}`;
    const refused = async (res: Response) => {
      expect(res.status).toBe(429);
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(await res.json()).toEqual({ success: false, message: 'Too Many Attempts.' });
    };
    for (let i = 0; i < 20; i++) expect([i, (await send('PATCH', path, { body: { page_title: `edit ${i}` }, headers: from })).status]).toEqual([i, 200]);
    await refused(await send('PATCH', path, { body: { page_title: 'edit 20' }, headers: from }));
    expect((await t.services.links.getPublic(made.short_code)).pageTitle).toBe('edit 19');
    for (let i = 0; i < 100; i++) expect([i, (await send('GET', path, { headers: from })).status]).toEqual([i, 200]);
    await refused(await send('GET', path, { headers: from }));
    // each budget is the address's own
    expect((await send('GET', path)).status).toBe(200);
    expect((await send('PATCH', path, { body: { page_title: 'elsewhere' } })).status).toBe(200);
  });
});

describe('auth with ANONYMOUS_LINKS off', () => {
  let off: TestApp;
  beforeAll(async () => {
    off = await makeTestApp();
  });
  afterAll(() => off.close());

  test('anonymous calls get 401 with how to proceed; a key works', async () => {
    const body = { original_url: 'https://example.com/keyed-only' };
    for (const [method, path] of [['POST', '/api/links'], ['GET', '/api/links/abc123'], ['PATCH', '/api/links/abc123']] as const) {
      const res = await off.request(method, path, { body: method === 'GET' ? undefined : body });
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({ success: false, message: ANONYMOUS_DISABLED_MESSAGE });
    }
    expect(ANONYMOUS_DISABLED_MESSAGE).toContain('ANONYMOUS_LINKS=true');
    const u = await off.user('pro');
    const made = await off.request('POST', '/api/links', { headers: u.auth, body });
    expect(made.status).toBe(201);
    const { short_code } = await made.json();
    expect((await off.request('GET', `/api/links/${short_code}`, { headers: { 'x-api-key': u.key } })).status).toBe(200);
  });

  test('a bad key is 401 and a plan without API access is 403, both in the ShrtLnk envelope', async () => {
    const bad = await off.request('POST', '/api/links', { headers: { authorization: 'Bearer nope' }, body: { original_url: 'https://example.com' } });
    expect(bad.status).toBe(401);
    expect(await bad.json()).toMatchObject({ success: false });
    const free = await off.user('free');
    const denied = await off.request('POST', '/api/links', { headers: free.auth, body: { original_url: 'https://example.com' } });
    expect(denied.status).toBe(403);
    expect(await denied.json()).toMatchObject({ success: false });
  });
});

test('the routes are in /openapi.json under the ShrtLnk tag', async () => {
  const spec = await (await t.request('GET', '/openapi.json')).json();
  for (const [path, method] of [['/api/links', 'post'], ['/api/links/{code}', 'get'], ['/api/links/{code}', 'patch'], ['/api/links/{code}', 'put'], ['/shorten', 'post']]) {
    expect(spec.paths[path!]?.[method!]?.tags).toEqual(['ShrtLnk']);
  }
});
