/**
 * A full disk, as SQLite reports it (SQLITE_FULL: `PRAGMA max_page_count`
 * held at the database's size makes every write that needs a page fail as a
 * full disk does): every dialect answers 503 with Retry-After in its own
 * envelope instead of a 500, nothing is half-written, and once there is room
 * again the same request works.
 */
import { afterAll, beforeAll, describe, expect, spyOn, test } from 'bun:test';
import { loginThroughForm } from '../helpers/web-login.ts';
import { makeTestApp, type TestApp } from '../helpers/make-test-app.ts';

let t: TestApp;
let auth: Record<string, string>;
let creds: { email: string; password: string };
// what the server logs at error (stderr): each refusal is logged, as an operator needs to see
const logged: string[] = [];
let stderr: ReturnType<typeof spyOn>;
beforeAll(async () => {
  stderr = spyOn(process.stderr, 'write').mockImplementation(((chunk: string | Uint8Array) => logged.push(String(chunk)) > 0) as typeof process.stderr.write);
  t = await makeTestApp({ env: { ANONYMOUS_LINKS: 'true', TRUST_PROXY: 'true', LOG_LEVEL: 'error' } });
  const u = await t.user('pro');
  auth = u.auth;
  creds = { email: u.email, password: u.password };
});
afterAll(() => {
  stderr.mockRestore();
  return t.close();
});

const liveLinks = () => (t.sqlite.query('SELECT count(*) AS n FROM links').get() as { n: number }).n;
// long destinations fill pages quickly: with the file held at its size, creates go on until a page is needed
const long = (name: string, i: number) => `https://example.com/${name}/${i}/${'x'.repeat(1800)}`;

/**
 * With the file held at its size, creates until the disk is full; the refusal, and how many were
 * created before it. The room comes back before it returns.
 */
async function fillUp(create: (i: number) => Promise<Response>, created: number): Promise<{ refused: Response; made: number }> {
  const { page_count } = t.sqlite.query('PRAGMA page_count').get() as { page_count: number };
  t.sqlite.exec(`PRAGMA max_page_count = ${page_count}`);
  try {
    for (let i = 0; i < 500; i++) {
      const res = await create(i);
      if (res.status !== created) return { refused: res, made: i };
    }
    throw new Error('500 creates and the disk is still not full');
  } finally {
    t.sqlite.exec('PRAGMA max_page_count = 4294967294');
  }
}

const CREATES: { dialect: string; path: string; body: (n: string, i: number) => unknown; status: number; envelope: (message: string) => unknown }[] = [
  { dialect: 'Minilnk', path: '/api/v1/links', body: (n, i) => ({ original_url: long(n, i) }), status: 201, envelope: (message) => ({ message }) },
  { dialect: 'LinkShrink', path: '/api/v1/shorten', body: (n, i) => ({ url: long(n, i) }), status: 201, envelope: (message) => ({ error: 'Service Unavailable', message }) },
  { dialect: 'Linx.ly', path: '/v1/client/short-links', body: (n, i) => ({ destination_url: long(n, i) }), status: 200, envelope: (message) => ({ message }) },
  { dialect: 'ShrtLnk', path: '/api/links', body: (n, i) => ({ original_url: long(n, i) }), status: 201, envelope: (message) => ({ success: false, message }) },
  { dialect: 'lnkz', path: '/api/v1/urls', body: (n, i) => ({ url: long(n, i) }), status: 201, envelope: (message) => ({ code: 'SERVICE_UNAVAILABLE', message }) },
];
const FULL = 'The server cannot save anything right now: its disk is full. Try again later.';

describe('a full disk', () => {
  for (const c of CREATES) {
    test(`${c.dialect}: a create is 503 with Retry-After in the dialect's envelope, and works once there is room`, async () => {
      const before = liveLinks();
      const full = await fillUp((i) => t.request('POST', c.path, { headers: auth, body: c.body(`full-${c.dialect}`, i) }), c.status);
      expect(full.refused.status).toBe(503);
      expect(full.refused.headers.get('retry-after')).toBe('30');
      expect(full.refused.headers.get('x-ratelimit-limit')).toBe('120'); // the key's budget, as on every answer
      expect(await full.refused.json()).toEqual(c.envelope(FULL));
      expect(liveLinks()).toBe(before + full.made); // the refused one left nothing behind
      expect(t.sqlite.query('PRAGMA integrity_check').get()).toEqual({ integrity_check: 'ok' });
      const again = await t.request('POST', c.path, { headers: auth, body: c.body(`full-${c.dialect}`, 999) });
      expect(again.status).toBe(c.status);
      expect(liveLinks()).toBe(before + full.made + 1);
    });
  }

  test("the public form (ShrtLnk's POST /shorten, a page of its own) answers a 503 page with Retry-After", async () => {
    const home = await t.request('GET', '/', { headers: { accept: 'text/html' } });
    const cookie = /^(shrinkray_csrf=[^;]+)/.exec(home.headers.get('set-cookie') ?? '')![1]!;
    const token = /<meta name="csrf-token" content="([^"]+)">/.exec(await home.text())![1]!;
    const create = (i: number) =>
      t.request('POST', '/shorten', { form: { _token: token, original_url: long('form', i) }, headers: { accept: 'text/html', cookie, 'x-forwarded-for': `203.0.113.${i % 250}` } });
    const full = await fillUp(create, 200);
    expect(full.refused.status).toBe(503);
    expect(full.refused.headers.get('retry-after')).toBe('30');
    expect(await full.refused.text()).toContain('<h1>Try again later</h1>');
    expect((await create(999)).status).toBe(200);
  });

  test('the dashboard says so on the page (503), and the form works once there is room', async () => {
    const s = await loginThroughForm(t.app.handle.bind(t.app), creds, '198.51.100.77');
    const create = (i: number) =>
      t.request('POST', '/dashboard/links/new', {
        headers: { cookie: s.cookie, 'x-csrf-token': s.csrf, accept: 'text/html' },
        form: { url: long('dashboard', i), title: 'Full' },
      });
    const full = await fillUp(create, 303);
    expect(full.refused.status).toBe(503);
    expect(full.refused.headers.get('retry-after')).toBe('30');
    expect(await full.refused.text()).toContain(FULL);
    expect(logged.some((l) => l.includes('error storage unavailable') && l.includes('path=/dashboard/links/new') && l.includes('storage=SQLITE_FULL'))).toBe(true);
    expect((await create(999)).status).toBe(303);
  });
});
