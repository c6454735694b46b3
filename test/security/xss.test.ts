/**
 * Stored XSS: the payload `"><img src=x onerror=alert(1)><script>alert(1)</script>`
 * goes in through every field a user or a fetched site controls — link title,
 * description, page_title, thumbnail/og:image, the Open Graph title (from a
 * stubbed fetchMeta), QR name and content, API key name, a user's email, a
 * visitor's referrer domain, and the values echoed back into forms — and every
 * page that shows it is read back: the public bridge, preview, password and
 * home pages, the login page, and the dashboard's links, edit, analytics, QR,
 * keys, account and users screens (whole pages and htmx fragments). The raw
 * payload never appears; its escaped form does where the field is shown.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { TestApp } from '../helpers/make-test-app.ts';
import { BROWSER_UA } from '../helpers/binary.ts';
import { cookieOf, loginForm, page, securityApp, send, signIn, XSS, XSS_ESCAPED, type Browser } from './security-kit.ts';

// an email cannot hold spaces, so its payload uses slashes where XSS has spaces
const EMAIL = `"><img/src=x/onerror=alert(1)><script>alert(1)</script>@evil.example`;
const EMAIL_ESCAPED = '&quot;&gt;&lt;img/src=x/onerror=alert(1)&gt;&lt;script&gt;alert(1)&lt;/script&gt;@evil.example';
// a hostname may carry quotes and backticks, and referrerDomain keeps them
const REFERRER = `https://x"onmouseover="alert(1)'y\`.evil.example/page`;
const REFERRER_ESCAPED = 'x&quot;onmouseover=&quot;alert(1)&#39;y&#96;.evil.example';
// a destination cannot hold < > " or spaces (url-policy), but it can hold quotes of the other kind
const DESTINATION = `https://example.com/?q='onmouseover='alert(1)'`;
const OG_IMAGE = `https://example.com/i.png?x="><script>alert(1)</script>`;

/** Markup the payloads would create if any reached a page unescaped. */
const RAW = ['<script>alert(1)</script>', '<img src=x onerror', '<img/src=x/onerror', `"onmouseover="alert`, `'onmouseover='alert`, 'onmouseover="alert', "x\"onmouseover="];

function expectClean(where: string, body: string): void {
  for (const raw of RAW) expect([where, raw, body.includes(raw)]).toEqual([where, raw, false]);
}
function expectShown(where: string, body: string, escaped: string): void {
  expect([where, body.includes(escaped)]).toEqual([where, true]);
}

let t: TestApp;
let member: Browser;
let admin: Browser;
let memberKey = '';
let memberId = 0;
let adminId = 0;
const links: Record<string, { id: number; code: string }> = {};
let qrId = 0;

beforeAll(async () => {
  t = await securityApp({
    env: { ANONYMOUS_LINKS: 'true' },
    fetchMeta: async () => ({ title: XSS, description: XSS, image: OG_IMAGE }),
  });
  const svc = t.services;
  const adminUser = await t.user('enterprise', 'admin');
  adminId = adminUser.user.id;
  const user = await svc.users.create({ email: EMAIL, password: 'correct horse battery', plan: 'pro' });
  const actor = await svc.users.actorFor(user);
  memberId = user.id;
  memberKey = (await svc.keys.create(user.id, XSS)).key;
  const auth = { authorization: `Bearer ${memberKey}` };

  // through the APIs, as integrators would
  const titled = await send(t, 'POST', '/api/v1/links', { headers: auth, json: { original_url: DESTINATION, title: XSS } });
  links.titled = (await titled.json()) as { id: number; code: string };
  links.titled.code = (links.titled as unknown as { short_code: string }).short_code;
  const og = await send(t, 'POST', '/api/v1/links', { headers: auth, json: { original_url: 'https://example.com/og' } }); // title from the OG stub
  const ogBody = (await og.json()) as { id: number; short_code: string; title: string };
  expect(ogBody.title).toBe(XSS);
  links.og = { id: ogBody.id, code: ogBody.short_code };
  const bridge = await send(t, 'POST', '/api/links', { headers: auth, json: { original_url: 'https://example.com/bridge', page_title: XSS, url_cloak: 1 } });
  expect(bridge.status).toBe(201);
  const bridgeCode = ((await bridge.json()) as { short_url: string }).short_url.split('/').at(-1)!;
  links.bridge = { id: (await svc.links.getPublic(bridgeCode)).id, code: bridgeCode };
  // fields no API takes, through the service the dashboard uses
  const preview = await svc.links.create(actor, { destination: DESTINATION, title: XSS, description: XSS, redirectMode: 'preview', metadata: 'none' });
  links.preview = { id: preview.link.id, code: preview.link.code };
  const described = await svc.links.create(actor, { destination: 'https://example.com/d', title: XSS, description: XSS, pageTitle: XSS, redirectMode: 'bridge', thumbnailUrl: "https://example.com/t.png?'onerror='alert(1)", metadata: 'none' });
  links.described = { id: described.link.id, code: described.link.code };
  const locked = await svc.links.create(actor, { destination: 'https://example.com/p', title: XSS, password: 'letmein', metadata: 'none' });
  links.locked = { id: locked.link.id, code: locked.link.code };

  const qr = await send(t, 'POST', '/api/v1/qrcodes', { headers: auth, json: { name: XSS, type: 'text', content: XSS, error_correction: 'M' } });
  expect(qr.status).toBe(201);
  qrId = ((await qr.json()) as { id: number }).id;

  // a visit whose Referer names a hostile host, counted into the link's analytics
  for (const l of [links.titled, links.og]) {
    const visit = await send(t, 'GET', `/${l!.code}`, { headers: { referer: REFERRER, 'user-agent': BROWSER_UA } });
    expect(visit.status).toBe(302);
  }
  await t.flush();

  member = await signIn(t, EMAIL, 'correct horse battery');
  admin = await signIn(t, adminUser.email, adminUser.password);
});

