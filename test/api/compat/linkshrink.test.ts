/**
 * LinkShrink dialect, from seeds/linkshrink-api.txt: every documented example
 * request sent as written (base URL replaced) with its response shape pinned,
 * every error row, the rate-limit table, and the access rules of the header
 * in src/api/compat/linkshrink/linkshrink.routes.ts.
 *
 * TRUST_PROXY is on so each request names its client through X-Forwarded-For
 * (app.handle has no socket); unless a test says otherwise every request
 * comes from a fresh address, so per-IP budgets never leak between tests.
 */
import { afterAll, beforeAll, describe, expect, spyOn, test } from 'bun:test';
import { createHash } from 'node:crypto';
import { ANONYMOUS_DISABLED_MESSAGE } from '../../../src/http/anonymous.ts';
import { untilBcryptRuns } from '../../helpers/bcrypt.ts';
import { BASE, makeTestApp, type TestApp, type TestAppOptions } from '../../helpers/make-test-app.ts';

const ANON = { ANONYMOUS_LINKS: 'true', TRUST_PROXY: 'true' };
const BROWSER = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const HEX48 = /^[0-9a-f]{48}$/;
const DAY_MS = 86_400_000;
const CREATED_KEYS = [
  'analytics', 'code', 'createdAt', 'deleteToken', 'expiresAt', 'forcePreview', 'originalUrl', 'passwordProtected',
  'previewUrl', 'privateStats', 'qrCode', 'shortUrl',
].sort();
const STATS_KEYS = ['clicks', 'clicksByDay', 'code', 'countries', 'createdAt', 'expiresAt', 'lastClicked', 'originalUrl', 'referrers'].sort();
const NOT_FOUND = { error: 'Not Found', message: 'Short URL not found or expired' };
const TAKEN = { error: 'Failed to shorten URL', message: 'This alias is already taken' };
const DELETE_401 = {
  error: 'Unauthorized',
  message: 'A delete_token is required to delete this link',
  hint: 'Use the delete_token returned when the link was created',
};

type Init = { body?: unknown; headers?: Record<string, string>; raw?: string; ip?: string; ua?: string };
let seq = 0;
const freshIp = () => `198.51.${(++seq >> 8) & 255}.${seq & 255}`;

/** A client of one app: every request from a fresh IP unless `ip` is given. */
function client(t: TestApp) {
  return (method: string, path: string, init: Init = {}) => {
    const headers: Record<string, string> = { 'x-forwarded-for': init.ip ?? freshIp(), ...init.headers };
    if (init.ua) headers['user-agent'] = init.ua;
    return t.request(method, path, { ...init, headers });
  };
}

async function withApp(opts: TestAppOptions, fn: (t: TestApp, send: ReturnType<typeof client>) => Promise<void>) {
  const t = await makeTestApp(opts);
  try {
    await fn(t, client(t));
  } finally {
    await t.close();
  }
}

let t: TestApp;
let send: ReturnType<typeof client>;
const COUNTRIES: Record<string, string> = { '192.0.2.10': 'DE', '192.0.2.11': 'DE', '192.0.2.12': 'US' };
beforeAll(async () => {
  t = await makeTestApp({ env: ANON, country: (ip) => COUNTRIES[ip] ?? null });
  send = client(t);
});
afterAll(() => t.close());

const shorten = async (body: Record<string, unknown>, init: Init = {}) => {
  const res = await send('POST', '/api/v1/shorten', { ...init, body });
  expect(res.status).toBe(201);
  return (await res.json()).data;
};

