/**
 * IDOR: user B, with a valid key (and a dashboard session), aims at user A's
 * ids and codes on every dialect's id and code route. Each answers exactly as
 * for an object that does not exist — 404 — and A's rows (links, schedules,
 * QR codes, keys, user) are byte-identical afterwards. B's lists never show
 * A's objects, B cannot attach a QR code to A's link, and ShrtLnk's
 * deduplication never hands B A's link.
 *
 * A password guards a link's destination, so no route that works without
 * the password — LinkShrink stats, export and batch stats (public by default)
 * and ShrtLnk's open GET — may reveal it to anyone but the owner.
 *
 * LinkShrink is the documented exception to "404": its routes on a code are
 * public by design (the code is the credential) and its stats and delete are
 * guarded by tokens — a link of A made outside LinkShrink reads as private
 * stats (401) and delete needs the token (401). Those are asserted as such,
 * with nothing changed.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { TestApp } from '../helpers/make-test-app.ts';
import { BROWSER_UA } from '../helpers/binary.ts';
import { securityApp, send, signIn, type Browser } from './security-kit.ts';

let t: TestApp;
let a: Awaited<ReturnType<TestApp['user']>>;
let b: Awaited<ReturnType<TestApp['user']>>;
let bBrowser: Browser;
const A = { linkId: 0, code: '', qrId: 0, keyId: 0, lsCode: '' };
const B = { linkId: 0 };

/** A's rows as stored, without the click counters that public visits move. */
function rowsOfA(): string {
  const db = t.services.db.sqlite;
  const id = a.user.id;
  const links = (db.query('SELECT * FROM links WHERE user_id = ? ORDER BY id').all(id) as Record<string, unknown>[]).map(({ total_clicks, unique_clicks, last_clicked_at, ...rest }) => rest);
  return JSON.stringify({
    user: db.query('SELECT * FROM users WHERE id = ?').all(id),
    links,
    schedules: db.query('SELECT s.* FROM link_schedules s JOIN links l ON l.id = s.link_id WHERE l.user_id = ? ORDER BY s.id').all(id),
    qr: db.query('SELECT * FROM qr_codes WHERE user_id = ? ORDER BY id').all(id),
    keys: db.query('SELECT id, user_id, name, prefix, key_hash, revoked_at, created_at FROM api_keys WHERE user_id = ? ORDER BY id').all(id),
    clicks: db.query('SELECT count(*) AS n FROM clicks c JOIN links l ON l.id = c.link_id WHERE l.user_id = ?').get(id),
  });
}

beforeAll(async () => {
  t = await securityApp();
  await t.services.plans.update('pro', { rateLimitPerMinute: 1_000_000 });
  a = await t.user('pro');
  b = await t.user('pro');
  bBrowser = await signIn(t, b.email, b.password);
  const made = await send(t, 'POST', '/v1/client/short-links', {
    headers: a.auth,
    json: { destination_url: 'https://example.com/a', short_code: 'a-secret-link', utm: { utm_source: 'a' }, schedules: [{ start_at: '2030-01-01 00:00:00', end_at: null, destination_url: 'https://example.com/a-later' }] },
  });
  expect(made.status).toBe(200);
  const link = await t.services.links.getPublic('a-secret-link');
  A.linkId = link.id;
  A.code = link.code;
  const qr = await send(t, 'POST', '/api/v1/qrcodes', { headers: a.auth, json: { name: 'a qr', type: 'url', content: 'https://example.com', error_correction: 'M', link_id: A.linkId } });
  A.qrId = ((await qr.json()) as { id: number }).id;
  A.keyId = (await t.services.keys.list(a.user.id))[0]!.id;
  const ls = await send(t, 'POST', '/api/v1/shorten', { headers: a.auth, json: { url: 'https://example.com/a-ls', private_stats: true } });
  A.lsCode = ((await ls.json()) as { data: { shortCode?: string; code?: string; shortUrl: string } }).data.shortUrl.split('/').at(-1)!;
  // a visit, so A's analytics have something to leak
  await send(t, 'GET', `/${A.code}`, { headers: { 'user-agent': BROWSER_UA, referer: 'https://a-secret-referrer.example/' } });
  await t.flush();
  const bl = await send(t, 'POST', '/api/v1/links', { headers: b.auth, json: { original_url: 'https://example.com/b', title: 'b' } });
  B.linkId = ((await bl.json()) as { id: number }).id;
});

afterAll(() => t?.close());

interface Probe {
  name: string;
  method: string;
  path: () => string;
  body?: unknown;
  expect: number[];
  /** Linx.ly and lnkz take the key as a Bearer token only */
  bearerOnly?: boolean;
}

