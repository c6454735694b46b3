/**
 * Bodies a JSON route cannot take: too large (the dialect's status for a bad
 * payload, in its own envelope, also from a real server whose socket-level
 * cap sits above every route's limit: it was a bare 413), compressed, in another charset or not UTF-8 at all (a
 * clear 4xx, nothing stored: they used to be stored with U+FFFD in place of
 * the bytes).
 */
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { listen } from '../../src/listen.ts';
import { BASE, makeTestApp, type TestApp } from '../helpers/make-test-app.ts';

let t: TestApp;
let u: Awaited<ReturnType<TestApp['user']>>;
beforeAll(async () => {
  t = await makeTestApp({ env: { ANONYMOUS_LINKS: 'true' } });
  u = await t.user('pro');
});
afterAll(() => t.close());

// each dialect's create route, the field of its URL, the shape of its error body and its status for a bad payload
const ROUTES: [dialect: string, path: string, field: string, envelope: string[], status: number][] = [
  ['Minilnk', '/api/v1/links', 'original_url', ['message'], 400],
  ['LinkShrink', '/api/v1/shorten', 'url', ['error', 'message'], 400],
  ['Linx.ly', '/v1/client/short-links', 'destination_url', ['errors', 'message'], 422],
  ['ShrtLnk', '/api/links', 'original_url', ['message', 'success'], 400],
  ['lnkz', '/api/v1/urls', 'url', ['code', 'message'], 400],
];
const links = () => (t.sqlite.query('SELECT count(*) AS n FROM links').get() as { n: number }).n;
const send = (path: string, body: BodyInit, headers: Record<string, string> = {}) =>
  t.app.handle(new Request(BASE + path, { method: 'POST', headers: { ...u.auth, 'content-type': 'application/json', ...headers }, body }));
const big = (field: string) => JSON.stringify({ [field]: 'https://example.com/', title: 'x'.repeat(1536 * 1024) });

test('a body over the limit is refused in the dialect\'s envelope, whether its length is declared or not', async () => {
  const before = links();
  for (const [dialect, path, field, envelope, status] of ROUTES) {
    const declared = await send(path, big(field));
    const body = (await declared.json()) as Record<string, unknown>;
    expect([dialect, declared.status, Object.keys(body).sort(), JSON.stringify(body)]).toEqual([dialect, status, envelope, expect.stringContaining('too large (at most 1 MB)')]);
    const chunks = new TextEncoder().encode(big(field));
    const streamed = await send(path, new ReadableStream({ start: (c) => (c.enqueue(chunks), c.close()) }));
    expect([dialect, streamed.status]).toEqual([dialect, status]);
  }
  expect(links()).toBe(before);
});

test('compressed bodies, other charsets and bytes that are not UTF-8 are refused with what to send instead; nothing is stored', async () => {
  const before = links();
  for (const [dialect, path, field] of ROUTES) {
    const json = JSON.stringify({ [field]: 'https://example.com/caf\u00e9' });
    const gzip = await send(path, Bun.gzipSync(new TextEncoder().encode(json)), { 'content-encoding': 'gzip' });
    expect([dialect, gzip.status >= 400 && gzip.status < 500, JSON.stringify(await gzip.json())]).toEqual([dialect, true, expect.stringContaining('Content-Encoding: gzip')]);
    const latin1 = new Uint8Array([...new TextEncoder().encode(`{"${field}":"https://example.com/caf`), 0xe9, ...new TextEncoder().encode('"}')]);
    const declared = await send(path, latin1, { 'content-type': 'application/json; charset=iso-8859-1' });
    expect([dialect, declared.status >= 400 && declared.status < 500, JSON.stringify(await declared.json())]).toEqual([dialect, true, expect.stringContaining('must be UTF-8')]);
    const undeclared = await send(path, latin1);
    expect([dialect, undeclared.status >= 400 && undeclared.status < 500, JSON.stringify(await undeclared.json())]).toEqual([dialect, true, expect.stringContaining('not valid UTF-8')]);
  }
  expect(links()).toBe(before);
  // ASCII reads the same in any charset: a form or JSON labelled ISO-8859-1 (Java's HttpClient does) is read
  for (const [type, body] of [
    ['application/x-www-form-urlencoded; charset=ISO-8859-1', 'original_url=https%3A%2F%2Fexample.com%2Flatin-form'],
    ['application/json; charset=windows-1252', JSON.stringify({ original_url: 'https://example.com/latin-json' })],
  ]) {
    const res = await send('/api/v1/links', body!, { 'content-type': type! });
    expect([type, res.status]).toEqual([type, 201]);
  }
  // UTF-8 itself, declared in any spelling, is read as before
  const ok = await send('/api/v1/links', JSON.stringify({ original_url: 'https://example.com/caf\u00e9' }), { 'content-type': 'application/json; Charset="UTF-8"' });
  expect(ok.status).toBe(201);
});