describe('documented examples', () => {
  test('POST /shorten (the example) answers 201 with every documented field', async () => {
    const res = await send('POST', '/api/v1/shorten', {
      body: { url: 'https://example.com/very/long/path?utm_source=email', customAlias: 'my-campaign', ttl_seconds: 86400 },
    });
    expect(res.status).toBe(201);
    const body = await res.json();
    expect(Object.keys(body)).toEqual(['status', 'data']);
    expect(body.status).toBe('success');
    const d = body.data;
    expect(Object.keys(d).sort()).toEqual(CREATED_KEYS);
    expect(d).toMatchObject({
      code: 'my-campaign',
      shortUrl: `${BASE}/my-campaign`,
      previewUrl: `${BASE}/preview/my-campaign`,
      qrCode: `${BASE}/api/v1/qr/my-campaign.png`,
      analytics: `${BASE}/api/v1/stats/my-campaign`,
      passwordProtected: false,
      privateStats: false,
      forcePreview: false,
      originalUrl: 'https://example.com/very/long/path?utm_source=email',
    });
    expect(d.deleteToken).toMatch(HEX48);
    expect(d.createdAt).toMatch(ISO);
    expect(d.expiresAt).toMatch(ISO);
    expect(Date.parse(d.expiresAt) - Date.parse(d.createdAt)).toBe(DAY_MS);
  });

  test('without options: a 7-character code, 30-day expiry, no statsToken', async () => {
    const d = await shorten({ url: 'https://example.com/plain' });
    expect(d.code).toMatch(/^[A-Za-z0-9]{7}$/);
    expect(d).not.toHaveProperty('statsToken');
    expect(Date.parse(d.expiresAt) - Date.parse(d.createdAt)).toBe(30 * DAY_MS);
  });

  test('POST /shorten/bulk (the example) answers 207 with per-URL results', async () => {
    const urls = ['https://example.com/page-1', 'https://example.com/page-2', 'https://example.com/page-3'];
    const res = await send('POST', '/api/v1/shorten/bulk', { body: { urls, ttl_seconds: 604800 } });
    expect(res.status).toBe(207);
    const body = await res.json();
    expect(body.status).toBe('success');
    expect(body.data.map((i: { url: string }) => i.url)).toEqual(urls);
    for (const item of body.data) {
      expect(Object.keys(item).sort()).toEqual(['data', 'success', 'url']);
      expect(item.success).toBe(true);
      expect(Object.keys(item.data).sort()).toEqual(CREATED_KEYS);
      expect(item.data.shortUrl).toBe(`${BASE}/${item.data.code}`);
      expect(Date.parse(item.data.expiresAt) - Date.parse(item.data.createdAt)).toBe(7 * DAY_MS);
    }
  });

  test('POST /shorten/utm (the example) tags the URL exactly as documented', async () => {
    const res = await send('POST', '/api/v1/shorten/utm', {
      body: {
        url: 'https://example.com/landing',
        utm_source: 'google',
        utm_medium: 'cpc',
        utm_campaign: 'spring-sale',
        utm_term: 'running+shoes',
        utm_content: 'hero-banner',
      },
    });
    expect(res.status).toBe(201);
    const { status, data } = await res.json();
    expect(status).toBe('success');
    const tagged = 'https://example.com/landing?utm_source=google&utm_medium=cpc&utm_campaign=spring-sale&utm_term=running%2Bshoes&utm_content=hero-banner';
    expect(data).toMatchObject({ shortUrl: `${BASE}/${data.code}`, originalUrl: tagged, taggedUrl: tagged, qrCode: `${BASE}/api/v1/qr/${data.code}.png` });
    expect(data.utm).toEqual({ source: 'google', medium: 'cpc', campaign: 'spring-sale', term: 'running+shoes', content: 'hero-banner' });
    expect(data.deleteToken).toMatch(HEX48);
    // the visitor lands on the tagged URL once, not twice-tagged
    const visit = await send('GET', `/${data.code}`, { ua: BROWSER });
    expect(visit.headers.get('location')).toBe(tagged);
  });

  test('GET /expand/:code (the example) answers the documented body', async () => {
    await shorten({ url: 'https://example.com/very/long/path?utm_source=email', customAlias: 'exp-campaign' });
    const res = await send('GET', '/api/v1/expand/exp-campaign');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      status: 'success',
      data: { code: 'exp-campaign', originalUrl: 'https://example.com/very/long/path?utm_source=email' },
    });
  });

  test('the cURL examples: shorten, stats, QR PNG/SVG, delete, bulk', async () => {
    await withApp({ env: ANON }, async (_, req) => {
      const created = await req('POST', '/api/v1/shorten', { raw: '{"url":"https://example.com","customAlias":"my-link","ttl_seconds":604800}', headers: { 'content-type': 'application/json' } });
      expect(created.status).toBe(201);
      const { data } = await created.json();
      const stats = await req('GET', '/api/v1/stats/my-link');
      expect(stats.status).toBe(200);
      expect(Object.keys((await stats.json()).data).sort()).toEqual(STATS_KEYS);
      const png = await req('GET', '/api/v1/qr/my-link.png');
      expect(png.headers.get('content-type')).toBe('image/png');
      const svg = await req('GET', '/api/v1/qr/my-link.svg?fg=ff00aa&bg=ffffff');
      expect(svg.headers.get('content-type')).toBe('image/svg+xml');
      expect(await svg.text()).toContain('#ff00aa');
      const del = await req('DELETE', `/api/v1/my-link?delete_token=${data.deleteToken}`);
      expect(await del.json()).toEqual({ status: 'success', message: 'Short URL deleted successfully', data: { code: 'my-link' } });
      // curl -d without -H labels JSON as a form; it is still read as JSON
      const bulk = await req('POST', '/api/v1/shorten/bulk', { raw: '{"urls":["https://example.com/1","https://example.com/2","https://example.com/3"]}', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      expect(bulk.status).toBe(207);
      expect((await bulk.json()).data.every((i: { success: boolean }) => i.success)).toBe(true);
    });
  });

  test('the JavaScript and Python examples: shorten, stats, QR, delete, bulk', async () => {
    await withApp({ env: ANON }, async (_, req) => {
      const res = await req('POST', '/api/v1/shorten', { body: { url: 'https://example.com/very/long/path', customAlias: 'my-link', ttl_seconds: 86400 } });
      const { data } = await res.json();
      expect(data.shortUrl).toBe(`${BASE}/my-link`);
      expect(data.previewUrl).toBe(`${BASE}/preview/my-link`);
      expect((await (await req('GET', `/api/v1/stats/${data.code}`)).json()).data.clicks).toBe(0);
      expect((await req('GET', `/api/v1/qr/${data.code}.png?size=256`)).status).toBe(200);
      const del = await req('DELETE', `/api/v1/${data.code}?${new URLSearchParams({ delete_token: data.deleteToken })}`);
      expect(del.status).toBe(200);
      const bulk = await (await req('POST', '/api/v1/shorten/bulk', { body: { urls: ['https://example.com/1', 'https://example.com/2'], ttl_seconds: 604800 } })).json();
      for (const item of bulk.data) expect(item.data.shortUrl).toStartWith(`${BASE}/`);
    });
  });

  test('delete is permanent: clicks (even one still queued) and stats go, the code stays taken', async () => {
    await withApp({ env: ANON }, async (t, req) => {
      const { data } = await (await req('POST', '/api/v1/shorten', { body: { url: 'https://example.com/erase-me', customAlias: 'erase-me' } })).json();
      await t.app.handle(new Request(`${BASE}/erase-me`, { headers: { 'user-agent': BROWSER } }));
      await t.flush();
      await t.app.handle(new Request(`${BASE}/erase-me`, { headers: { 'user-agent': BROWSER } })); // still queued
      const { id } = t.services.db.sqlite.query("SELECT id FROM links WHERE code = 'erase-me'").get() as { id: number };
      expect(t.services.db.sqlite.query('SELECT count(*) AS n FROM clicks WHERE link_id = ?').get(id)).toEqual({ n: 1 });
      expect((await req('DELETE', `/api/v1/erase-me?delete_token=${data.deleteToken}`)).status).toBe(200);
      await t.flush();
      for (const table of ['clicks', 'click_profiles', 'click_rollups', 'link_counters', 'link_visitors']) {
        expect(t.services.db.sqlite.query(`SELECT count(*) AS n FROM ${table} WHERE link_id = ?`).get(id)).toEqual({ n: 0 });
      }
      expect((await req('GET', '/api/v1/stats/erase-me')).status).toBe(404);
      const again = await req('POST', '/api/v1/shorten', { body: { url: 'https://example.com/other', customAlias: 'erase-me' } });
      expect([again.status, (await again.json()).error]).toEqual([400, 'Failed to shorten URL']);
    });
  });

  test('the preview page answers for previewUrl without counting a click', async () => {
    const d = await shorten({ url: 'https://example.com/preview-me', force_preview: true });
    expect(d.forcePreview).toBe(true);
    const page = await send('GET', `/preview/${d.code}`, { ua: BROWSER });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('https://example.com/preview-me');
    // force_preview: the short URL itself shows the safety page instead of redirecting
    expect((await send('GET', `/${d.code}`, { ua: BROWSER })).status).toBe(200);
  });

  test('routes are documented under the LinkShrink tag', async () => {
    const spec = await (await t.request('GET', '/openapi.json')).json();
    const ops: [string, string][] = [
      ['/api/v1/shorten', 'post'], ['/api/v1/shorten/bulk', 'post'], ['/api/v1/shorten/utm', 'post'], ['/api/v1/expand/{code}', 'get'],
      ['/api/v1/stats/{code}', 'get'], ['/api/v1/stats/{code}/export', 'get'], ['/api/v1/stats/batch', 'post'], ['/api/v1/qr/{code}.png', 'get'], ['/api/v1/qr/{code}.svg', 'get'],
      ['/api/v1/{code}', 'delete'], ['/api/v1/verify/{code}', 'post'], ['/api/v1/unshorten', 'get'],
    ];
    for (const [path, method] of ops) expect(spec.paths[path]?.[method]?.tags).toEqual(['LinkShrink']);
    expect(spec.paths['/api/v1/qr/{file}']).toBeUndefined();
    const svg = spec.paths['/api/v1/qr/{code}.svg'].get;
    expect(svg.parameters.map((p: { name: string; in: string }) => `${p.in}:${p.name}`)).toEqual(['path:code', 'query:size', 'query:fg', 'query:bg']);
    expect(Object.keys(svg.responses[200].content)).toEqual(['image/svg+xml']);
  });
});