afterAll(() => t?.close());

describe('public pages', () => {
  test('bridge pages (/s/{code} and /{code}): og and twitter meta, heading, description, image', async () => {
    for (const l of [links.bridge!, links.described!]) {
      for (const path of [`/s/${l.code}`, `/${l.code}`]) {
        const res = await send(t, 'GET', path, { headers: { 'user-agent': BROWSER_UA } });
        const body = await res.text();
        expect([path, res.status]).toEqual([path, 200]);
        expectClean(path, body);
        expectShown(path, body, XSS_ESCAPED);
        expect(body).toContain('<meta property="og:title" content="&quot;&gt;&lt;img');
      }
    }
  });

  test('the preview page (/preview/{code} and a preview-mode /{code}): title, description, destination', async () => {
    for (const path of [`/preview/${links.preview!.code}`, `/${links.preview!.code}`, `/preview/${links.og!.code}`]) {
      const body = await (await send(t, 'GET', path)).text();
      expectClean(path, body);
      expectShown(path, body, XSS_ESCAPED);
    }
    const body = await (await send(t, 'GET', `/preview/${links.preview!.code}`)).text();
    expect(body).toContain('?q=&#39;onmouseover=&#39;alert(1)&#39;');
  });

  test('the password page, before and after a wrong password', async () => {
    const form = await send(t, 'GET', `/${links.locked!.code}`);
    const body = await form.text();
    expectClean('password form', body);
    const token = /name="csrf_token" value="([^"]+)"/.exec(body)![1]!;
    const wrong = await send(t, 'POST', `/${links.locked!.code}`, { form: { csrf_token: token, password: XSS } });
    expect(wrong.status).toBe(401);
    expectClean('password retry', await wrong.text());
  });

  test('the home page: an OG title in the result, and a refused URL echoed into the form', async () => {
    const home = await send(t, 'GET', '/', { headers: { accept: 'text/html' } });
    const cookie = cookieOf(home);
    const token = /<meta name="csrf-token" content="([^"]+)">/.exec(await home.text())![1]!;
    const made = await send(t, 'POST', '/shorten', { headers: { cookie, accept: 'text/html' }, form: { original_url: 'https://example.com/home', _token: token } });
    const madeBody = await made.text();
    expect(made.status).toBe(200);
    expectClean('home result', madeBody);
    expectShown('home result', madeBody, XSS_ESCAPED);
    const refused = await send(t, 'POST', '/shorten', { headers: { cookie, accept: 'text/html' }, form: { original_url: XSS, _token: token } });
    const refusedBody = await refused.text();
    expect(refused.status).toBe(422);
    expectClean('home refused', refusedBody);
    expectShown('home refused', refusedBody, XSS_ESCAPED);
  });

  test('the login page: next and a refused email are echoed escaped', async () => {
    const withNext = await (await send(t, 'GET', `/login?next=${encodeURIComponent(`/dashboard/${XSS}`)}`)).text();
    expectClean('login next', withNext);
    const f = await loginForm(t);
    const res = await send(t, 'POST', '/login', { ip: f.ip, headers: { cookie: f.cookie }, form: { email: XSS, password: 'nope nope nope', _csrf: f.token, next: `/dashboard?q=${XSS}` } });
    expect(res.status).toBe(401);
    const body = await res.text();
    expectClean('login retry', body);
    expectShown('login retry', body, XSS_ESCAPED);
  });

  test('the 404 page echoes nothing', async () => {
    const body = await (await send(t, 'GET', `/${encodeURIComponent(XSS)}`)).text();
    expectClean('404', body);
  });
});

