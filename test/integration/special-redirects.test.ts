/**
 * ROOT_REDIRECT and NOT_FOUND_REDIRECT (Shlink's "special redirects"): `/`
 * and every short link that names no live link land on the admin's own site
 * when set, and nothing changes when unset. Each case runs the same requests
 * against an app with the settings and one without.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { join } from 'node:path';
import type { Actor } from '../../src/accounts/accounts.types.ts';
import type { CreateLinkInput } from '../../src/links/links.service.ts';
import { listen, type Listening } from '../../src/listen.ts';
import { BROWSER_UA, cleanEnv, ROOT, runProcess } from '../helpers/binary.ts';
import { BASE, makeTestApp, type TestApp } from '../helpers/make-test-app.ts';
import { loginThroughForm } from '../helpers/web-login.ts';

const GONE = 'https://example.com/gone';
const HOME = 'https://example.com/home';

let clock = Date.now();
/** with both settings (anonymous links off) */
let on: TestApp;
/** the defaults */
let off: TestApp;
let onActor: Actor;
let offActor: Actor;

beforeAll(async () => {
  on = await makeTestApp({ env: { NOT_FOUND_REDIRECT: GONE, ROOT_REDIRECT: HOME }, now: () => clock });
  off = await makeTestApp({ now: () => clock });
  onActor = await on.services.users.actorFor((await on.user('pro')).user);
  offActor = await off.services.users.actorFor((await off.user('pro')).user);
});
afterAll(async () => {
  await on.close();
  await off.close();
});