describe('shorten errors (400)', () => {
  const bad = async (body: unknown, raw?: string) => {
    const res = await send('POST', '/api/v1/shorten', raw === undefined ? { body } : { raw, headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(400);
    const b = await res.json();
    expect(Object.keys(b).sort()).toEqual(['error', 'message']);
    expect(b.error).toBe('Failed to shorten URL');
    return b.message as string;
  };

  test('bad URLs: missing, malformed, non-http, private and loopback hosts', async () => {
    expect(await bad({})).toContain('url');
    expect(await bad({ url: 'not a url' })).toContain('valid URL');
    expect(await bad({ url: 'ftp://example.com/file' })).toContain('http');
    expect(await bad({ url: 'javascript:alert(1)' })).toContain('http');
    for (const url of ['http://127.0.0.1/admin', 'http://localhost:8080/', 'http://10.0.0.1/', 'http://[::1]/', 'http://169.254.169.254/latest']) {
      expect(await bad({ url })).toContain('private');
    }
  });

  test('a URL that is not a string says so; absent, null or blank is required', async () => {
    for (const url of [{ a: 1 }, 42, true, ['https://example.com']]) expect(await bad({ url })).toBe('The url field must be a string.');
    for (const url of [undefined, null, '', '   ']) expect(await bad({ url })).toBe('The url field is required.');
  });

  test('malformed JSON and non-object bodies', async () => {
    expect(await bad(undefined, '{"url": ')).toContain('JSON');
    expect(await bad(['https://example.com'])).toContain('object');
  });

  test('alias format: 3–20 of letters, digits and hyphens', async () => {
    for (const customAlias of ['ab', 'a'.repeat(21), 'bad_alias', 'has space', 'émoji', 42]) expect(await bad({ url: 'https://example.com', customAlias })).toContain('customAlias');
    expect((await shorten({ url: 'https://example.com', customAlias: 'abc' })).code).toBe('abc');
    expect((await shorten({ url: 'https://example.com', customAlias: 'A-20-chars-long-xxxx' })).code).toBe('A-20-chars-long-xxxx');
  });

  test('a taken alias (or a route word) answers the documented body', async () => {
    await shorten({ url: 'https://example.com', customAlias: 'taken-one' });
    for (const customAlias of ['taken-one', 'preview', 'api', 'shorten']) {
      const res = await send('POST', '/api/v1/shorten', { body: { url: 'https://example.org', customAlias } });
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual(TAKEN);
    }
  });

  test('ttl_seconds bounds: 59 and 31536001 refused, 60 and 31536000 accepted', async () => {
    for (const ttl of [59, 31536001, 0, -60, 86400.5, '86400', true]) expect(await bad({ url: 'https://example.com', ttl_seconds: ttl })).toContain('ttl_seconds');
    for (const ttl of [60, 31536000]) {
      const d = await shorten({ url: 'https://example.com', ttl_seconds: ttl });
      expect(Date.parse(d.expiresAt) - Date.parse(d.createdAt)).toBe(ttl * 1000);
    }
    // hashing a password takes ~100 ms: the lifetime still counts from the stored createdAt
    const locked = await shorten({ url: 'https://example.com/locked', password: 'hunter22', ttl_seconds: 3600 });
    expect(Date.parse(locked.expiresAt) - Date.parse(locked.createdAt)).toBe(3_600_000);
  });

  test('password 4–128 characters; booleans must be booleans', async () => {
    for (const password of ['abc', 'x'.repeat(129), 1234]) expect(await bad({ url: 'https://example.com', password })).toContain('password');
    expect((await shorten({ url: 'https://example.com', password: 'abcd' })).passwordProtected).toBe(true);
    expect((await shorten({ url: 'https://example.com', password: 'y'.repeat(128) })).passwordProtected).toBe(true);
    expect(await bad({ url: 'https://example.com', private_stats: 'yes' })).toContain('private_stats');
    expect(await bad({ url: 'https://example.com', force_preview: 1 })).toContain('force_preview');
  });

  test('only hashes of the tokens and password are stored', async () => {
    const d = await shorten({ url: 'https://example.com/secret', password: 'hunter22', private_stats: true });
    const row = t.services.db.sqlite
      .query('SELECT delete_token_hash AS del, stats_token_hash AS stats, password_hash AS pw FROM links WHERE code = ?')
      .get(d.code) as { del: string; stats: string; pw: string };
    const sha = (s: string) => createHash('sha256').update(s).digest('hex');
    expect(row.del).toBe(sha(d.deleteToken));
    expect(row.stats).toBe(sha(d.statsToken));
    expect(row.pw).toStartWith('$2');
    expect(JSON.stringify(row)).not.toContain('hunter22');
  });
});

describe('bulk and utm limits', () => {
  const urls = (n: number) => Array.from({ length: n }, (_, i) => `https://example.com/item-${i}`);

  test('50 URLs answer 207; 51 and 0 are 400', async () => {
    const ok = await send('POST', '/api/v1/shorten/bulk', { body: { urls: urls(50) } });
    expect(ok.status).toBe(207);
    const body = await ok.json();
    expect(body.data).toHaveLength(50);
    expect(new Set(body.data.map((i: { data: { code: string } }) => i.data.code)).size).toBe(50);
    for (const list of [urls(51), [], 'https://example.com']) {
      const res = await send('POST', '/api/v1/shorten/bulk', { body: { urls: list } });
      expect(res.status).toBe(400);
      expect((await res.json()).error).toBe('Failed to shorten URL');
    }
    expect((await send('POST', '/api/v1/shorten/bulk', { body: { urls: urls(2), ttl_seconds: 59 } })).status).toBe(400);
  });

  test('each URL fails on its own', async () => {
    const res = await send('POST', '/api/v1/shorten/bulk', { body: { urls: ['https://example.com/ok', 'nope', 'http://127.0.0.1/', 7] } });
    expect(res.status).toBe(207);
    const { data } = await res.json();
    expect(data.map((i: { success: boolean }) => i.success)).toEqual([true, false, false, false]);
    expect(data[1]).toEqual({ url: 'nope', success: false, error: expect.stringContaining('valid URL') });
    expect(data[2].error).toContain('private');
    expect(data[3]).toEqual({ url: 7, success: false, error: 'The url field must be a string.' });
    const blanks = await (await send('POST', '/api/v1/shorten/bulk', { body: { urls: [null, '', { a: 1 }] } })).json();
    expect(blanks.data.map((i: { error: string }) => i.error)).toEqual(['The url field is required.', 'The url field is required.', 'The url field must be a string.']);
  });

  test('utm: source, medium and campaign are required; the URL is checked first', async () => {
    const base = { url: 'https://example.com/l', utm_source: 's', utm_medium: 'm', utm_campaign: 'c' };
    for (const field of ['utm_source', 'utm_medium', 'utm_campaign']) {
      const res = await send('POST', '/api/v1/shorten/utm', { body: { ...base, [field]: undefined } });
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({ error: 'Failed to shorten URL', message: `${field} is required.` });
    }
    expect((await send('POST', '/api/v1/shorten/utm', { body: { ...base, url: 'http://localhost/' } })).status).toBe(400);
    const notString = await send('POST', '/api/v1/shorten/utm', { body: { ...base, url: 42 } });
    expect(await notString.json()).toEqual({ error: 'Failed to shorten URL', message: 'The url field must be a string.' });
    const ok = await (await send('POST', '/api/v1/shorten/utm', { body: { ...base, url: 'https://example.com/l?x=1#top' } })).json();
    expect(ok.data.taggedUrl).toBe('https://example.com/l?x=1&utm_source=s&utm_medium=m&utm_campaign=c#top');
    expect(ok.data.utm).toEqual({ source: 's', medium: 'm', campaign: 'c' });
    // padded values: the tagged URL answered is the one visitors get, and expand agrees
    const padded = await (await send('POST', '/api/v1/shorten/utm', { body: { ...base, utm_source: 'google ', utm_campaign: ' spring' } })).json();
    const clean = 'https://example.com/l?utm_source=google&utm_medium=m&utm_campaign=spring';
    expect([padded.data.taggedUrl, padded.data.originalUrl]).toEqual([clean, clean]);
    expect(padded.data.utm).toEqual({ source: 'google', medium: 'm', campaign: 'spring' });
    expect((await send('GET', `/${padded.data.code}`, { ua: BROWSER })).headers.get('location')).toBe(clean);
  });
});

describe('expand, verify and clicks', () => {
  test('expand counts a click (after a flush, stats clicks = 1); preview and verify count none', async () => {
    const d = await shorten({ url: 'https://example.com/counted' });
    await send('GET', `/preview/${d.code}`, { ua: BROWSER });
    expect((await send('GET', `/api/v1/expand/${d.code}`, { ua: BROWSER, headers: { referer: 'https://twitter.com/someone' } })).status).toBe(200);
    expect((await send('POST', `/api/v1/verify/${d.code}`, { ua: BROWSER, body: {} })).status).toBe(200);
    await t.flush();
    const stats = (await (await send('GET', `/api/v1/stats/${d.code}`)).json()).data;
    expect(stats.clicks).toBe(1);
    expect(stats.referrers).toEqual([{ domain: 'twitter.com', clicks: 1 }]);
    expect(stats.lastClicked).toMatch(ISO);
  });

  test('expand by an HTTP tool or with no User-Agent counts (the documented curl example); an unfurler or a HEAD does not', async () => {
    const d = await shorten({ url: 'https://example.com/bots' });
    expect((await send('HEAD', `/api/v1/expand/${d.code}`, { ua: BROWSER })).status).toBe(200);
    for (const ua of ['curl/8.5.0', 'Slackbot-LinkExpanding 1.0', 'python-requests/2.31']) expect((await send('GET', `/api/v1/expand/${d.code}`, { ua })).status).toBe(200);
    expect((await send('GET', `/api/v1/expand/${d.code}`)).status).toBe(200);
    await t.flush();
    expect((await (await send('GET', `/api/v1/stats/${d.code}`)).json()).data.clicks).toBe(3);
    // following the short link itself with curl is still not a visit
    expect((await send('GET', `/${d.code}`, { ua: 'curl/8.5.0' })).status).toBe(302);
    await t.flush();
    expect((await (await send('GET', `/api/v1/stats/${d.code}`)).json()).data.clicks).toBe(3);
  });

  test('the verify example: right password → 200 documented body, wrong → 401 documented body', async () => {
    await shorten({ url: 'https://example.com/secret', customAlias: 'my-secret-link', password: 's3cret' });
    const ok = await send('POST', '/api/v1/verify/my-secret-link', { raw: '{"password": "s3cret"}', headers: { 'content-type': 'application/json' } });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ status: 'success', data: { code: 'my-secret-link', originalUrl: 'https://example.com/secret' } });
    const wrong = await send('POST', '/api/v1/verify/my-secret-link', { body: { password: 'guess' } });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual({ error: 'Invalid password', message: 'The provided password is incorrect.' });
    for (const body of [{}, { password: '' }, { password: 5 }]) {
      const res = await send('POST', '/api/v1/verify/my-secret-link', { body });
      expect(res.status).toBe(400);
      expect((await res.json()).message).toContain('password');
    }
    expect((await send('POST', '/api/v1/verify/my-secret-link', { raw: '{', headers: { 'content-type': 'application/json' } })).status).toBe(400);
    expect(await (await send('POST', '/api/v1/verify/no-such-link', { body: { password: 'x' } })).json()).toEqual(NOT_FOUND);
  });

  test('expanding a password-protected link is 401 pointing at /verify, and counts nothing', async () => {
    const d = await shorten({ url: 'https://example.com/locked', password: 'opensesame' });
    const res = await send('GET', `/api/v1/expand/${d.code}`, { ua: BROWSER });
    expect(res.status).toBe(401);
    const body = await res.json();
    expect(body).toMatchObject({ error: 'Password required' });
    expect(body.hint).toContain(`/api/v1/verify/${d.code}`);
    await t.flush();
    expect((await (await send('GET', `/api/v1/stats/${d.code}`)).json()).data.clicks).toBe(0);
  });

  test('verify allows 10 guesses a minute per IP and code, then 429 with Retry-After', async () => {
    const d = await shorten({ url: 'https://example.com/brute', password: 'correct-horse' });
    const other = await shorten({ url: 'https://example.com/brute2', password: 'correct-horse' });
    const ip = freshIp();
    for (let i = 0; i < 10; i++) expect((await send('POST', `/api/v1/verify/${d.code}`, { ip, body: { password: `guess${i}` } })).status).toBe(401);
    const limited = await send('POST', `/api/v1/verify/${d.code}`, { ip, body: { password: 'correct-horse' } });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((await limited.json()).error).toBe('Too Many Requests');
    expect((await send('POST', `/api/v1/verify/${other.code}`, { ip, body: { password: 'correct-horse' } })).status).toBe(200);
    expect((await send('POST', `/api/v1/verify/${d.code}`, { body: { password: 'correct-horse' } })).status).toBe(200);
  });

  test('a link deleted while its password is being verified: 404, not its destination', async () => {
    const d = await shorten({ url: 'https://example.com/vanishing', password: 'correct-horse' });
    const verifying = send('POST', `/api/v1/verify/${d.code}`, { body: { password: 'correct-horse' } });
    await untilBcryptRuns();
    expect((await send('DELETE', `/api/v1/${d.code}?delete_token=${d.deleteToken}`)).status).toBe(200);
    const res = await verifying;
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual(NOT_FOUND);
  });

  test('stats answer with the link as it is once the report is read: a password set or a delete during it counts', async () => {
    const owner = await t.user('pro');
    const d = await shorten({ url: 'https://example.com/soon-secret' }, { headers: owner.auth });
    const link = await t.services.links.getPublic(d.code);
    const actor = await t.services.users.actorFor(owner.user);
    // the report reads in turns (breakdown.ts); what another request does meanwhile is done here, inside it
    const during = (method: 'forLink' | 'daily', change: () => Promise<unknown>) => {
      const original = t.services.analytics[method].bind(t.services.analytics) as (...a: unknown[]) => Promise<unknown>;
      return spyOn(t.services.analytics, method).mockImplementationOnce((async (...args: unknown[]) => {
        const report = await original(...args);
        await change();
        return report;
      }) as never);
    };
    during('forLink', () => t.services.links.update(actor, link, { password: 'hunter22' }));
    const stats = await (await send('GET', `/api/v1/stats/${d.code}`)).json();
    expect(stats.data.originalUrl).toBeNull();
    const protectedLink = await t.services.links.getPublic(d.code);
    during('forLink', () => t.services.links.update(actor, protectedLink, { removePassword: true, destination: 'https://example.com/moved' }));
    const batch = await (await send('POST', '/api/v1/stats/batch', { body: { codes: [d.code] } })).json();
    expect(batch.data[0].data.originalUrl).toBe('https://example.com/moved');
    during('daily', () => t.services.links.remove(actor, link.id));
    expect(await (await send('GET', `/api/v1/stats/${d.code}/export?format=json`)).json()).toEqual(NOT_FOUND);
  });

  test('a paused link: its owner still reads its stats, export and batch with their key; to anyone else it is not found', async () => {
    await withApp({ env: ANON }, async (app, req) => {
      const owner = await app.user('pro');
      const { data } = await (await req('POST', '/api/v1/shorten', { headers: owner.auth, body: { url: 'https://example.com/paused-stats' } })).json();
      const actor = await app.services.users.actorFor(owner.user);
      await app.services.links.update(actor, await app.services.links.getByCode(actor, data.code), { isActive: false });
      expect((await req('GET', `/api/v1/stats/${data.code}`, { headers: owner.auth })).status).toBe(200);
      expect((await req('GET', `/api/v1/stats/${data.code}/export?format=json`, { headers: owner.auth })).status).toBe(200);
      expect((await (await req('POST', '/api/v1/stats/batch', { headers: owner.auth, body: { codes: [data.code] } })).json()).data[0].success).toBe(true);
      const stranger = await app.user('pro');
      expect([(await req('GET', `/api/v1/stats/${data.code}`)).status, (await req('GET', `/api/v1/stats/${data.code}`, { headers: stranger.auth })).status]).toEqual([404, 404]);
    });
  });

  test('unknown, malformed and expired codes are 404 everywhere', async () => {
    let offset = 0;
    await withApp({ env: ANON, now: () => Date.now() + offset }, async (_, req) => {
      const { data } = await (await req('POST', '/api/v1/shorten', { body: { url: 'https://example.com/short-lived', ttl_seconds: 60 } })).json();
      expect((await req('GET', `/api/v1/expand/${data.code}`)).status).toBe(200);
      offset = 61_000;
      for (const code of [data.code, 'nope-nope', 'a', '%E0%A4%A']) {
        for (const [method, path] of [['GET', `/api/v1/expand/${code}`], ['GET', `/api/v1/stats/${code}`], ['GET', `/api/v1/stats/${code}/export`], ['GET', `/api/v1/qr/${code}.png`], ['POST', `/api/v1/verify/${code}`], ['DELETE', `/api/v1/${code}?delete_token=${data.deleteToken}`]] as const) {
          const res = await req(method, path, method === 'POST' ? { body: {} } : {});
          expect([res.status, await res.json()]).toEqual([404, NOT_FOUND]);
        }
      }
    });
  });
});