const probes: Probe[] = [
  // native (Minilnk)
  { name: 'native get link', method: 'GET', path: () => `/api/v1/links/${A.linkId}`, expect: [404] },
  { name: 'native update link', method: 'PUT', path: () => `/api/v1/links/${A.linkId}`, body: { original_url: 'https://evil.example/' }, expect: [404] },
  { name: 'native patch link', method: 'PATCH', path: () => `/api/v1/links/${A.linkId}`, body: { original_url: 'https://evil.example/' }, expect: [404] },
  { name: 'native delete link', method: 'DELETE', path: () => `/api/v1/links/${A.linkId}`, expect: [404] },
  { name: 'native analytics', method: 'GET', path: () => `/api/v1/links/${A.linkId}/analytics`, expect: [404] },
  { name: 'native get QR', method: 'GET', path: () => `/api/v1/qrcodes/${A.qrId}`, expect: [404] },
  { name: 'native delete QR', method: 'DELETE', path: () => `/api/v1/qrcodes/${A.qrId}`, expect: [404] },
  { name: 'QR download svg', method: 'GET', path: () => `/dashboard/qrcodes/${A.qrId}/download/svg`, expect: [404] },
  { name: 'QR download png', method: 'GET', path: () => `/dashboard/qrcodes/${A.qrId}/download/png`, expect: [404] },
  // Linx.ly
  { name: 'Linx.ly get', method: 'GET', path: () => `/v1/client/short-links/${A.code}`, expect: [404], bearerOnly: true },
  { name: 'Linx.ly update', method: 'PUT', path: () => `/v1/client/short-links/${A.code}`, body: { destination_url: 'https://evil.example/', status: false, utm: null, schedules: [] }, expect: [404], bearerOnly: true },
  { name: 'Linx.ly patch', method: 'PATCH', path: () => `/v1/client/short-links/${A.code}`, body: { destination_url: 'https://evil.example/', status: false, utm: null, schedules: [] }, expect: [404], bearerOnly: true },
  { name: 'Linx.ly delete', method: 'DELETE', path: () => `/v1/client/short-links/${A.code}`, expect: [404], bearerOnly: true },
  // lnkz
  { name: 'lnkz get', method: 'GET', path: () => `/api/v1/urls/${A.linkId}`, expect: [404], bearerOnly: true },
  { name: 'lnkz update', method: 'PUT', path: () => `/api/v1/urls/${A.linkId}`, body: { url: 'https://evil.example/', expiresAt: null }, expect: [404], bearerOnly: true },
  { name: 'lnkz patch', method: 'PATCH', path: () => `/api/v1/urls/${A.linkId}`, body: { url: 'https://evil.example/', expiresAt: null }, expect: [404], bearerOnly: true },
  { name: 'lnkz delete', method: 'DELETE', path: () => `/api/v1/urls/${A.linkId}`, expect: [404], bearerOnly: true },
  // ShrtLnk
  { name: 'ShrtLnk get', method: 'GET', path: () => `/api/links/${A.code}`, expect: [404] },
  { name: 'ShrtLnk patch', method: 'PATCH', path: () => `/api/links/${A.code}`, body: { original_url: 'https://evil.example/', page_title: 'owned' }, expect: [404] },
  { name: 'ShrtLnk put', method: 'PUT', path: () => `/api/links/${A.code}`, body: { original_url: 'https://evil.example/' }, expect: [404] },
  { name: 'ShrtLnk get (LinkShrink private link)', method: 'GET', path: () => `/api/links/${A.lsCode}`, expect: [404] },
  // LinkShrink: token-guarded by its document
  { name: 'LinkShrink stats of a non-LinkShrink link', method: 'GET', path: () => `/api/v1/stats/${A.code}`, expect: [401] },
  { name: 'LinkShrink stats of a private link', method: 'GET', path: () => `/api/v1/stats/${A.lsCode}`, expect: [401] },
  { name: 'LinkShrink export', method: 'GET', path: () => `/api/v1/stats/${A.code}/export?format=csv`, expect: [401] },
  { name: 'LinkShrink delete without the token', method: 'DELETE', path: () => `/api/v1/${A.lsCode}`, expect: [401] },
  { name: 'LinkShrink delete with a made-up token', method: 'DELETE', path: () => `/api/v1/${A.lsCode}?delete_token=${'0'.repeat(48)}`, expect: [401] },
  { name: 'LinkShrink delete of a non-LinkShrink link', method: 'DELETE', path: () => `/api/v1/${A.code}?delete_token=${'0'.repeat(48)}`, expect: [401] },
];