test('a form whose escapes are not UTF-8 (café encoded in ISO-8859-1 as caf%E9) is refused, not stored with U+FFFD', async () => {
  const before = links();
  // LinkShrink and lnkz take JSON alone
  for (const [dialect, path, field] of ROUTES.filter(([d]) => !['LinkShrink', 'lnkz'].includes(d))) {
    const body = `${field}=${encodeURIComponent('https://example.com/')}caf%E9`;
    const declared = await send(path, body, { 'content-type': 'application/x-www-form-urlencoded; charset=ISO-8859-1' });
    expect([dialect, declared.status >= 400 && declared.status < 500, JSON.stringify(await declared.json())]).toEqual([dialect, true, expect.stringContaining('must be UTF-8 (charset=iso-8859-1 was declared)')]);
    const undeclared = await send(path, body, { 'content-type': 'application/x-www-form-urlencoded' });
    expect([dialect, undeclared.status >= 400 && undeclared.status < 500, JSON.stringify(await undeclared.json())]).toEqual([dialect, true, expect.stringContaining('not valid UTF-8')]);
  }
  expect(links()).toBe(before);
  // UTF-8 escapes are read whatever the label says, and a % that escapes nothing stays a literal %
  const res = await send('/api/v1/links', `original_url=${encodeURIComponent('https://example.com/café')}&title=100%25+sure+50%+off`, { 'content-type': 'application/x-www-form-urlencoded; charset=ISO-8859-1' });
  expect(res.status).toBe(201);
  const made = (await res.json()) as { original_url: string; title: string };
  expect([made.original_url, made.title]).toEqual(['https://example.com/café', '100% sure 50% off']);
});

test('JSON with half a character (a lone \\ud800 escape) is refused in each dialect, not stored with U+FFFD; a pair is read', async () => {
  const before = links();
  for (const [dialect, path, field, envelope, status] of ROUTES) {
    for (const body of [`{"${field}":"https://example.com/\\ud800"}`, `{"${field}":"https://example.com/x","title":"a\\udc00b"}`, `{"${field}":"https://example.com/y","\\ud800":1}`]) {
      const res = await send(path, body);
      const answer = (await res.json()) as Record<string, unknown>;
      expect([dialect, body, res.status, Object.keys(answer).sort(), JSON.stringify(answer)]).toEqual([dialect, body, status, envelope, expect.stringContaining('half of a character')]);
    }
  }
  expect(links()).toBe(before);
  const paired = await send('/api/v1/links', `{"original_url":"https://example.com/\\ud83d\\ude00","title":"\\ud83d\\ude00"}`);
  expect(paired.status).toBe(201);
  expect(((await paired.json()) as { title: string }).title).toBe('\u{1F600}');
});

test('a real server refuses an oversized API body in the dialect\'s envelope, not with the socket\'s bare 413', async () => {
  const running = listen(t.services, { port: 0, host: '127.0.0.1', maxBodyBytes: t.config.maxBodyBytes });
  try {
    await running.app;
    const res = await fetch(`http://127.0.0.1:${running.server.port}/api/v1/urls`, { method: 'POST', headers: { ...u.auth, 'content-type': 'application/json' }, body: big('url') });
    expect([res.status, res.headers.get('content-type'), JSON.stringify(await res.json())]).toEqual([400, 'application/json; charset=utf-8', expect.stringContaining('The request body is too large (at most 1 MB).')]);
  } finally {
    await running.server.stop(true);
  }
});