describe('stats, export and batch', () => {
  test('stats: clicks by day newest first, referrers and countries largest first', async () => {
    let offset = 0;
    await withApp({ env: ANON, now: () => Date.now() + offset, country: (ip) => COUNTRIES[ip] ?? null }, async (app, req) => {
      const { data } = await (await req('POST', '/api/v1/shorten', { body: { url: 'https://example.com/popular', customAlias: 'popular' } })).json();
      const visits: [string, string][] = [['192.0.2.10', 'https://twitter.com/a'], ['192.0.2.11', 'https://twitter.com/b'], ['192.0.2.12', 'https://www.linkedin.com/feed']];
      for (const [ip, referer] of visits) await req('GET', '/api/v1/expand/popular', { ip, ua: BROWSER, headers: { referer } });
      const link = await app.services.links.getPublic('popular');
      app.services.recorder.record({ linkId: link.id, at: Date.now() + DAY_MS, ip: '192.0.2.12', userAgent: BROWSER, referrer: null, source: 'link' });
      await app.flush();
      offset = 2 * DAY_MS; // "today" is two days after creation
      const body = await (await req('GET', '/api/v1/stats/popular')).json();
      expect(body.status).toBe('success');
      const s = body.data;
      expect(Object.keys(s).sort()).toEqual(STATS_KEYS);
      const today = new Date().toISOString().slice(0, 10);
      const tomorrow = new Date(Date.now() + DAY_MS).toISOString().slice(0, 10);
      expect(s).toMatchObject({ code: 'popular', originalUrl: 'https://example.com/popular', clicks: 4, createdAt: data.createdAt, expiresAt: data.expiresAt });
      expect(s.clicksByDay).toEqual([{ date: tomorrow, clicks: 1 }, { date: today, clicks: 3 }]);
      expect(s.referrers).toEqual([{ domain: 'twitter.com', clicks: 2 }, { domain: 'linkedin.com', clicks: 1 }]);
      expect(s.countries).toEqual([{ country: 'DE', clicks: 2 }, { country: 'US', clicks: 2 }]);
      expect(s.lastClicked).toMatch(ISO);
    });
  });

  test('stats list every country and the top 50 referring domains; direct and unlocated visits never take a listed place', async () => {
    // click k comes from address k: the first 61 from 61 countries, the rest from nowhere known
    const ipOf = (k: number) => `10.1.${k >> 8}.${k & 255}`;
    const codeOf = (k: number) => String.fromCharCode(65 + Math.floor(k / 26), 65 + (k % 26));
    const located = new Map(Array.from({ length: 61 }, (_, k) => [ipOf(k), codeOf(k)]));
    await withApp({ env: ANON, country: (ip) => located.get(ip) ?? null }, async (app, req) => {
      await req('POST', '/api/v1/shorten', { body: { url: 'https://example.com/worldwide', customAlias: 'worldwide' } });
      const link = await app.services.links.getPublic('worldwide');
      // 55 referring domains (the first 50 twice, the last 5 once), then 3 direct visits
      const referrers = [...Array.from({ length: 50 }, (_, i) => [`https://r${i}.example/`, `https://r${i}.example/`]).flat(), ...Array.from({ length: 5 }, (_, i) => `https://r${50 + i}.example/`), null, null, null];
      referrers.forEach((referrer, k) => app.services.recorder.record({ linkId: link.id, at: Date.now(), ip: ipOf(k), userAgent: BROWSER, referrer, source: 'link' }));
      await app.flush();
      const s = (await (await req('GET', '/api/v1/stats/worldwide')).json()).data;
      expect(s.clicks).toBe(108);
      expect(s.countries).toHaveLength(61);
      expect(new Set(s.countries.map((c: { country: string }) => c.country))).toEqual(new Set(located.values()));
      expect(s.referrers).toHaveLength(50);
      expect(s.referrers.every((r: { clicks: number }) => r.clicks === 2)).toBe(true);
    });
  });

  test('private stats need ?token=: missing or wrong is 401, the statsToken opens them', async () => {
    const d = await shorten({ url: 'https://example.com/private', private_stats: true });
    expect(d.privateStats).toBe(true);
    expect(d.statsToken).toMatch(HEX48);
    expect(d.statsToken).not.toBe(d.deleteToken);
    for (const q of ['', '?token=', `?token=${d.deleteToken}`, `?token=${'0'.repeat(48)}`]) {
      for (const path of [`/api/v1/stats/${d.code}${q}`, `/api/v1/stats/${d.code}/export${q}`]) {
        const res = await send('GET', path);
        expect(res.status).toBe(401);
        const body = await res.json();
        expect(body.error).toBe('Unauthorized');
        expect(body.message).toStartWith('This link has private analytics');
      }
    }
    expect((await send('GET', `/api/v1/stats/${d.code}?token=${d.statsToken}`)).status).toBe(200);
    expect((await send('GET', `/api/v1/stats/${d.code}/export?format=csv&token=${d.statsToken}`)).status).toBe(200);
  });

  test('export: JSON by default, CSV with a header and a filename, from/to inclusive', async () => {
    const d = await shorten({ url: 'https://example.com/exported', customAlias: 'exported' });
    const link = await t.services.links.getPublic('exported');
    for (const [day, n] of [['2026-02-28', 1], ['2026-03-01', 2], ['2026-03-14', 3], ['2026-03-15', 4]] as const) {
      for (let i = 0; i < n; i++) t.services.recorder.record({ linkId: link.id, at: Date.parse(`${day}T12:00:00Z`), ip: `192.0.2.${100 + i}`, userAgent: BROWSER, referrer: null, source: 'link' });
    }
    await t.flush();
    const json = await send('GET', '/api/v1/stats/exported/export?from=2026-03-01&to=2026-03-14');
    expect(json.status).toBe(200);
    expect(await json.json()).toEqual({
      status: 'success',
      data: { code: 'exported', originalUrl: d.originalUrl, from: '2026-03-01', to: '2026-03-14', totalClicks: 5, clicksByDay: [{ date: '2026-03-01', clicks: 2 }, { date: '2026-03-14', clicks: 3 }] },
    });
    const dflt = (await (await send('GET', '/api/v1/stats/exported/export')).json()).data;
    expect(dflt.from).toBe(d.createdAt.slice(0, 10));
    expect(dflt.to).toBe(new Date().toISOString().slice(0, 10));
    const csv = await send('GET', '/api/v1/stats/exported/export?format=csv&from=2026-02-28&to=2026-03-14');
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toStartWith('text/csv');
    expect(csv.headers.get('content-disposition')).toBe('attachment; filename="exported-clicks-2026-02-28-to-2026-03-14.csv"');
    expect(await csv.text()).toBe('date,clicks\n2026-02-28,1\n2026-03-01,2\n2026-03-14,3\n');
  });

  test('export: bad dates, reversed ranges and unknown formats are 400', async () => {
    await shorten({ url: 'https://example.com/x', customAlias: 'export-bad' });
    for (const q of ['from=2026-13-01', 'to=2026-02-30', 'from=yesterday', 'from=2026-03-10&to=2026-03-01', 'format=xml', 'from=20260301']) {
      const res = await send('GET', `/api/v1/stats/export-bad/export?${q}`);
      expect(res.status).toBe(400);
      expect(Object.keys(await res.json()).sort()).toEqual(['error', 'message']);
    }
  });

  test('batch (the example): 207 with per-code results; missing codes fail on their own', async () => {
    await withApp({ env: ANON }, async (_, req) => {
      const mc = (await (await req('POST', '/api/v1/shorten', { body: { url: 'https://example.com/mc', customAlias: 'my-campaign', private_stats: true } })).json()).data;
      await req('POST', '/api/v1/shorten', { body: { url: 'https://example.com/ld', customAlias: 'launch-day' } });
      const example = { codes: ['my-campaign', 'launch-day', 'newsletter-42'], tokens: { 'my-campaign': 'optional-stats-token' } };
      const res = await req('POST', '/api/v1/stats/batch', { body: example });
      expect(res.status).toBe(207);
      const body = await res.json();
      expect(body.status).toBe('success');
      expect(body.data[0]).toEqual({ code: 'my-campaign', success: false, error: expect.stringContaining('private analytics') });
      expect(body.data[1]).toMatchObject({ code: 'launch-day', success: true, data: { clicks: 0, clicksByDay: [] } });
      expect(Object.keys(body.data[1].data).sort()).toEqual(STATS_KEYS);
      expect(body.data[2]).toEqual({ code: 'newsletter-42', success: false, error: 'Short URL not found or expired' });
      const withToken = await (await req('POST', '/api/v1/stats/batch', { body: { ...example, tokens: { 'my-campaign': mc.statsToken } } })).json();
      expect(withToken.data[0]).toMatchObject({ code: 'my-campaign', success: true });
    });
  });

  test('batch: a code listed many times is worked out once (each costs a read of every referrer), and answered each time', async () => {
    await withApp({ env: ANON }, async (app, req) => {
      await req('POST', '/api/v1/shorten', { body: { url: 'https://example.com/rep', customAlias: 'repeated' } });
      const forLink = spyOn(app.services.analytics, 'forLink');
      const res = await req('POST', '/api/v1/stats/batch', { body: { codes: Array(50).fill('repeated') } });
      expect(res.status).toBe(207);
      const body = await res.json();
      expect(body.data).toHaveLength(50);
      expect(body.data.every((d: { success: boolean }) => d.success)).toBe(true);
      expect(forLink).toHaveBeenCalledTimes(1);
    });
  });

  test('batch: 50 codes are fine, 51 (or none, or non-strings, or bad tokens) are 400', async () => {
    const codes = (n: number) => Array.from({ length: n }, (_, i) => `code-${i}`);
    expect((await send('POST', '/api/v1/stats/batch', { body: { codes: codes(50) } })).status).toBe(207);
    for (const body of [{ codes: codes(51) }, { codes: [] }, {}, { codes: [1, 2] }, { codes: ['a'], tokens: ['x'] }, { codes: ['a'], tokens: { a: 1 } }]) {
      const res = await send('POST', '/api/v1/stats/batch', { body });
      expect(res.status).toBe(400);
      expect((await res.json()).error).toBe('Bad Request');
    }
  });
});