describe("a password-protected link's destination is only reachable with the password", () => {
  const SECRET = 'https://hidden.example.com/behind-the-password';

  test('LinkShrink stats, export and batch stats, and ShrtLnk GET never show it to anyone but the owner', async () => {
    const anonymous = await securityApp({ env: { ANONYMOUS_LINKS: 'true' } });
    try {
      const owner = await anonymous.user('pro');
      const stranger = await anonymous.user('pro');
      const made = [
        // anonymous, public stats (the LinkShrink default)
        await send(anonymous, 'POST', '/api/v1/shorten', { json: { url: SECRET, password: 'open sesame' } }),
        // a user's link, public stats
        await send(anonymous, 'POST', '/api/v1/shorten', { headers: owner.auth, json: { url: SECRET, password: 'open sesame' } }),
        // private stats: the stats token opens the stats, not the destination
        await send(anonymous, 'POST', '/api/v1/shorten', { json: { url: SECRET, password: 'open sesame', private_stats: true } }),
      ];
      for (const res of made) {
        expect(res.status).toBe(201);
        const { data } = (await res.json()) as { data: { shortUrl: string; statsToken?: string } };
        const code = data.shortUrl.split('/').at(-1)!;
        const token = data.statsToken ? `token=${data.statsToken}&` : '';
        for (const headers of [{}, stranger.auth]) {
          const answers = [
            await send(anonymous, 'GET', `/api/v1/stats/${code}?${token}`, { headers }),
            await send(anonymous, 'GET', `/api/v1/stats/${code}/export?${token}`, { headers }),
            await send(anonymous, 'GET', `/api/v1/stats/${code}/export?${token}format=csv`, { headers }),
            await send(anonymous, 'POST', '/api/v1/stats/batch', { headers, json: { codes: [code], tokens: data.statsToken ? { [code]: data.statsToken } : {} } }),
            await send(anonymous, 'GET', `/api/links/${code}`, { headers }),
            await send(anonymous, 'GET', `/api/v1/expand/${code}`, { headers }),
            await send(anonymous, 'GET', `/preview/${code}`, { headers }),
            await send(anonymous, 'GET', `/s/${code}`, { headers }),
            await send(anonymous, 'HEAD', `/${code}`, { headers }),
          ];
          for (const a of answers) {
            expect(a.status).toBeLessThan(500);
            expect([a.url, (await a.text()).includes('hidden.example.com'), a.headers.get('location')]).toEqual([a.url, false, null]);
          }
        }
        // stats themselves stay as public as the link made them
        const stats = await send(anonymous, 'GET', `/api/v1/stats/${code}?${token}`);
        expect(stats.status).toBe(200);
        expect(((await stats.json()) as { data: { originalUrl: string | null } }).data.originalUrl).toBeNull();
      }
      // the owner's key still reads it, and the password still opens it
      const own = (await (await send(anonymous, 'POST', '/api/v1/shorten', { headers: owner.auth, json: { url: SECRET, password: 'open sesame' } })).json()) as { data: { shortUrl: string } };
      const code = own.data.shortUrl.split('/').at(-1)!;
      expect(((await (await send(anonymous, 'GET', `/api/v1/stats/${code}`, { headers: owner.auth })).json()) as { data: { originalUrl: string } }).data.originalUrl).toBe(SECRET);
      expect(((await (await send(anonymous, 'POST', `/api/v1/verify/${code}`, { json: { password: 'open sesame' } })).json()) as { data: { originalUrl: string } }).data.originalUrl).toBe(SECRET);
    } finally {
      await anonymous.close();
    }
  });
});

