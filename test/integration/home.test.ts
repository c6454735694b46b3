/**
 * The public home page and ShrtLnk's POST /shorten as a browser and a fetch()
 * client use them: the CSRF cookie and token, JSON and HTML answers, escaping
 * of everything echoed back, and the redirect when anonymous links are off.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { createCsrf } from '../../src/http/csrf.ts';
import { DEFAULT_STYLE } from '../../src/qr/qr.service.ts';
import { renderSvg } from '../../src/qr/render.ts';
import { BASE, makeTestApp, type TestApp } from '../helpers/make-test-app.ts';

const HOSTILE_TITLE = '<script>alert(1)</script>';
let t: TestApp;
beforeAll(async () => {
  t = await makeTestApp({
    env: { ANONYMOUS_LINKS: 'true' },
    fetchMeta: async (url) => (url.includes('hostile') ? { title: HOSTILE_TITLE, description: null, image: null } : null),
  });
});
afterAll(() => t.close());

/** What a browser holds after loading GET /: its cookie and the page's token. */
async function visitHome(app: TestApp = t) {
  const res = await app.request('GET', '/', { headers: { accept: 'text/html' } });
  const page = await res.text();
  const cookie = /^(shrinkray_csrf=[^;]+)/.exec(res.headers.get('set-cookie') ?? '')?.[1] ?? '';
  const token = /<meta name="csrf-token" content="([^"]+)">/.exec(page)?.[1] ?? '';
  return { res, page, cookie, token };
}

const postForm = (cookie: string, form: Record<string, string>) =>
  t.request('POST', '/shorten', { form, headers: { accept: 'text/html,application/xhtml+xml', cookie } });

describe('GET /', () => {
  test('serves the form with the csrf-token meta, a hidden _token and the CSRF cookie; no script', async () => {
    const { res, page, cookie, token } = await visitHome();
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(res.headers.get('cache-control')).toBe('private, no-store');
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(res.headers.get('set-cookie')).toMatch(/^shrinkray_csrf=[\w-]+; Path=\/; HttpOnly; SameSite=Lax$/);
    expect(cookie).not.toBe('');
    expect(token).toMatch(/^\d+\.[\w-]+$/);
    expect(page).toContain('<form class="stack" method="post" action="/shorten">');
    expect(page).toContain(`<input type="hidden" name="_token" value="${token}">`);
    expect(page).toContain('name="original_url"');
    expect(page).toContain('<link rel="stylesheet" href="/public/css/app.css">');
    expect(page).not.toContain('<script');
  });

  test('a browser that has the cookie keeps it (no new Set-Cookie)', async () => {
    const { cookie } = await visitHome();
    const again = await t.request('GET', '/', { headers: { accept: 'text/html', cookie } });
    expect(again.headers.get('set-cookie')).toBeNull();
  });

  test('the cookie is Secure when the public origin is https', async () => {
    const secure = await makeTestApp({ env: { ANONYMOUS_LINKS: 'true', BASE_URL: 'https://sho.rt' } });
    try {
      expect((await visitHome(secure)).res.headers.get('set-cookie')).toContain('; Secure');
    } finally {
      await secure.close();
    }
  });
});

describe('POST /shorten, JSON clients', () => {
  test('with X-CSRF-TOKEN from the meta tag: 201 with the create shape and source "web", then 200 existing', async () => {
    const { cookie, token } = await visitHome();
    const send = () => t.request('POST', '/shorten', { body: { original_url: 'example.org/Web/' }, headers: { cookie, 'x-csrf-token': token, 'user-agent': 'Browser/1' } });
    const res = await send();
    expect(res.status).toBe(201);
    const body = await res.json();
    expect(body).toMatchObject({ success: true, original_url: 'https://example.org/Web', source: 'web', redirect_mode: 'bridge', url_cloak: 1, existing: false });
    expect(body.short_url).toBe(`${BASE}/s/${body.short_code}`);
    const again = await send();
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ id: body.id, existing: true });
  });

  test('without a token, with a wrong one, or without the cookie: 419 CSRF token mismatch', async () => {
    const { cookie, token } = await visitHome();
    const other = await visitHome();
    const body = { original_url: 'https://example.org/csrf' };
    const attempts: Record<string, string>[] = [{ cookie }, { cookie, 'x-csrf-token': 'nope' }, { 'x-csrf-token': token }, { cookie: other.cookie, 'x-csrf-token': token }];
    for (const headers of attempts) {
      const res = await t.request('POST', '/shorten', { body, headers });
      expect(res.status).toBe(419);
      expect(await res.json()).toEqual({ message: 'CSRF token mismatch.' });
    }
  });

  test('the token may also come as _token; validation errors are Laravel 422s', async () => {
    const { cookie, token } = await visitHome();
    const ok = await t.request('POST', '/shorten', { body: { original_url: 'https://example.org/field', _token: token }, headers: { cookie } });
    expect(ok.status).toBe(201);
    const bad = await t.request('POST', '/shorten', { body: {}, headers: { cookie, 'x-csrf-token': token } });
    expect(bad.status).toBe(422);
    expect(await bad.json()).toEqual({ message: 'The original url field is required.', errors: { original_url: ['The original url field is required.'] } });
  });
});