const send = (t: TestApp, path: string, init: { method?: string; form?: Record<string, string> } = {}) =>
  t.app.handle(
    new Request(BASE + path, {
      method: init.method ?? 'GET',
      headers: { 'user-agent': BROWSER_UA, ...(init.form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      body: init.form ? new URLSearchParams(init.form).toString() : undefined,
    }),
  );

/** The same link in both apps, each then put in `state`. */
async function bothWith(state: 'live' | 'deleted' | 'expired' | 'paused', input: CreateLinkInput = { destination: 'https://example.com/dest' }) {
  const codes: string[] = [];
  for (const [t, actor] of [[on, onActor], [off, offActor]] as const) {
    const { link } = await t.services.links.create(actor, { title: 'A link', ...input, ...(state === 'expired' ? { expiresAt: clock + 1000 } : {}) });
    // visited once while live, so that the redirect cache holds it and must still refuse it afterwards
    expect((await send(t, `/${link.code}`)).status).not.toBe(404);
    if (state === 'deleted') await t.services.links.remove(actor, link.id);
    if (state === 'paused') await t.services.links.update(actor, link, { isActive: false });
    codes.push(link.code);
  }
  if (state === 'expired') clock += 2000;
  return codes as [string, string];
}

async function expectRedirectedAway(res: Response, status = 302) {
  expect([res.status, res.headers.get('location')]).toEqual([status, GONE]);
  expect(res.headers.get('cache-control')).toContain('no-store');
  expect(await res.text()).toBe('');
}

async function expectNotFoundPage(res: Response) {
  expect([res.status, res.headers.get('location')]).toEqual([404, null]);
  expect(await res.text()).toContain('<h1>');
}

const notFoundCount = (t: TestApp) => Number(/shrinkray_redirects_total\{kind="not_found"\} (\d+)/.exec(t.services.metrics.render())?.[1] ?? 0);

describe('NOT_FOUND_REDIRECT', () => {
  test.each(['deleted', 'expired', 'paused'] as const)('%s links on /:code, /s/:code and /preview/:code: 302 there when set, the 404 page when not', async (state) => {
    const [onCode, offCode] = await bothWith(state);
    for (const prefix of ['/', '/s/', '/preview/']) {
      await expectRedirectedAway(await send(on, prefix + onCode));
      await expectNotFoundPage(await send(off, prefix + offCode));
    }
  });

  test('unknown, reserved and malformed codes are answered alike, so nothing tells which codes exist', async () => {
    for (const path of ['/nope1234', '/s/nope1234', '/preview/nope1234', '/Dashboard', '/METRICS', '/ab', '/%E2%9C', '/a.b', `/${'x'.repeat(33)}`, '/s/%E2%9C']) {
      await expectRedirectedAway(await send(on, path));
      await expectNotFoundPage(await send(off, path));
    }
  });

  test('HEAD answers the same 302 without a body', async () => {
    const [onCode, offCode] = await bothWith('paused');
    for (const path of [`/${onCode}`, `/s/${onCode}`, '/nope1234']) await expectRedirectedAway(await send(on, path, { method: 'HEAD' }));
    expect((await send(off, `/${offCode}`, { method: 'HEAD' })).status).toBe(404);
  });

  test('POST /:code (the password form) of a code that names no live link: 303 there, so the browser follows with a GET', async () => {
    const [onCode, offCode] = await bothWith('paused', { destination: 'https://example.com/secret', password: 's3cret-pass' });
    for (const path of ['/nope1234', `/${onCode}`, '/%E2%9C']) await expectRedirectedAway(await send(on, path, { method: 'POST', form: { csrf_token: 'x', password: 's3cret-pass' } }), 303);
    await expectNotFoundPage(await send(off, `/${offCode}`, { method: 'POST', form: { csrf_token: 'x', password: 's3cret-pass' } }));
  });

  test('only codes that name no live link: direct, password and preview links answer as before', async () => {
    await expectRedirectedAway(await send(on, '/nope1234'));
    const [direct] = await bothWith('live');
    const visit = await send(on, `/${direct}`);
    expect([visit.status, visit.headers.get('location')]).toEqual([302, 'https://example.com/dest']);
    const [secret] = await bothWith('live', { destination: 'https://example.com/secret', password: 's3cret-pass' });
    expect((await send(on, `/${secret}`)).status).toBe(200);
    expect((await send(on, `/preview/${direct}`)).status).toBe(200);
  });

  test('each redirect away is still counted as shrinkray_redirects_total{kind="not_found"}', async () => {
    const [paused] = await bothWith('paused');
    const before = notFoundCount(on);
    await expectRedirectedAway(await send(on, '/nope1234'));
    await expectRedirectedAway(await send(on, `/s/${paused}`));
    await expectRedirectedAway(await send(on, '/preview/nope1234'));
    await expectRedirectedAway(await send(on, '/nope1234', { method: 'POST', form: {} }), 303);
    expect(notFoundCount(on) - before).toBe(4);
  });

  test('a short-link path only: the APIs, the dashboard, the docs and the assets keep their own 404s', async () => {
    await expectRedirectedAway(await send(on, '/s/nope1234'));
    const { auth } = await on.user('pro');
    const api = await on.app.handle(new Request(`${BASE}/api/v1/links/999999`, { headers: { accept: 'application/json', ...auth } }));
    expect([api.status, api.headers.get('content-type')]).toEqual([404, 'application/json; charset=utf-8']);
    for (const path of ['/api/v1/expand/nope1234', '/api/nope', '/docs/nope', '/public/nope.css', '/a/b/c']) {
      const res = await send(on, path);
      expect([path, res.status, res.headers.get('location')]).toEqual([path, 404, null]);
    }
    // a dashboard address is the dashboard's: signed out, it asks to sign in (its own 404 follows)
    const dashboard = await send(on, '/dashboard/links/999999');
    expect([dashboard.status, dashboard.headers.get('location')]).toEqual([303, '/login?next=%2Fdashboard%2Flinks%2F999999']);
  });

  test('with anonymous links on too (the 404 page would offer the home page), the redirect still wins', async () => {
    const open = await makeTestApp({ env: { NOT_FOUND_REDIRECT: GONE, ANONYMOUS_LINKS: 'true' } });
    try {
      await expectRedirectedAway(await send(open, '/nope1234'));
    } finally {
      await open.close();
    }
  });

  test("on a real socket: the fast path's miss and the server started before its app (listen.ts) redirect there too", async () => {
    const { link } = await on.services.links.create(onActor, { destination: 'https://example.com/socket' });
    let running: Listening | undefined;
    try {
      // port 0: the system picks a free one, as the other socket tests do
      running = listen(on.services, { port: 0, host: '127.0.0.1', maxBodyBytes: 1024 * 1024 });
      const base = `http://127.0.0.1:${running.server.port}`;
      const get = (path: string) => fetch(base + path, { redirect: 'manual', headers: { 'user-agent': BROWSER_UA } });
      // sent at once, perhaps before the app is built: a code the fast path declines waits for the app
      await expectRedirectedAway(await get('/no-such-code'));
      await running.app;
      await expectRedirectedAway(await get('/no-such-code'));
      await expectRedirectedAway(await get('/s/no-such-code'));
      for (let i = 0; i < 2; i++) expect([(await get(`/${link.code}`)).status, (await get(`/${link.code}`)).headers.get('location')]).toEqual([302, 'https://example.com/socket']);
      await on.services.links.update(onActor, link, { isActive: false });
      await expectRedirectedAway(await get(`/${link.code}`));
    } finally {
      await running?.server.stop(true);
      await running?.app.catch(() => undefined);
    }
  });
});

describe('ROOT_REDIRECT', () => {
  test('GET and HEAD / answer 302 there, no-store, when anonymous links are off; unset, / still goes to the dashboard', async () => {
    for (const method of ['GET', 'HEAD']) {
      const res = await send(on, '/', { method });
      expect([res.status, res.headers.get('location')]).toEqual([302, HOME]);
      expect(res.headers.get('cache-control')).toContain('no-store');
      const unset = await send(off, '/', { method });
      expect([unset.status, unset.headers.get('location')]).toEqual([302, '/dashboard']);
    }
    // the dashboard is where it was
    const dashboard = await send(on, '/dashboard');
    expect([dashboard.status, dashboard.headers.get('location')]).toEqual([303, '/login?next=%2Fdashboard']);
  });

  test('with anonymous links on, / is the public shorten form whatever ROOT_REDIRECT says', async () => {
    const open = await makeTestApp({ env: { ROOT_REDIRECT: HOME, ANONYMOUS_LINKS: 'true' } });
    try {
      const res = await send(open, '/');
      expect([res.status, res.headers.get('location')]).toEqual([200, null]);
      expect(await res.text()).toContain('action="/shorten"');
      // and the settings page says why it does nothing
      const admin = await open.user('enterprise', 'admin');
      const { cookie } = await loginThroughForm((r) => open.app.handle(r), admin, '203.0.113.7');
      const settings = await (await open.app.handle(new Request(`${BASE}/dashboard/settings`, { headers: { cookie } }))).text();
      expect(settings).toContain(`<code>${HOME} (not used: anonymous links make / the public shorten form)</code>`);
    } finally {
      await open.close();
    }
  });
});

describe('where the settings show', () => {
  test('the settings page lists both values, and what happens when they are unset', async () => {
    const page = async (t: TestApp) => {
      const admin = await t.user('enterprise', 'admin');
      const { cookie } = await loginThroughForm((r) => t.app.handle(r), admin, '203.0.113.8');
      return (await t.app.handle(new Request(`${BASE}/dashboard/settings`, { headers: { cookie } }))).text();
    };
    const set = await page(on);
    expect(set).toMatch(new RegExp(`Root redirect[^<]*</th><td data-label="Current value"><code>${HOME}</code></td><td data-label="Environment variable"><code>ROOT_REDIRECT</code></td><td data-label="Flag"><code>--root-redirect</code>`));
    expect(set).toMatch(new RegExp(`Not-found redirect[^<]*</th><td data-label="Current value"><code>${GONE}</code></td><td data-label="Environment variable"><code>NOT_FOUND_REDIRECT</code></td><td data-label="Flag"><code>--not-found-redirect</code>`));
    const unset = await page(off);
    expect(unset).toMatch(/Root redirect[^<]*<\/th><td data-label="Current value"><code>not set: \/ opens the dashboard<\/code>/);
    expect(unset).toMatch(/Not-found redirect[^<]*<\/th><td data-label="Current value"><code>not set: the 404 page<\/code>/);
  });

  test('/openapi.json describes the 302 on every short-link route, and the 303 of POST /:code', async () => {
    const spec = await (await on.app.handle(new Request(`${BASE}/openapi.json`))).json();
    for (const [path, method, status] of [['/{code}', 'get', '302'], ['/s/{code}', 'get', '302'], ['/preview/{code}', 'get', '302'], ['/{code}', 'post', '303']] as const) {
      expect(spec.paths[path][method].responses[status].description).toContain('NOT_FOUND_REDIRECT');
    }
    expect(spec.paths['/'].get.description).toContain('ROOT_REDIRECT');
  });

  test('a bad value stops the server at start with exit 2 and a message naming it', async () => {
    for (const [args, env, name] of [
      [['serve', '--port', '0'], { NOT_FOUND_REDIRECT: 'javascript:alert(1)' }, 'NOT_FOUND_REDIRECT'],
      [['serve', '--port', '0', '--root-redirect', '/home'], {}, 'ROOT_REDIRECT'],
    ] as const) {
      const r = await runProcess([process.execPath, join(ROOT, 'src/main.ts'), ...args], { cwd: on.dir, env: cleanEnv({ DATA_DIR: join(on.dir, 'never'), LOG_LEVEL: 'silent', ...env }) });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`error: ${name} must be an absolute http(s) URL`);
    }
  });
});
