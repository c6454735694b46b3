/**
 * CSRF: every state-changing browser route — each POST/PUT/PATCH/DELETE the
 * app has under /dashboard, plus /login, /logout, /shorten and the password
 * unlock POST /{code} — is enumerated from the app's own route table (so a
 * screen added later is covered without editing this file) and sent, with a
 * valid session cookie where one applies, in the ways a forged request
 * arrives: no token, a made-up token, another session's token, a token in the
 * query string, and an htmx-style request without the header. Each must be
 * refused (403, or ShrtLnk's documented 419 for /shorten) and change nothing
 * in the database. A control then sends the same route with its token and
 * shows the refusal was the token's doing (the answer is no longer 403/419).
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { TestApp } from '../helpers/make-test-app.ts';
import { cookieOf, dumpTables, securityApp, send, signIn, type Browser } from './security-kit.ts';

let t: TestApp;
let admin: Browser;
let other: Browser;
const ids: Record<string, string> = {};
let lockedCode = '';
let publicForm = { cookie: '', token: '' };

interface BrowserRoute {
  method: string;
  path: string;
}

/** The browser's state-changing routes, from the live route table. */
function stateChangingRoutes(): BrowserRoute[] {
  const routes = (t.app as unknown as { routes: BrowserRoute[] }).routes;
  const unsafe = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
  const browserFacing = (p: string) => p === '/dashboard' || p.startsWith('/dashboard/') || ['/login', '/logout', '/shorten', '/:code'].includes(p);
  return routes.filter((r) => unsafe.has(r.method) && browserFacing(r.path));
}

/** A concrete URL for a route pattern: the admin's own objects, so a forged request would really bite. */
function urlOf(path: string): string {
  return path
    .replace(/^\/:code$/, `/${lockedCode}`)
    .replace(/\/links\/:id/, `/links/${ids.link}`)
    .replace(/\/users\/:id\/keys\/:key/, `/users/${ids.member}/keys/${ids.memberKey}`)
    .replace(/\/keys\/:id/, `/keys/${ids.key}`)
    .replace(/\/qrcodes\/:id/, `/qrcodes/${ids.qr}`)
    .replace(/\/users\/:id/, `/users/${ids.member}`)
    .replace(/\/plans\/:name/, '/plans/pro')
    .replace(/:\w+/g, '1');
}

/** What a forged form would carry: enough to change something if the token were not checked. */
function fieldsOf(path: string): Record<string, string> {
  const known: Record<string, Record<string, string>> = {
    '/login': { email: 'victim@example.com', password: 'correct horse battery' },
    '/shorten': { original_url: 'https://example.com/forged' },
    '/:code': { password: 'letmein' },
    '/dashboard/account': { current_password: 'correct horse battery', new_password: 'attacker chose this', confirm_password: 'attacker chose this' },
    '/dashboard/links/new': { url: 'https://example.com/forged', title: 'forged' },
    '/dashboard/links/:id/edit': { url: 'https://example.com/forged', title: 'forged' },
    '/dashboard/links/bulk': { action: 'delete', [`select_${ids.link}`]: '1' },
    '/dashboard/links/import': { csv: 'url\nhttps://example.com/forged\n' },
    '/dashboard/keys': { name: 'forged' },
    '/dashboard/qrcodes': { name: 'forged', type: 'url', content: 'https://example.com/forged', error_correction: 'M' },
    '/dashboard/qrcodes/:id': { name: 'forged', type: 'url', content: 'https://example.com/forged', error_correction: 'M' },
    '/dashboard/users': { email: 'forged@example.com', role: 'admin', plan: 'enterprise' },
    '/dashboard/users/:id': { role: 'admin', plan: 'enterprise' },
    '/dashboard/users/:id/reset-password': { revoke_keys: 'true' },
    '/dashboard/users/:id/reactivate': { revoke_keys: 'true' },
    '/dashboard/users/:id/transfer': { to: ids.admin! },
    '/dashboard/plans/:name': { rate_limit: '1', max_links: '0', api_access: 'false' },
  };
  return known[path] ?? {};
}

const isPublicForm = (path: string) => ['/login', '/shorten', '/:code'].includes(path);
const refusal = (path: string) => (path === '/shorten' ? [419] : [403]);

/** The database as it matters here: everything but session bookkeeping that reads may touch. */
function state(): string {
  const tables = dumpTables(t);
  tables.delete('sessions');
  const sessions = t.services.db.sqlite.query('SELECT id_hash, user_id FROM sessions ORDER BY id_hash').all();
  return JSON.stringify([...tables, sessions]);
}

interface Forgery {
  name: string;
  headers: Record<string, string>;
  fields: Record<string, string>;
  query?: string;
}

/** The shapes a cross-site request can take for this route. */
function forgeries(path: string): Forgery[] {
  const fields = fieldsOf(path);
  if (isPublicForm(path)) {
    const tokenField = path === '/login' ? '_csrf' : path === '/shorten' ? '_token' : 'csrf_token';
    return [
      { name: 'no cookie, no token', headers: {}, fields },
      { name: 'the nonce cookie but no token', headers: { cookie: publicForm.cookie }, fields },
      { name: 'a made-up token', headers: { cookie: publicForm.cookie }, fields: { ...fields, [tokenField]: `${Date.now() + 60_000}.${'A'.repeat(43)}` } },
      { name: 'a real token without its cookie', headers: { cookie: 'shrinkray_csrf=' + 'b'.repeat(32) }, fields: { ...fields, [tokenField]: publicForm.token } },
      { name: 'a token in the query string', headers: { cookie: publicForm.cookie }, fields, query: `?${tokenField}=${encodeURIComponent(publicForm.token)}` },
    ];
  }
  return [
    { name: 'no token', headers: { cookie: admin.cookie }, fields },
    { name: 'htmx without the header', headers: { cookie: admin.cookie, 'hx-request': 'true' }, fields },
    { name: 'a made-up token', headers: { cookie: admin.cookie, 'x-csrf-token': 'x'.repeat(admin.csrf.length) }, fields: { ...fields, _csrf: 'y'.repeat(admin.csrf.length) } },
    { name: 'a wrong-length token', headers: { cookie: admin.cookie, 'x-csrf-token': admin.csrf.slice(1) }, fields },
    { name: "another session's token", headers: { cookie: admin.cookie, 'x-csrf-token': other.csrf }, fields: { ...fields, _csrf: other.csrf } },
    { name: 'the token in the query string', headers: { cookie: admin.cookie }, fields, query: `?_csrf=${encodeURIComponent(admin.csrf)}` },
  ];
}