describe('dashboard pages', () => {
  const memberPages = () => [
    '/dashboard',
    `/dashboard?q=${encodeURIComponent(XSS)}`,
    `/dashboard?q=${encodeURIComponent('alert')}`,
    ...Object.values(links).map((l) => `/dashboard/links/${l.id}/edit`),
    ...Object.values(links).map((l) => `/dashboard/links/${l.id}/analytics`),
    `/dashboard/links/utm-preview?url=${encodeURIComponent(XSS)}&utm_source=${encodeURIComponent(XSS)}`,
    `/dashboard/links/utm-preview?url=${encodeURIComponent('https://example.com/')}&utm_source=${encodeURIComponent(XSS)}`,
    '/dashboard/qrcodes',
    `/dashboard/qrcodes/${qrId}/edit`,
    '/dashboard/keys',
    '/dashboard/account',
    '/dashboard/links/import',
  ];

  test('every screen of the member who owns the hostile data, as a full page', async () => {
    for (const path of memberPages()) {
      const { status, body } = await page(t, member, path);
      expect([path, status]).toEqual([path, 200]);
      expectClean(path, body);
      // the shell shows who is signed in (utm-preview is a fragment only, without the shell)
      if (!path.includes('utm-preview')) expectShown(path, body, EMAIL_ESCAPED);
    }
  });

  test('htmx fragments are escaped too', async () => {
    for (const path of memberPages()) {
      const res = await send(t, 'GET', path, { ip: member.ip, headers: { cookie: member.cookie, 'hx-request': 'true', 'hx-target': path.includes('analytics') ? 'analytics' : 'qr-list' } });
      expectClean(`${path} (htmx)`, await res.text());
    }
  });

  test('where each hostile field is shown, it is shown escaped', async () => {
    const list = (await page(t, member, '/dashboard')).body;
    expectShown('links list', list, XSS_ESCAPED);
    for (const l of [links.titled!, links.og!]) {
      const analytics = (await page(t, member, `/dashboard/links/${l.id}/analytics`)).body;
      expectShown('analytics title', analytics, XSS_ESCAPED);
      expectShown('analytics referrer', analytics, REFERRER_ESCAPED);
    }
    expectShown('edit form', (await page(t, member, `/dashboard/links/${links.titled!.id}/edit`)).body, XSS_ESCAPED);
    expectShown('QR list', (await page(t, member, '/dashboard/qrcodes')).body, XSS_ESCAPED);
    expectShown('QR edit', (await page(t, member, `/dashboard/qrcodes/${qrId}/edit`)).body, XSS_ESCAPED);
    expectShown('keys', (await page(t, member, '/dashboard/keys')).body, XSS_ESCAPED);
    expectShown('account', (await page(t, member, '/dashboard/account')).body, EMAIL_ESCAPED);
  });

  test('the admin sees the hostile email and data escaped (users, all links, another user’s analytics and keys)', async () => {
    const transfer = [`/dashboard/users/${memberId}/transfer`, `/dashboard/users/${adminId}/transfer?to=${memberId}`, `/dashboard/users/${memberId}/transfer?to=${memberId}`];
    for (const path of ['/dashboard/users', '/dashboard?all=1', `/dashboard/links/${links.og!.id}/analytics`, `/dashboard/users/${memberId}/keys`, '/dashboard/plans', '/dashboard/settings', ...transfer]) {
      const { status, body } = await page(t, admin, path);
      expect([path, status]).toEqual([path, path.endsWith(`/${memberId}/transfer?to=${memberId}`) ? 422 : 200]);
      expectClean(path, body);
    }
    for (const path of transfer) expectShown(path, (await page(t, admin, path)).body, EMAIL_ESCAPED);
    expectShown('users', (await page(t, admin, '/dashboard/users')).body, EMAIL_ESCAPED);
    const keys = (await page(t, admin, `/dashboard/users/${memberId}/keys`)).body;
    expectShown('user keys', keys, EMAIL_ESCAPED);
    expectShown('user keys', keys, XSS_ESCAPED);
  });

  test('a refused dashboard form echoes what was typed, escaped', async () => {
    const res = await send(t, 'POST', '/dashboard/links/new', {
      ip: member.ip,
      headers: { cookie: member.cookie },
      form: { url: XSS, title: XSS, code: XSS, utm_source: XSS, _csrf: member.csrf },
    });
    expect(res.status).toBe(422);
    const body = await res.text();
    expectClean('new link refused', body);
    expectShown('new link refused', body, XSS_ESCAPED);
    const key = await send(t, 'POST', '/dashboard/keys', { ip: member.ip, headers: { cookie: member.cookie }, form: { name: XSS + 'x'.repeat(200), _csrf: member.csrf } });
    expectClean('key refused', await key.text());
    const qr = await send(t, 'POST', '/dashboard/qrcodes', { ip: member.ip, headers: { cookie: member.cookie }, form: { name: XSS, type: 'url', content: XSS, _csrf: member.csrf } });
    expectClean('qr refused', await qr.text());
  });

  test('JSON answers carry the payload as data, never as HTML', async () => {
    const res = await send(t, 'GET', `/api/v1/links/${links.titled!.id}`, { headers: { authorization: `Bearer ${memberKey}` } });
    expect(res.headers.get('content-type')).toStartWith('application/json');
    expect(((await res.json()) as { title: string }).title).toBe(XSS);
  });

});