describe('delete with the token', () => {
  test('missing or wrong token → 401 documented body; the right one → 200, then 404 everywhere', async () => {
    const d = await shorten({ url: 'https://example.com/doomed' });
    for (const q of ['', '?delete_token=', `?delete_token=${'a'.repeat(48)}`, '?delete_token=short']) {
      const res = await send('DELETE', `/api/v1/${d.code}${q}`);
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual(DELETE_401);
    }
    const ok = await send('DELETE', `/api/v1/${d.code}?delete_token=${d.deleteToken}`);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ status: 'success', message: 'Short URL deleted successfully', data: { code: d.code } });
    expect(await (await send('GET', `/api/v1/expand/${d.code}`)).json()).toEqual(NOT_FOUND);
    expect((await send('GET', `/api/v1/stats/${d.code}`)).status).toBe(404);
    expect((await send('GET', `/${d.code}`, { ua: BROWSER })).status).toBe(404);
    expect((await send('DELETE', `/api/v1/${d.code}?delete_token=${d.deleteToken}`)).status).toBe(404);
    // the code stays reserved: a new link cannot take over printed copies
    expect(await (await send('POST', '/api/v1/shorten', { body: { url: 'https://evil.example', customAlias: d.code } })).json()).toEqual(TAKEN);
  });

  test("link A's delete token cannot delete link B", async () => {
    const a = await shorten({ url: 'https://example.com/a' });
    const b = await shorten({ url: 'https://example.com/b' });
    expect((await send('DELETE', `/api/v1/${b.code}?delete_token=${a.deleteToken}`)).status).toBe(401);
    expect((await send('GET', `/api/v1/expand/${b.code}`)).status).toBe(200);
  });
});

