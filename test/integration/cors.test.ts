/**
 * Cross-origin access to the JSON APIs (src/http/cors.ts): in-process for
 * every rule, then in Chromium, where the browser itself decides whether a
 * page on another origin may read the answer.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { Browser } from 'playwright-core';
import { launchBrowser, serveTestApp, type ServedApp } from '../helpers/browser.ts';
import { BASE, makeTestApp, type TestApp } from '../helpers/make-test-app.ts';

const ORIGIN = 'https://app.example';
const corsHeaders = (res: Response) => Object.fromEntries([...res.headers].filter(([k]) => k.startsWith('access-control-')));
const preflight = (t: TestApp, path: string, requestHeaders?: string) =>
  t.app.handle(
    new Request(BASE + path, {
      method: 'OPTIONS',
      headers: { origin: ORIGIN, 'access-control-request-method': 'POST', ...(requestHeaders ? { 'access-control-request-headers': requestHeaders } : {}) },
    }),
  );

describe('a private instance (keyless API off, the default)', () => {
  let t: TestApp;
  let auth: Record<string, string>;
  let key: string;
  beforeAll(async () => {
    t = await makeTestApp();
    ({ auth, key } = await t.user('pro'));
  });
  afterAll(() => t.close());

  test("every dialect's API path answers a preflight: any origin, the methods, the headers asked for", async () => {
    for (const path of ['/api/v1/links', '/api/v1/shorten', '/api/v1/urls/bulk', '/api/links', '/v1/client/short-links/abc']) {
      const res = await preflight(t, path, 'authorization, content-type, x-client-version');
      expect([path, res.status]).toEqual([path, 204]);
      expect(corsHeaders(res)).toEqual({
        'access-control-allow-origin': '*',
        'access-control-allow-methods': 'GET, POST, PUT, PATCH, DELETE',
        'access-control-allow-headers': 'authorization, content-type, x-client-version',
        'access-control-expose-headers': 'Retry-After, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset, Content-Disposition',
        'access-control-max-age': '86400',
      });
    }
  });

  test('a header list that is not a list of header names is not echoed', async () => {
    const res = await preflight(t, '/api/v1/links', 'x-a, "quoted"');
    expect(res.headers.get('access-control-allow-headers')).toBe('Authorization, Content-Type, Accept, X-API-Key, X-Requested-With');
  });

  test('answers to a request carrying a key are shared, errors included; never with credentials', async () => {
    const answers = [
      await t.request('GET', '/api/v1/links', { headers: { ...auth, origin: ORIGIN } }),
      await t.request('POST', '/api/v1/links', { headers: { ...auth, origin: ORIGIN }, body: { original_url: 'not a url' } }),
      await t.request('GET', '/api/v1/links', { headers: { authorization: 'Bearer wrong', origin: ORIGIN } }),
      await t.request('GET', `/api/v1/links?api_key=${encodeURIComponent(key)}`, { headers: { origin: ORIGIN } }),
      await t.request('GET', '/v1/client/short-links', { headers: { ...auth, origin: ORIGIN } }),
    ];
    expect(answers.map((r) => r.status)).toEqual([200, 422, 401, 200, 200]);
    for (const res of answers) {
      expect(res.headers.get('access-control-allow-origin')).toBe('*');
      expect(res.headers.get('access-control-allow-credentials')).toBeNull();
    }
  });

  test('keyless reads are not shared with other origins; the API description is', async () => {
    const made = await (await t.request('POST', '/api/v1/links', { headers: auth, body: { original_url: 'https://internal.example/wiki', alias: 'wiki' } })).json();
    expect(made.alias).toBe('wiki');
    const expand = await t.request('GET', '/api/v1/expand/wiki', { headers: { origin: ORIGIN } });
    expect(expand.status).toBe(200);
    expect(corsHeaders(expand)).toEqual({});
    // something shaped like a credential that the APIs do not read as a key: still a keyless read, not shared
    for (const [path, headers] of [
      ['/api/v1/expand/wiki?api_key=', {}],
      ['/api/v1/expand/wiki?api_key=%20', {}],
      ['/api/v1/expand/wiki', { authorization: 'Basic Zm9vOmJhcg==' }],
      ['/api/v1/expand/wiki', { 'x-api-key': ' ' }],
    ] as const) {
      const res = await t.request('GET', path, { headers: { origin: ORIGIN, ...headers } });
      expect([path, headers, res.status, corsHeaders(res)]).toEqual([path, headers, 200, {}]);
    }
    const spec = await t.request('GET', '/openapi.json', { headers: { origin: ORIGIN } });
    expect(spec.headers.get('access-control-allow-origin')).toBe('*');
  });

  test('the dashboard, the pages and the redirects get no CORS headers', async () => {
    const link = await (await t.request('POST', '/api/v1/links', { headers: auth, body: { original_url: 'https://example.com/r' } })).json();
    for (const res of [
      await t.request('GET', '/dashboard', { headers: { ...auth, origin: ORIGIN } }),
      await t.request('GET', '/', { headers: { origin: ORIGIN } }),
      await t.request('GET', `/${link.alias ?? new URL(link.short_url).pathname.slice(1)}`, { headers: { origin: ORIGIN } }),
      await preflight(t, '/dashboard/links'),
      await preflight(t, '/login'),
    ]) {
      expect(corsHeaders(res)).toEqual({});
    }
  });
});

test('with the keyless API open (ANONYMOUS_LINKS=true) keyless answers are shared too', async () => {
  const t = await makeTestApp({ env: { ANONYMOUS_LINKS: 'true' } });
  try {
    const res = await t.request('POST', '/api/v1/shorten', { headers: { origin: ORIGIN }, body: { url: 'https://example.com/open' } });
    expect(res.status).toBe(201);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
  } finally {
    await t.close();
  }
});

describe('in Chromium, from a page on another origin', () => {
  let app: ServedApp;
  let browser: Browser;
  let other: ReturnType<typeof Bun.serve>;
  let auth: Record<string, string>;
  beforeAll(async () => {
    app = await serveTestApp();
    ({ auth } = await app.user('pro'));
    await app.request('POST', '/api/v1/links', { headers: auth, body: { original_url: 'https://example.com/private', alias: 'secretish' } });
    // same host, another port: another origin, and no private-network rules in the way
    other = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: () => new Response('<!doctype html><title>other app</title>', { headers: { 'content-type': 'text/html' } }) });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    other?.stop(true);
    await app?.close();
  });

  test('a page holding a key creates and lists links with JSON and a Bearer header (preflighted); keyless reads stay unreadable', async () => {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${other.port}/`);
    const result = await page.evaluate(
      async ({ base, authorization }) => {
        const created = await fetch(`${base}/api/v1/links`, {
          method: 'POST',
          headers: { authorization, 'content-type': 'application/json', accept: 'application/json' },
          body: JSON.stringify({ original_url: 'https://example.com/from-the-browser' }),
        });
        const listed = await fetch(`${base}/api/v1/links`, { headers: { authorization } });
        let keyless: string;
        try {
          keyless = `read ${(await fetch(`${base}/api/v1/expand/secretish`)).status}`;
        } catch (e) {
          keyless = `blocked: ${(e as Error).name}`;
        }
        return { created: created.status, url: (await created.json()).original_url, total: (await listed.json()).total, keyless };
      },
      { base: app.base, authorization: auth.authorization! },
    );
    expect(result).toEqual({ created: 201, url: 'https://example.com/from-the-browser', total: 2, keyless: 'blocked: TypeError' });
    await page.close();
  });
});