describe("user B's key against user A's ids and codes", () => {
  for (const p of probes) {
    test(`${p.name}: ${p.method} → ${p.expect.join('|')}, nothing changed`, async () => {
      const before = rowsOfA();
      for (const auth of p.bearerOnly ? [b.auth] : [b.auth, { 'x-api-key': b.key }]) {
        const res = await send(t, p.method, p.path(), { headers: auth, json: p.body });
        expect(p.expect).toContain(res.status);
        const text = await res.text();
        expect(text).not.toContain('a-secret-referrer');
        expect(text).not.toContain('https://example.com/a');
      }
      expect(rowsOfA()).toBe(before);
    });
  }

  test('a 404 for A’s object is the same answer as for a missing one (no existence oracle)', async () => {
    for (const [mine, missing] of [
      [`/api/v1/links/${A.linkId}`, '/api/v1/links/999999'],
      [`/v1/client/short-links/${A.code}`, '/v1/client/short-links/no-such-code'],
      [`/api/v1/urls/${A.linkId}`, '/api/v1/urls/999999'],
      [`/api/links/${A.code}`, '/api/links/no-such-code'],
      [`/api/v1/qrcodes/${A.qrId}`, '/api/v1/qrcodes/999999'],
    ] as const) {
      const r1 = await send(t, 'GET', mine, { headers: b.auth });
      const r2 = await send(t, 'GET', missing, { headers: b.auth });
      expect([mine, r1.status, await r1.text()]).toEqual([mine, r2.status, await r2.text()]);
    }
  });

  test("B's lists never include A's objects", async () => {
    for (const path of ['/api/v1/links', '/api/v1/qrcodes', '/api/v1/urls', '/v1/client/short-links', `/api/v1/links?search=${A.code}`]) {
      // only the items: paginator URLs echo the search term by design
      const { data } = (await (await send(t, 'GET', path, { headers: b.auth })).json()) as { data: unknown[] };
      const items = JSON.stringify(data);
      expect([path, Array.isArray(data), items.includes(A.code) || items.includes('https://example.com/a')]).toEqual([path, true, false]);
    }
  });

  test("B cannot tie a QR code to A's link (its scans would count on A's link)", async () => {
    const before = rowsOfA();
    const res = await send(t, 'POST', '/api/v1/qrcodes', { headers: b.auth, json: { name: 'mine', type: 'url', content: 'https://example.com', error_correction: 'M', link_id: A.linkId } });
    expect(res.status).toBe(422);
    expect(rowsOfA()).toBe(before);
  });

  test("ShrtLnk deduplication never hands B A's link, whatever labels B sends", async () => {
    const res = await send(t, 'POST', '/api/links', { headers: b.auth, json: { original_url: 'https://example.com/a', user_id: a.user.id, url_cloak: 0, source: 'api' } });
    const body = (await res.json()) as { existing: boolean; short_url: string };
    expect(body.existing).toBe(false);
    expect(body.short_url).not.toContain(A.code);
  });

  test("B's dashboard session gets 404 on A's links, QR codes and keys, and changes nothing", async () => {
    const before = rowsOfA();
    const gets = [`/dashboard/links/${A.linkId}/edit`, `/dashboard/links/${A.linkId}/analytics`, `/dashboard/links/${A.linkId}/analytics.csv`, `/dashboard/qrcodes/${A.qrId}/edit`];
    for (const path of gets) {
      const res = await send(t, 'GET', path, { ip: bBrowser.ip, headers: { cookie: bBrowser.cookie, accept: 'text/html' } });
      expect([path, res.status]).toEqual([path, 404]);
    }
    const posts: [string, Record<string, string>][] = [
      [`/dashboard/links/${A.linkId}/toggle`, {}],
      [`/dashboard/links/${A.linkId}/delete`, {}],
      [`/dashboard/links/${A.linkId}/edit`, { url: 'https://evil.example/' }],
      [`/dashboard/qrcodes/${A.qrId}`, { name: 'owned', type: 'text', content: 'owned' }],
      [`/dashboard/qrcodes/${A.qrId}/delete`, {}],
      [`/dashboard/keys/${A.keyId}/revoke`, {}],
    ];
    for (const [path, form] of posts) {
      const res = await send(t, 'POST', path, { ip: bBrowser.ip, headers: { cookie: bBrowser.cookie, accept: 'text/html' }, form: { ...form, _csrf: bBrowser.csrf } });
      expect([path, res.status]).toEqual([path, 404]);
    }
    // bulk actions skip ids that are not the caller's
    const bulk = await send(t, 'POST', '/dashboard/links/bulk', { ip: bBrowser.ip, headers: { cookie: bBrowser.cookie }, form: { action: 'delete', [`select_${A.linkId}`]: '1', _csrf: bBrowser.csrf } });
    expect(bulk.status).toBeLessThan(500);
    expect(rowsOfA()).toBe(before);
  });

  test('control: A reaches its own objects on the same routes', async () => {
    expect((await send(t, 'GET', `/api/v1/links/${A.linkId}`, { headers: a.auth })).status).toBe(200);
    expect((await send(t, 'GET', `/v1/client/short-links/${A.code}`, { headers: a.auth })).status).toBe(200);
    expect((await send(t, 'GET', `/api/v1/urls/${A.linkId}`, { headers: a.auth })).status).toBe(200);
    expect((await send(t, 'GET', `/api/links/${A.code}`, { headers: a.auth })).status).toBe(200);
    expect((await send(t, 'GET', `/api/v1/qrcodes/${A.qrId}`, { headers: a.auth })).status).toBe(200);
    expect((await send(t, 'GET', `/api/v1/stats/${A.code}`, { headers: a.auth })).status).toBe(200);
    expect((await send(t, 'GET', `/api/v1/links/${B.linkId}`, { headers: b.auth })).status).toBe(200);
  });
});