describe('unshorten', () => {
  let server: ReturnType<typeof Bun.serve>;
  let origin: string;
  beforeAll(() => {
    server = Bun.serve({
      hostname: '127.0.0.1',
      port: 0,
      fetch(req) {
        const path = new URL(req.url).pathname;
        if (path === '/example') return new Response(null, { status: 301, headers: { location: '/hop' } });
        if (path === '/hop') return new Response(null, { status: 302, headers: { location: `${origin}/final-page` } });
        return new Response('<html></html>', { headers: { 'content-type': 'text/html' } });
      },
    });
    origin = `http://127.0.0.1:${server.port}`;
  });
  afterAll(() => server.stop(true));

  test('follows a redirect chain (ALLOW_PRIVATE_TARGETS=true for this local server)', async () => {
    await withApp({ env: { ...ANON, ALLOW_PRIVATE_TARGETS: 'true' } }, async (_, req) => {
      const res = await req('GET', `/api/v1/unshorten?url=${encodeURIComponent(`${origin}/example`)}`);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({
        status: 'success',
        data: {
          originalUrl: `${origin}/example`,
          destinationUrl: `${origin}/final-page`,
          redirectChain: [{ url: `${origin}/example`, statusCode: 301 }, { url: `${origin}/hop`, statusCode: 302 }],
          redirectCount: 2,
        },
      });
    });
  });

  test('a loopback target is refused (400 Failed to unshorten URL); a missing or non-http url is 400', async () => {
    const refused = await send('GET', `/api/v1/unshorten?url=${encodeURIComponent(`${origin}/example`)}`);
    expect(refused.status).toBe(400);
    const body = await refused.json();
    expect(body.error).toBe('Failed to unshorten URL');
    expect(body.message).toContain('127.0.0.1');
    for (const q of ['', '?url=', '?url=not-a-url', `?url=${encodeURIComponent('ftp://example.com/x')}`]) {
      const res = await send('GET', `/api/v1/unshorten${q}`);
      expect(res.status).toBe(400);
      expect((await res.json()).message).toContain('url');
    }
  });
});

