/**
 * Headers every API answer carries for caches and clients: not to be stored
 * (keys also come as X-API-Key or ?api_key=, which shared caches do not treat
 * as credentials: a cache in front could serve one key's links to another),
 * and a 401 names its scheme. A route that chose its own caching keeps it.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { makeTestApp, type TestApp } from '../helpers/make-test-app.ts';

let t: TestApp;
beforeAll(async () => (t = await makeTestApp({ env: { ANONYMOUS_LINKS: 'true' } })));
afterAll(() => t.close());

test('every dialect\'s keyed reads, writes and errors say no-store; a 401 says how to authenticate', async () => {
  const u = await t.user('pro');
  const made = await (await t.request('POST', '/api/v1/shorten', { headers: u.auth, body: { url: 'https://example.com/cached' } })).json();
  const code = made.data?.code ?? made.code ?? made.data?.short_code;
  expect(code).toMatch(/^[\w-]{3,}$/);
  const reads: [string, Record<string, string>, number][] = [
    ['/api/v1/links', { 'x-api-key': u.key }, 200],
    [`/api/v1/links?api_key=${u.key}`, {}, 200],
    ['/v1/client/short-links', u.auth, 200],
    ['/api/v1/urls', u.auth, 200],
    [`/api/links/${code}?api_key=${u.key}`, {}, 200],
    [`/api/v1/stats/${code}`, u.auth, 200],
    ['/api/v1/links/999999', u.auth, 404],
  ];
  for (const [path, headers, status] of reads) {
    const res = await t.request('GET', path, { headers });
    expect([path, res.status, res.headers.get('cache-control')]).toEqual([path, status, 'no-store']);
  }
  for (const path of ['/api/v1/links', '/v1/client/short-links', '/api/v1/urls']) {
    const res = await t.request('GET', path, { headers: { authorization: 'Bearer not-a-key' } });
    expect([path, res.status, res.headers.get('www-authenticate'), res.headers.get('cache-control')]).toEqual([path, 401, 'Bearer realm="shrinkray"', 'no-store']);
  }
  // a path no API route takes is answered the same way (404, or 405 when other methods take it)
  for (const [path, status] of [['/api/v1/nope', 405], ['/v1/client/nope', 404], ['/api/nope', 404]] as const) {
    const res = await t.request('GET', path, { headers: { 'x-api-key': u.key } });
    expect([path, res.status, res.headers.get('cache-control')]).toEqual([path, status, 'no-store']);
  }
  // LinkShrink's QR image of a public code sets its own caching
  const qr = await t.request('GET', `/api/v1/qr/${code}.png`);
  expect([qr.status, qr.headers.get('cache-control')?.includes('no-store')]).toEqual([200, false]);
});