beforeAll(async () => {
  t = await securityApp({ env: { ANONYMOUS_LINKS: 'true' } });
  const a = await t.user('enterprise', 'admin');
  const m = await t.user('pro', 'member');
  admin = await signIn(t, a.email, a.password);
  other = await signIn(t, m.email, m.password);
  const actor = await t.services.users.actorFor(a.user);
  ids.link = String((await t.services.links.create(actor, { destination: 'https://example.com/mine', title: 'mine', metadata: 'none' })).link.id);
  ids.key = String((await t.services.keys.list(a.user.id))[0]!.id);
  ids.qr = String((await t.services.qr.create(actor, { name: 'mine', type: 'text', content: 'hi', errorCorrection: 'M' })).id);
  ids.member = String(m.user.id);
  ids.admin = String(a.user.id);
  // something of the member's for a forged transfer (to the admin) to move
  await t.services.links.create(await t.services.users.actorFor(m.user), { destination: 'https://example.com/theirs', metadata: 'none' });
  ids.memberKey = String((await t.services.keys.list(m.user.id))[0]!.id);
  lockedCode = (await t.services.links.create(actor, { destination: 'https://example.com/locked', password: 'letmein', metadata: 'none' })).link.code;
  const home = await send(t, 'GET', '/', { headers: { accept: 'text/html' } });
  publicForm = { cookie: cookieOf(home), token: /<meta name="csrf-token" content="([^"]+)">/.exec(await home.text())![1]! };
});

afterAll(() => t?.close());

describe('every state-changing browser route refuses a request without its token', () => {
  test('the route table has the routes this test is about', () => {
    const paths = stateChangingRoutes().map((r) => `${r.method} ${r.path}`);
    for (const must of ['POST /login', 'POST /logout', 'POST /shorten', 'POST /:code', 'POST /dashboard/links/new', 'POST /dashboard/keys', 'POST /dashboard/users']) expect(paths).toContain(must);
    expect(paths.length).toBeGreaterThanOrEqual(20);
  });

  test('forged requests are refused and change nothing', async () => {
    const accepted: string[] = [];
    let tried = 0;
    for (const route of stateChangingRoutes()) {
      for (const f of forgeries(route.path)) {
        const before = state();
        const res = await send(t, route.method, urlOf(route.path) + (f.query ?? ''), { ip: admin.ip, headers: { accept: 'text/html', ...f.headers }, form: f.fields });
        tried++;
        const changed = state() !== before;
        if (!refusal(route.path).includes(res.status) || changed) accepted.push(`${route.method} ${route.path} with ${f.name}: ${res.status}${changed ? ', database changed' : ''}`);
      }
    }
    console.log(`csrf: ${stateChangingRoutes().length} state-changing routes, ${tried} forged requests`);
    expect(accepted).toEqual([]);
    expect(tried).toBeGreaterThan(100);
  });

  test('JSON clients of /shorten are held to the same token (419 with the documented body)', async () => {
    const res = await send(t, 'POST', '/shorten', { headers: { cookie: publicForm.cookie, accept: 'application/json' }, json: { original_url: 'https://example.com/forged' } });
    expect(res.status).toBe(419);
    expect(await res.json()).toEqual({ message: 'CSRF token mismatch.' });
  });

  test('control: with its token each route gets past the check (the refusal above was the token’s doing)', async () => {
    const blocked: string[] = [];
    // logout last: it ends the session the others use
    const routes = stateChangingRoutes().sort((x, y) => Number(x.path === '/logout') - Number(y.path === '/logout'));
    for (const route of routes) {
      let res: Response;
      if (isPublicForm(route.path)) {
        const tokenField = route.path === '/login' ? '_csrf' : route.path === '/shorten' ? '_token' : 'csrf_token';
        let token = publicForm.token;
        let cookie = publicForm.cookie;
        if (route.path === '/login') {
          const login = await send(t, 'GET', '/login');
          cookie = cookieOf(login);
          token = /name="_csrf" value="([^"]+)"/.exec(await login.text())![1]!;
        } else if (route.path === '/:code') {
          token = /name="csrf_token" value="([^"]+)"/.exec(await (await send(t, 'GET', `/${lockedCode}`)).text())![1]!;
        }
        res = await send(t, route.method, urlOf(route.path), { headers: { accept: 'text/html', cookie }, form: { [tokenField]: token } });
      } else {
        res = await send(t, route.method, urlOf(route.path), { ip: admin.ip, headers: { accept: 'text/html', cookie: admin.cookie }, form: { _csrf: admin.csrf } });
      }
      if (refusal(route.path).includes(res.status) || res.status >= 500) blocked.push(`${route.method} ${route.path}: ${res.status}`);
    }
    expect(blocked).toEqual([]);
  });
});