describe('rate limits (per IP, Retry-After)', () => {
  const expect429 = async (res: Response) => {
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await res.json()).toEqual({ error: 'Too Many Requests', message: expect.stringContaining('Rate limit exceeded') });
  };

  test('shorten: the 21st from one IP is 429 (utm shares the budget); another IP is not limited', async () => {
    const ip = freshIp();
    for (let i = 0; i < 19; i++) expect((await send('POST', '/api/v1/shorten', { ip, body: { url: `https://example.com/${i}` } })).status).toBe(201);
    expect((await send('POST', '/api/v1/shorten/utm', { ip, body: { url: 'https://example.com/u', utm_source: 'a', utm_medium: 'b', utm_campaign: 'c' } })).status).toBe(201);
    await expect429(await send('POST', '/api/v1/shorten', { ip, body: { url: 'https://example.com/21' } }));
    expect((await send('POST', '/api/v1/shorten', { body: { url: 'https://example.com/other-ip' } })).status).toBe(201);
    // other budgets of the same IP are untouched
    expect((await send('POST', '/api/v1/shorten/bulk', { ip, body: { urls: ['https://example.com/b'] } })).status).toBe(207);
  });

  test("each answer reports the address's budget of its route group (X-RateLimit-Limit / -Remaining)", async () => {
    const ip = freshIp();
    const first = await send('POST', '/api/v1/shorten/bulk', { ip, body: { urls: ['https://example.com/h'] } });
    expect([first.status, first.headers.get('x-ratelimit-limit'), first.headers.get('x-ratelimit-remaining')]).toEqual([207, '5', '4']);
    const expand = await send('GET', `/api/v1/expand/${(await first.json()).data[0].data.code}`, { ip });
    expect([expand.status, expand.headers.get('x-ratelimit-limit'), expand.headers.get('x-ratelimit-remaining')]).toEqual([200, '100', '99']);
  });

  test('bulk: 5 a minute', async () => {
    const ip = freshIp();
    for (let i = 0; i < 5; i++) expect((await send('POST', '/api/v1/shorten/bulk', { ip, body: { urls: ['https://example.com/b'] } })).status).toBe(207);
    await expect429(await send('POST', '/api/v1/shorten/bulk', { ip, body: { urls: ['https://example.com/b'] } }));
  });

  test('stats, export and batch share 60 a minute', async () => {
    const d = await shorten({ url: 'https://example.com/s' });
    const ip = freshIp();
    for (let i = 0; i < 30; i++) expect((await send('GET', `/api/v1/stats/${d.code}`, { ip })).status).toBe(200);
    for (let i = 0; i < 20; i++) expect((await send('GET', `/api/v1/stats/${d.code}/export`, { ip })).status).toBe(200);
    for (let i = 0; i < 10; i++) expect((await send('POST', '/api/v1/stats/batch', { ip, body: { codes: [d.code] } })).status).toBe(207);
    await expect429(await send('GET', `/api/v1/stats/${d.code}`, { ip }));
    await expect429(await send('POST', '/api/v1/stats/batch', { ip, body: { codes: [d.code] } }));
    expect((await send('GET', `/api/v1/expand/${d.code}`, { ip })).status).toBe(200);
  });

  test('expand, QR and delete share 100 a minute', async () => {
    const d = await shorten({ url: 'https://example.com/e' });
    const ip = freshIp();
    for (let i = 0; i < 50; i++) expect((await send('GET', `/api/v1/expand/${d.code}`, { ip })).status).toBe(200);
    for (let i = 0; i < 49; i++) expect((await send('GET', `/api/v1/qr/${d.code}.svg?size=64`, { ip })).status).toBe(200);
    expect((await send('DELETE', `/api/v1/${d.code}`, { ip })).status).toBe(401);
    await expect429(await send('DELETE', `/api/v1/${d.code}?delete_token=${d.deleteToken}`, { ip }));
    await expect429(await send('GET', `/api/v1/expand/${d.code}`, { ip }));
  });

  test('unshorten: 30 a minute', async () => {
    const ip = freshIp();
    for (let i = 0; i < 30; i++) expect((await send('GET', '/api/v1/unshorten?url=ftp://x', { ip })).status).toBe(400);
    await expect429(await send('GET', '/api/v1/unshorten?url=ftp://x', { ip }));
  });
});