describe('POST /shorten, the HTML form', () => {
  test('with the _token field: the page shows the escaped short URL and a fresh token', async () => {
    const { cookie, token } = await visitHome();
    const res = await postForm(cookie, { _token: token, original_url: 'https://example.org/form?a=1&b=2' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    const page = await res.text();
    const code = new RegExp(`${BASE}/s/([A-Za-z0-9]{7})`).exec(page)?.[1];
    expect(code).toBeDefined();
    expect(page).toContain(`<a href="${BASE}/s/${code}">${BASE}/s/${code}</a>`);
    expect(page).toContain('https://example.org/form?a=1&amp;b=2');
    expect(page).toMatch(/<meta name="csrf-token" content="\d+\.[\w-]+">/);
    // one script, from this server: the Copy button's (hidden until it runs); the QR code is an image
    expect(page.match(/<script[^>]*>/g)).toEqual(['<script src="/public/js/copy.js" defer>', '<script src="/public/js/home.js" defer>']);
    expect(page).toContain(`data-copy="${BASE}/s/${code}" aria-describedby="copy-status" hidden>Copy</button>`);
    const qr = /<img src="data:image\/svg\+xml;base64,([^"]+)" width="160" height="160" alt="QR code of ([^"]+)">/.exec(page);
    expect(qr?.[2]).toBe(`${BASE}/s/${code}`);
    expect(Buffer.from(qr![1]!, 'base64').toString()).toBe(await renderSvg(`${BASE}/s/${code}?qr=1`, { ...DEFAULT_STYLE, size: 160 }));
    expect(page).toContain(`download="${code}-qr.svg"`);
    for (const js of ['copy.js', 'home.js']) expect((await t.request('GET', `/public/js/${js}`)).status).toBe(200);
  });

  test('a hostile original_url and a hostile fetched title are shown escaped', async () => {
    const { cookie, token } = await visitHome();
    // a URL may hold quotes and ampersands: shown, escaped
    const quoted = await (await postForm(cookie, { _token: token, original_url: "https://example.com/x?a=1&b='onmouseover=alert(1)" })).text();
    expect(quoted).toContain('Goes to https://example.com/x?a=1&amp;b=');
    expect(quoted).not.toContain("b='onmouseover");
    // markup is not a URL (normalisation does not percent-encode it away): refused, and shown back escaped
    const hostile = await postForm(cookie, { _token: token, original_url: 'https://example.com/"><script>alert(1)</script>' });
    expect(hostile.status).toBe(422);
    const hostilePage = await hostile.text();
    expect(hostilePage).toContain('value="https://example.com/&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"');
    expect(hostilePage).not.toContain('<script>');

    const titled = await (await postForm(cookie, { _token: token, original_url: 'https://example.com/hostile' })).text();
    expect(titled).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(titled).not.toContain(HOSTILE_TITLE);

    const refused = await postForm(cookie, { _token: token, original_url: 'javascript:"><script>alert(1)</script>' });
    expect(refused.status).toBe(422);
    const page = await refused.text();
    expect(page).toContain('The original url field must be a valid URL.');
    expect(page).toContain('value="javascript:&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"');
    expect(page).not.toContain('<script>');
  });

  test('errors are shown beside the field: a private host reads "Invalid URL"', async () => {
    const { cookie, token } = await visitHome();
    const res = await postForm(cookie, { _token: token, original_url: 'http://127.0.0.1/' });
    expect(res.status).toBe(422);
    const page = await res.text();
    expect(page).toContain('<p class="alert" id="original_url-error" role="alert">Invalid URL</p>');
    // the page has no script: the title says so, and the field takes the focus itself
    expect(page).toContain('<title>Error: Shorten a link · shrinkray</title>');
    expect(page).toMatch(/<input id="original_url"[^>]*aria-invalid="true"[^>]*autofocus>/);
  });

  test('without a valid token: 419 page with a notice and a token that works on retry', async () => {
    const first = await postForm('', { original_url: 'https://example.org/retry' });
    expect(first.status).toBe(419);
    const page = await first.text();
    expect(page).toContain('This page expired');
    expect(page).toContain('value="https://example.org/retry"');
    const cookie = /^(shrinkray_csrf=[^;]+)/.exec(first.headers.get('set-cookie') ?? '')?.[1] ?? '';
    const token = /name="_token" value="([^"]+)"/.exec(page)?.[1] ?? '';
    const retry = await postForm(cookie, { _token: token, original_url: 'https://example.org/retry' });
    expect(retry.status).toBe(200);
    expect(await retry.text()).toContain('Your short link');
  });
});

test('refused for the per-address budget, the form keeps what was typed (429 with Retry-After)', async () => {
  const own = await makeTestApp({ env: { ANONYMOUS_LINKS: 'true' } });
  try {
    const { cookie, token } = await visitHome(own);
    let last: Response | undefined;
    for (let i = 0; i < 40 && last?.status !== 429; i++) {
      last = await own.request('POST', '/shorten', { form: { _token: token, original_url: `https://example.com/kept-${i}` }, headers: { accept: 'text/html', cookie } });
    }
    expect([last!.status, Number(last!.headers.get('retry-after')) > 0]).toEqual([429, true]);
    expect(await last!.text()).toMatch(/value="https:\/\/example\.com\/kept-\d+"/);
  } finally {
    await own.close();
  }
});

describe('ANONYMOUS_LINKS off', () => {
  test('GET / redirects to /dashboard; POST /shorten is 401 JSON or a redirect for a browser', async () => {
    const off = await makeTestApp();
    try {
      const home = await off.request('GET', '/', { headers: { accept: 'text/html' } });
      expect(home.status).toBe(302);
      expect(home.headers.get('location')).toBe('/dashboard');
      const json = await off.request('POST', '/shorten', { body: { original_url: 'https://example.org' }, headers: { 'x-csrf-token': 'x' } });
      expect(json.status).toBe(401);
      expect(await json.json()).toMatchObject({ success: false });
      const form = await off.request('POST', '/shorten', { form: { original_url: 'https://example.org' }, headers: { accept: 'text/html' } });
      expect(form.status).toBe(302);
      expect(form.headers.get('location')).toBe('/dashboard');
    } finally {
      await off.close();
    }
  });
});

describe('csrf tokens', () => {
  test('bound to the nonce and the secret, refused once expired or tampered with', () => {
    let now = 1_000_000;
    const csrf = createCsrf({ secure: false, secret: 'test-secret', ttlMs: 60_000, now: () => now });
    const nonce = csrf.newNonce();
    const token = csrf.issue(nonce);
    expect(csrf.verify(nonce, token)).toBe(true);
    expect(csrf.verify(csrf.newNonce(), token)).toBe(false);
    expect(createCsrf({ secure: false, secret: 'other', now: () => now }).verify(nonce, token)).toBe(false);
    const [expiry, mac] = token.split('.');
    expect(csrf.verify(nonce, `${Number(expiry) + 1}.${mac}`)).toBe(false);
    expect(csrf.verify(nonce, `${expiry}.${mac!.slice(0, -2)}`)).toBe(false);
    expect(csrf.verify(nonce, undefined)).toBe(false);
    expect(csrf.verify(null, token)).toBe(false);
    now += 60_001;
    expect(csrf.verify(nonce, token)).toBe(false);
  });

  test('a forged or oversized cookie is not a nonce', () => {
    const csrf = createCsrf({ secure: true });
    const req = (cookie: string) => new Request(BASE, { headers: { cookie } });
    expect(csrf.nonceOf(req('a=1; shrinkray_csrf=short'))).toBeNull();
    expect(csrf.nonceOf(req(`shrinkray_csrf=${'x'.repeat(100)}`))).toBeNull();
    const nonce = csrf.newNonce();
    expect(csrf.nonceOf(req(`a=1; shrinkray_csrf=${nonce}`))).toBe(nonce);
    expect(csrf.cookie(nonce)).toBe(`shrinkray_csrf=${nonce}; Path=/; HttpOnly; SameSite=Lax; Secure`);
  });
});