describe('access: anonymous mode off, API keys', () => {
  let off: TestApp;
  let req: ReturnType<typeof client>;
  beforeAll(async () => {
    off = await makeTestApp({ env: { TRUST_PROXY: 'true' } });
    req = client(off);
  });
  afterAll(() => off.close());

  test('without a key, creating and unshortening are 401 with the how-to message', async () => {
    const calls: [string, string, unknown][] = [
      ['POST', '/api/v1/shorten', { url: 'https://example.com' }],
      ['POST', '/api/v1/shorten/bulk', { urls: ['https://example.com'] }],
      ['POST', '/api/v1/shorten/utm', { url: 'https://example.com', utm_source: 'a', utm_medium: 'b', utm_campaign: 'c' }],
      ['GET', '/api/v1/unshorten?url=https://example.com', undefined],
    ];
    for (const [method, path, body] of calls) {
      const res = await req(method, path, { body });
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({ error: 'Unauthorized', message: ANONYMOUS_DISABLED_MESSAGE });
    }
  });

  test('bulk: an item refused on its own takes no room on the plan (207), a batch of valid links over the limit is 403', async () => {
    await off.services.plans.update('pro', { maxLinks: 3 });
    try {
      const u = await off.user('pro');
      expect((await req('POST', '/api/v1/shorten', { headers: u.auth, body: { url: 'https://example.com/q1' } })).status).toBe(201);
      const mixed = await req('POST', '/api/v1/shorten/bulk', { headers: u.auth, body: { urls: ['https://example.com/q2', 'https://example.com/q3', 'ftp://bad'] } });
      expect(mixed.status).toBe(207);
      expect((await mixed.json()).data.map((r: { success: boolean }) => r.success)).toEqual([true, true, false]);
      const over = await req('POST', '/api/v1/shorten/bulk', { headers: u.auth, body: { urls: ['https://example.com/q4'] } });
      expect([over.status, (await over.json()).message]).toEqual([403, 'You reached your link limit for the current plan. (3/3 links on the pro plan)']);
    } finally {
      await off.services.plans.update('pro', { maxLinks: null });
    }
  });

  test('a pro key creates a link its user owns; it stays expandable, readable and deletable without the key', async () => {
    const u = await off.user('pro');
    const res = await req('POST', '/api/v1/shorten', { headers: u.auth, body: { url: 'https://example.com/owned', customAlias: 'owned-link', private_stats: true } });
    expect(res.status).toBe(201);
    const { data } = await res.json();
    const mine = await (await req('GET', '/api/v1/links', { headers: u.auth })).json();
    expect(mine.data.map((l: { short_code: string }) => l.short_code)).toContain('owned-link');
    expect(mine.data.find((l: { short_code: string }) => l.short_code === 'owned-link').user_id).toBe(u.user.id);
    expect((await req('GET', '/api/v1/expand/owned-link')).status).toBe(200);
    expect((await req('GET', '/api/v1/stats/owned-link')).status).toBe(401);
    expect((await req('GET', '/api/v1/stats/owned-link', { headers: u.auth })).status).toBe(200); // the owner needs no token
    expect((await req('GET', `/api/v1/stats/owned-link?token=${data.statsToken}`)).status).toBe(200);
    expect((await req('GET', '/api/v1/qr/owned-link.png')).status).toBe(200);
    expect((await req('POST', '/api/v1/verify/owned-link', { body: {} })).status).toBe(200);
    expect((await req('DELETE', `/api/v1/owned-link?delete_token=${data.deleteToken}`)).status).toBe(200);
    expect((await (await req('GET', '/api/v1/links', { headers: u.auth })).json()).data.map((l: { short_code: string }) => l.short_code)).not.toContain('owned-link');
  });

  test("another API's links keep their stats to their owner; keyed LinkShrink links are public like anonymous ones", async () => {
    const u = await off.user('pro');
    const native = await (await req('POST', '/api/v1/links', { headers: u.auth, body: { original_url: 'https://example.com/native', alias: 'nativelink', title: 'N' } })).json();
    expect(native.short_code).toBe('nativelink');
    expect((await req('GET', '/api/v1/stats/nativelink')).status).toBe(401);
    expect((await req('GET', '/api/v1/stats/nativelink', { headers: (await off.user('pro')).auth })).status).toBe(401);
    expect((await req('GET', '/api/v1/stats/nativelink', { headers: u.auth })).status).toBe(200);
    const batch = await (await req('POST', '/api/v1/stats/batch', { body: { codes: ['nativelink'] } })).json();
    expect(batch.data[0].success).toBe(false);
    expect((await req('DELETE', '/api/v1/nativelink?delete_token=x')).status).toBe(401);
    await req('POST', '/api/v1/shorten', { headers: u.auth, body: { url: 'https://example.com/pub', customAlias: 'keyed-public' } });
    expect((await req('GET', '/api/v1/stats/keyed-public')).status).toBe(200);
  });

  test("a key spends its plan's budget, not the IP's", async () => {
    const u = await off.user('pro');
    const ip = freshIp();
    for (let i = 0; i < 25; i++) expect((await req('POST', '/api/v1/shorten', { ip, headers: u.auth, body: { url: `https://example.com/k${i}` } })).status).toBe(201);
  });

  test('bad keys are 401, plans without API access or the feature are 403', async () => {
    const bad = await req('POST', '/api/v1/shorten', { headers: { authorization: 'Bearer nope' }, body: { url: 'https://example.com' } });
    expect(bad.status).toBe(401);
    expect((await bad.json()).error).toBe('Unauthorized');
    expect((await req('GET', '/api/v1/expand/whatever', { headers: { 'x-api-key': 'nope' } })).status).toBe(401);
    const free = await off.user('free');
    const denied = await req('POST', '/api/v1/shorten', { headers: free.auth, body: { url: 'https://example.com' } });
    expect(denied.status).toBe(403);
    expect((await denied.json()).error).toBe('Forbidden');
    // an admin-edited plan with API access but no aliases or expiry
    await off.services.plans.update('free', { apiAccess: true });
    const aliasDenied = await req('POST', '/api/v1/shorten', { headers: free.auth, body: { url: 'https://example.com', customAlias: 'free-alias' } });
    expect([aliasDenied.status, (await aliasDenied.json()).error]).toEqual([403, 'Forbidden']);
    expect((await req('POST', '/api/v1/shorten', { headers: free.auth, body: { url: 'https://example.com', ttl_seconds: 3600 } })).status).toBe(403);
    const noExpiry = await (await req('POST', '/api/v1/shorten', { headers: free.auth, body: { url: 'https://example.com' } })).json();
    expect(noExpiry.data.expiresAt).toBeNull();
  });
});

describe('passwords and ranges as the document counts them', () => {
  test('a password longer than bcrypt reads (72 bytes) is checked whole', async () => {
    const password = 'A'.repeat(72) + 'right-tail';
    expect((await send('POST', '/api/v1/shorten', { body: { url: 'https://example.com/long-pw', customAlias: 'long-pw', password } })).status).toBe(201);
    for (const wrong of ['A'.repeat(72), 'A'.repeat(72) + 'WRONG-tail', 'A'.repeat(72) + 'right-tai']) {
      expect((await send('POST', '/api/v1/verify/long-pw', { body: { password: wrong } })).status).toBe(401);
    }
    const ok = await send('POST', '/api/v1/verify/long-pw', { body: { password } });
    expect([ok.status, (await ok.json()).data.originalUrl]).toEqual([200, 'https://example.com/long-pw']);
  });

  test('password length counts characters, not UTF-16 units ("4–128 characters")', async () => {
    const short = await send('POST', '/api/v1/shorten', { body: { url: 'https://example.com/e', password: '😀😀😀' } });
    expect([short.status, (await short.json()).message]).toEqual([400, 'password must be 4–128 characters.']);
    const emoji = '😀'.repeat(128);
    expect((await send('POST', '/api/v1/shorten', { body: { url: 'https://example.com/e', customAlias: 'emoji-pw', password: emoji } })).status).toBe(201);
    expect((await send('POST', '/api/v1/verify/emoji-pw', { body: { password: '😀'.repeat(127) + '😁' } })).status).toBe(401);
    expect((await send('POST', '/api/v1/verify/emoji-pw', { body: { password: emoji } })).status).toBe(200);
    expect((await send('POST', '/api/v1/shorten', { body: { url: 'https://example.com/e', password: '😀'.repeat(129) } })).status).toBe(400);
  });

  test('export with only `to` (before the link existed) or only `from` (after today) is an empty range, not a 400', async () => {
    await send('POST', '/api/v1/shorten', { body: { url: 'https://example.com/only-one', customAlias: 'only-one-bound' } });
    const yesterday = new Date(Date.now() - DAY_MS).toISOString().slice(0, 10);
    const tomorrow = new Date(Date.now() + DAY_MS).toISOString().slice(0, 10);
    for (const q of [`to=${yesterday}`, `from=${tomorrow}`]) {
      const res = await send('GET', `/api/v1/stats/only-one-bound/export?${q}`);
      expect(res.status).toBe(200);
      expect((await res.json()).data.clicksByDay).toEqual([]);
    }
    const reversed = await send('GET', `/api/v1/stats/only-one-bound/export?from=${tomorrow}&to=${yesterday}`);
    expect(reversed.status).toBe(400);
  });
});
