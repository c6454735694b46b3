/**
 * Signing in and out and the account screen, through the real app: the
 * login form's CSRF cookie and token, the session cookie, `next`, the
 * sign-in limits, logout, and the password change that ends
 * the user's other sessions. TRUST_PROXY is on so each test picks its client
 * address with X-Forwarded-For.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { safeNext } from '../../src/web/auth.routes.ts';
import { untilBcryptRuns } from '../helpers/bcrypt.ts';
import { BASE, makeTestApp, type TestApp } from '../helpers/make-test-app.ts';

let t: TestApp;
let ipSeq = 0;
const freshIp = () => `198.51.100.${++ipSeq}`;

beforeAll(async () => {
  t = await makeTestApp({ env: { TRUST_PROXY: 'true' } });
});
afterAll(() => t.close());

const send = (app: TestApp, method: string, path: string, headers: Record<string, string> = {}, form?: Record<string, string>) =>
  app.app.handle(
    new Request(BASE + path, {
      method,
      headers: { accept: 'text/html', ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}), ...headers },
      body: form ? new URLSearchParams(form) : undefined,
    }),
  );

/** What a browser holds after GET /login: the nonce cookie and the form's token. */
async function loginForm(app: TestApp = t, ip = freshIp()) {
  const res = await send(app, 'GET', '/login', { 'x-forwarded-for': ip });
  const body = await res.text();
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
  const token = /name="_csrf" value="([^"]+)"/.exec(body)?.[1] ?? '';
  return { res, body, cookie, token, ip };
}

async function login(email: string, password: string, o: { app?: TestApp; ip?: string; next?: string } = {}) {
  const f = await loginForm(o.app ?? t, o.ip ?? freshIp());
  const res = await send(o.app ?? t, 'POST', '/login', { cookie: f.cookie, 'x-forwarded-for': f.ip }, { email, password, _csrf: f.token, ...(o.next ? { next: o.next } : {}) });
  const session = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
  return { res, session };
}

/** A signed-in browser: its cookie and the page's CSRF token. */
async function session(email: string, password: string) {
  const { session: cookie } = await login(email, password);
  const page = await send(t, 'GET', '/dashboard/account', { cookie });
  const csrf = /<meta name="csrf-token" content="([^"]+)">/.exec(await page.text())![1]!;
  return { cookie, csrf };
}

describe('GET /login', () => {
  test('the form with a CSRF cookie and token, security headers and no script', async () => {
    const { res, body, cookie, token } = await loginForm();
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('cache-control')).toBe('private, no-store');
    expect(cookie).toMatch(/^shrinkray_csrf=/);
    expect(token).toMatch(/^\d+\.[\w-]+$/);
    expect(body).toContain('<label for="email">Email</label>');
    expect(body).toContain('<label for="password">Password</label>');
    expect(body).not.toContain('<script');
  });

  test('keeps a safe next; signed-in visitors go straight on', async () => {
    const body = await (await send(t, 'GET', '/login?next=%2Fdashboard%2Fkeys')).text();
    expect(body).toContain('name="next" value="/dashboard/keys"');
    const u = await t.user();
    const { session: cookie } = await login(u.email, u.password);
    const again = await send(t, 'GET', '/login?next=/dashboard/keys', { cookie });
    expect(again.status).toBe(303);
    expect(again.headers.get('location')).toBe('/dashboard/keys');
  });

  test('safeNext accepts only /dashboard paths on this site', () => {
    expect(safeNext('/dashboard/keys?x=1')).toBe('/dashboard/keys?x=1');
    expect(safeNext('/dashboard')).toBe('/dashboard');
    for (const bad of ['//evil.example/dashboard', 'https://evil.example/dashboard', '/\\evil.example', '/dashboard/../login', '/dashboardx', '/api/v1/links', 'javascript:alert(1)', 42]) {
      expect(safeNext(bad)).toBe('/dashboard');
    }
  });
});

describe('POST /login', () => {
  test('right credentials: 303 to next with an HttpOnly SameSite=Lax session cookie', async () => {
    const u = await t.user();
    const { res } = await login(u.email.toUpperCase(), u.password, { next: '/dashboard/keys' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/dashboard/keys');
    const [session, device] = res.headers.getSetCookie();
    expect(session).toMatch(/^shrinkray_session=[\w-]+; Path=\/; HttpOnly; SameSite=Lax; Max-Age=604800$/);
    // and this browser is now a known one for the account (sign-in throttling, trusted-device.ts): only /login reads it
    expect(device).toMatch(/^shrinkray_device=[0-9a-f]{32}\.\d+\.[\w-]{43}; Path=\/login; HttpOnly; SameSite=Strict; Max-Age=31536000$/);
    const hostile = await login(u.email, u.password, { next: '//evil.example/dashboard' });
    expect(hostile.res.headers.get('location')).toBe('/dashboard');
  });

  test('wrong password or unknown email: 401, one message, the email kept and escaped', async () => {
    const u = await t.user();
    for (const [email, password] of [[u.email, 'wrong password'], ['"><img src=x onerror=alert(1)>@x.io', 'whatever1']] as const) {
      const { res, session: cookie } = await login(email, password);
      const body = await res.text();
      expect(res.status).toBe(401);
      expect(cookie).toBe('');
      expect(body).toContain('Invalid email or password.');
      expect(body).not.toContain('<img src=x');
      // the email is kept, so the password field takes the focus
      expect(body).toMatch(/<input id="password" [^>]*autofocus/);
      expect(body).not.toMatch(/<input id="email" [^>]*autofocus/);
    }
    expect((await loginForm()).body).toMatch(/<input id="email" [^>]*autofocus/);
  });

  test('without the CSRF token or with another browser’s: 403 and a fresh form', async () => {
    const u = await t.user();
    const a = await loginForm();
    const b = await loginForm();
    const none = await send(t, 'POST', '/login', { cookie: a.cookie }, { email: u.email, password: u.password });
    expect(none.status).toBe(403);
    expect(none.headers.get('set-cookie') ?? '').not.toContain('shrinkray_session');
    const crossed = await send(t, 'POST', '/login', { cookie: a.cookie }, { email: u.email, password: u.password, _csrf: b.token });
    expect(crossed.status).toBe(403);
    expect(await crossed.text()).toContain('name="_csrf"');
  });

  test('5 wrong passwords a minute per email from one address, then 429 with Retry-After (even with the right password)', async () => {
    const u = await t.user();
    const ip = freshIp();
    for (let i = 0; i < 5; i++) expect((await login(u.email, 'nope-nope', { ip })).res.status).toBe(401);
    const { res } = await login(u.email, u.password, { ip });
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await res.text()).toContain('Too many sign-in attempts');
  });

  test('wrong passwords from one address do not keep the account out elsewhere: the right one from another address signs in', async () => {
    const u = await t.user();
    const attacker = freshIp();
    for (let i = 0; i < 6; i++) await login(u.email, 'nope-nope', { ip: attacker });
    expect((await login(u.email, u.password, { ip: attacker })).res.status).toBe(429);
    const { res } = await login(u.email, u.password);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/dashboard');
  });

  test("the budget is the account's, however its email is written (case, spaces, a combining accent)", async () => {
    const email = 'rene\u0301@example.com';
    await t.services.users.create({ email, password: 'correct horse battery' });
    const ip = freshIp();
    for (const typed of ['ren\u00e9@example.com', 'REN\u00c9@EXAMPLE.COM', ' rene\u0301@example.com', 'Rene\u0301@example.com', 'ren\u00e9@Example.com']) {
      expect((await login(typed, 'nope-nope', { ip })).res.status).toBe(401);
    }
    expect((await login('ren\u00e9@example.com', 'correct horse battery', { ip })).res.status).toBe(429);
  });

  test('10 wrong passwords a minute per IP across emails', async () => {
    const ip = freshIp();
    for (let i = 0; i < 10; i++) expect((await login(`nobody${i}@example.com`, 'nope-nope', { ip })).res.status).toBe(401);
    const { res } = await login('nobody-else@example.com', 'nope-nope', { ip });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
  });

  test('the cookie is Secure when BASE_URL is https', async () => {
    const secure = await makeTestApp({ env: { BASE_URL: 'https://sho.rt' } });
    try {
      const u = await secure.user();
      const { res } = await login(u.email, u.password, { app: secure });
      for (const cookie of res.headers.getSetCookie()) expect(cookie).toContain('; Secure');
    } finally {
      await secure.close();
    }
  });
});

describe('the dashboard needs a session', () => {
  test('a page sends the browser to /login with next; htmx gets 401 + HX-Redirect', async () => {
    const page = await send(t, 'GET', '/dashboard/keys?x=1');
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toBe('/login?next=%2Fdashboard%2Fkeys%3Fx%3D1');
    const hx = await send(t, 'GET', '/dashboard', { 'hx-request': 'true' });
    expect(hx.status).toBe(401);
    expect(hx.headers.get('hx-redirect')).toBe('/login?next=%2Fdashboard');
  });

  test('a post sent after the session ended returns, once signed in, to the page it came from (a GET of its URL is 404)', async () => {
    const hx = await send(t, 'POST', '/dashboard/links/7/toggle', { 'hx-request': 'true', 'hx-current-url': `${BASE}/dashboard?q=sale&page=2` });
    expect(hx.headers.get('hx-redirect')).toBe(`/login?next=${encodeURIComponent('/dashboard?q=sale&page=2')}`);
    const plain = await send(t, 'POST', '/dashboard/users/2', { referer: `${BASE}/dashboard/users` });
    expect(plain.headers.get('location')).toBe(`/login?next=${encodeURIComponent('/dashboard/users')}`);
    // another site's page, or none: the dashboard
    for (const headers of [{ referer: 'https://evil.example/dashboard/keys' }, {}] as Record<string, string>[]) {
      expect((await send(t, 'POST', '/dashboard/keys', headers)).headers.get('location')).toBe('/login?next=%2Fdashboard');
    }
  });
});

describe('returning to work after the session ended or changed', () => {
  test('a link form sent after the session ended returns to that form (it posts to its own address); other such addresses have no page', async () => {
    for (const path of ['/dashboard/links/new', '/dashboard/links/12/edit']) {
      const res = await send(t, 'POST', path, { referer: `${BASE}${path}` });
      expect([path, res.headers.get('location')]).toEqual([path, `/login?next=${encodeURIComponent(path)}`]);
    }
    const qr = await send(t, 'POST', '/dashboard/qrcodes/3', { referer: `${BASE}/dashboard/qrcodes/3` });
    expect(qr.headers.get('location')).toBe('/login?next=%2Fdashboard');
  });

  test('a form from before a sign-out and back in says it expired; an unknown dashboard address is a 404 in the dashboard', async () => {
    const u = await t.user();
    const s = await session(u.email, u.password);
    const stale = await send(t, 'POST', '/dashboard/links/new', { cookie: s.cookie }, { _csrf: 'from-an-older-session', url: 'https://example.com/' });
    const page = await stale.text();
    expect(stale.status).toBe(403);
    expect(page).toContain('<title>Error: Form expired');
    expect(page).toContain('<h1>Form expired</h1>');
    const nope = await send(t, 'GET', '/dashboard/nope/deeper', { cookie: s.cookie });
    const body = await nope.text();
    expect(nope.status).toBe(404);
    expect(body).toContain('There is no dashboard page at this address.');
    expect(body).toContain('<nav aria-label="Main">');
    expect(body).toContain('<title>Error: Not found');
    expect((await send(t, 'GET', '/dashboard/nope')).headers.get('location')).toBe('/login?next=%2Fdashboard%2Fnope');
  });
});

describe('POST /logout', () => {
  test('refused without the CSRF token; with it the session ends and the cookie is cleared', async () => {
    const u = await t.user();
    const s = await session(u.email, u.password);
    expect((await send(t, 'POST', '/logout', { cookie: s.cookie }, {})).status).toBe(403);
    const out = await send(t, 'POST', '/logout', { cookie: s.cookie }, { _csrf: s.csrf });
    expect(out.status).toBe(303);
    expect(out.headers.get('location')).toBe('/login?signed_out=1');
    expect(out.headers.get('set-cookie')).toContain('shrinkray_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0');
    expect((await send(t, 'GET', '/dashboard', { cookie: s.cookie })).status).toBe(303);
    expect(await (await send(t, 'GET', '/login?signed_out=1')).text()).toContain('<p class="notice" role="status">You have been signed out.</p>');
    expect(await (await send(t, 'GET', '/login')).text()).not.toContain('signed out');
  });
});

describe('/dashboard/account', () => {
  test("the plan's links line says how many of the limit are used, counting as the limit does (expired links until deleted)", async () => {
    const app = await makeTestApp({ env: { TRUST_PROXY: 'true' } });
    try {
      await app.services.plans.update('free', { maxLinks: 3 });
      const carol = await app.user('pro');
      const actor = await app.services.users.actorFor(carol.user);
      const made = [];
      for (let i = 0; i < 8; i++) made.push((await app.services.links.create(actor, { destination: `https://example.com/${i}`, metadata: 'none' })).link);
      await app.services.links.remove(actor, made[0]!.id);
      app.sqlite.query('UPDATE links SET expires_at = ? WHERE id IN (?, ?)').run(Date.now() - 60_000, made[1]!.id, made[2]!.id);
      const { session: cookie } = await login(carol.email, carol.password, { app });
      const linksLine = async () => /<dt>Links<\/dt><dd>([^<]*)<\/dd>/.exec(await (await send(app, 'GET', '/dashboard/account', { cookie })).text())?.[1];

      expect(await linksLine()).toBe('7 of 10,000. 2 of these have expired and still count until deleted.');
      await app.services.users.update(carol.user.id, { plan: 'free' });
      expect(await linksLine()).toBe('7 of 3: over the limit, so new links are refused until you delete some. 2 of these have expired and still count until deleted.');
      for (const link of made.slice(1, 5)) await app.services.links.remove(actor, link.id);
      expect(await linksLine()).toBe('3 of 3: new links are refused until you delete some.');
      await app.services.users.update(carol.user.id, { plan: 'enterprise' });
      expect(await linksLine()).toBe('3 links, no limit');
    } finally {
      await app.close();
    }
  });

  test('a generated password opens nothing but this screen until it is changed; changing it ends the other sessions only', async () => {
    const email = 'first-admin@example.com';
    await t.services.users.create({ email, password: 'printed-password-1', role: 'admin', plan: 'enterprise', mustChangePassword: true });
    const here = await session(email, 'printed-password-1');
    const elsewhere = await session(email, 'printed-password-1');
    const accountPage = await (await send(t, 'GET', '/dashboard/account', { cookie: here.cookie })).text();
    expect(accountPage).toContain('<div class="notice" role="status">You are using a generated password. Choose your own to go on.</div>');
    expect(accountPage).not.toContain('<nav aria-label="Main">'); // nothing it would lead to opens yet
    // every other page, read or write, plain or htmx, sends the browser here and does nothing
    for (const path of ['/dashboard', '/dashboard/keys', '/dashboard/users', '/dashboard/links/new']) {
      const res = await send(t, 'GET', path, { cookie: here.cookie });
      expect([path, res.status, res.headers.get('location')]).toEqual([path, 303, '/dashboard/account']);
    }
    // the QR downloads under /dashboard answer to a session too: not to this one (401, as without any)
    expect((await send(t, 'GET', '/dashboard/qrcodes/1/download/png', { cookie: here.cookie })).status).toBe(401);
    const htmx = await send(t, 'GET', '/dashboard/keys', { cookie: here.cookie, 'hx-request': 'true' });
    expect([htmx.status, htmx.headers.get('hx-redirect')]).toEqual([403, '/dashboard/account']);
    const create = await send(t, 'POST', '/dashboard/links/new', { cookie: here.cookie }, { _csrf: here.csrf, url: 'https://example.com/not-yet' });
    expect([create.status, create.headers.get('location')]).toEqual([303, '/dashboard/account']);
    const admin = await t.services.users.actorFor(await t.services.users.getByEmail(email));
    expect((await t.services.links.list(admin, { page: 1, perPage: 10 })).total).toBe(0);

    const post = (form: Record<string, string>) => send(t, 'POST', '/dashboard/account', { cookie: here.cookie }, { _csrf: here.csrf, ...form });
    const wrong = await post({ current_password: 'nope', new_password: 'new-password-1', confirm_password: 'new-password-1' });
    expect(wrong.status).toBe(422);
    expect(await wrong.text()).toContain('<p class="field-error" id="current_password-error">The current password is incorrect.</p>');
    const mismatch = await post({ current_password: 'printed-password-1', new_password: 'new-password-1', confirm_password: 'new-password-2' });
    expect(mismatch.status).toBe(422);
    expect(await mismatch.text()).toContain('id="confirm_password-error"');
    const short = await post({ current_password: 'printed-password-1', new_password: 'short', confirm_password: 'short' });
    expect(short.status).toBe(422);
    expect(await short.text()).toContain('The password must be 8 to 128 characters.');
    // the generated password again: still the one someone else issued, so the notice must stay
    const same = await post({ current_password: 'printed-password-1', new_password: 'printed-password-1', confirm_password: 'printed-password-1' });
    expect(same.status).toBe(422);
    expect(await same.text()).toContain('The new password must be different from the current one.');

    const ok = await post({ current_password: 'printed-password-1', new_password: 'new-password-1', confirm_password: 'new-password-1' });
    expect(ok.status).toBe(303);
    expect(ok.headers.get('location')).toBe('/dashboard/account?changed=1');
    const after = await send(t, 'GET', '/dashboard/account?changed=1', { cookie: here.cookie });
    const body = await after.text();
    expect(after.status).toBe(200);
    expect(body).toContain('Your password was changed.');
    expect(body).not.toContain('You are using a generated password');
    const open = await send(t, 'GET', '/dashboard', { cookie: here.cookie });
    expect(open.status).toBe(200);
    expect(await open.text()).toContain('<nav aria-label="Main">');
    expect((await send(t, 'GET', '/dashboard', { cookie: elsewhere.cookie })).headers.get('location')).toStartWith('/login');
    expect((await login(email, 'new-password-1')).res.status).toBe(303);
    expect((await login(email, 'printed-password-1')).res.status).toBe(401);
  });

  test('a password change wrong in every field says so beside each in one answer, and changes nothing', async () => {
    const u = await t.user();
    const s = await session(u.email, u.password);
    const res = await send(t, 'POST', '/dashboard/account', { cookie: s.cookie }, { _csrf: s.csrf, current_password: 'nope', new_password: 'short', confirm_password: 'shorter' });
    expect(res.status).toBe(422);
    const page = await res.text();
    expect(page).toContain('<p class="field-error" id="current_password-error">The current password is incorrect.</p>');
    expect(page).toContain('<p class="field-error" id="new_password-error">The password must be 8 to 128 characters.</p>');
    expect(page).toContain('<p class="field-error" id="confirm_password-error">The two new passwords are not the same.</p>');
    // only the confirmation differs: still refused, nothing written
    const mismatch = await send(t, 'POST', '/dashboard/account', { cookie: s.cookie }, { _csrf: s.csrf, current_password: u.password, new_password: 'new-password-9', confirm_password: 'new-password-8' });
    expect(mismatch.status).toBe(422);
    expect((await login(u.email, u.password)).res.status).toBe(303);
  });

  test('a password change without the CSRF token is refused', async () => {
    const u = await t.user();
    const s = await session(u.email, u.password);
    const res = await send(t, 'POST', '/dashboard/account', { cookie: s.cookie }, { current_password: u.password, new_password: 'x-new-password', confirm_password: 'x-new-password' });
    expect(res.status).toBe(403);
    expect((await login(u.email, u.password)).res.status).toBe(303);
  });
});

describe("an admin's reset landing while a password is being checked", () => {
  // the reset's hash runs first; the sign-in's or change's check, queued behind it on the bcrypt
  // thread, verifies the old password against the hash it read before the reset was written
  async function resetBy() {
    const admin = await t.services.users.actorFor((await t.user('pro', 'admin')).user);
    return (victim: number) => t.services.userAdmin.resetPassword(admin, victim);
  }

  test('a sign-in with the old password opens no session', async () => {
    const reset = await resetBy();
    const victim = await t.user();
    const resetting = reset(victim.user.id);
    await untilBcryptRuns();
    const signing = login(victim.email, victim.password);
    const { password } = await resetting;
    const { res, session: cookie } = await signing;
    expect(res.status).toBe(401);
    expect(cookie).not.toStartWith('shrinkray_session=');
    expect(t.sqlite.query('SELECT count(*) AS n FROM sessions WHERE user_id = ?').get(victim.user.id)).toEqual({ n: 0 });
    expect((await login(victim.email, password)).res.status).toBe(303);
  });

  test('a session the reset ended cannot choose the password after it', async () => {
    const reset = await resetBy();
    const victim = await t.user();
    const held = await session(victim.email, victim.password);
    const resetting = reset(victim.user.id);
    await untilBcryptRuns();
    const changing = send(t, 'POST', '/dashboard/account', { cookie: held.cookie }, { _csrf: held.csrf, current_password: victim.password, new_password: 'chosen-by-intruder', confirm_password: 'chosen-by-intruder' });
    const { password } = await resetting;
    const res = await changing;
    expect(res.status).toBe(401);
    expect(await res.text()).toContain('Your session ended meanwhile (signed out, password reset or account deactivated). Sign in again.');
    expect((await login(victim.email, 'chosen-by-intruder')).res.status).toBe(401);
    expect((await login(victim.email, password)).res.status).toBe(303);
  });
});

test('a session signed out while its password change is checked changes nothing', async () => {
  const victim = await t.user();
  const held = await session(victim.email, victim.password);
  const other = await session(victim.email, victim.password);
  const changing = send(t, 'POST', '/dashboard/account', { cookie: held.cookie }, { _csrf: held.csrf, current_password: victim.password, new_password: 'chosen-after-sign-out', confirm_password: 'chosen-after-sign-out' });
  await untilBcryptRuns();
  expect((await send(t, 'POST', '/logout', { cookie: held.cookie }, { _csrf: held.csrf })).status).toBe(303);
  const res = await changing;
  expect([res.status, await res.text()]).toEqual([401, expect.stringContaining('Your session ended meanwhile (signed out, password reset or account deactivated).')]);
  expect((await login(victim.email, 'chosen-after-sign-out')).res.status).toBe(401);
  expect((await login(victim.email, victim.password)).res.status).toBe(303);
  // the other session was not ended by a change that did not happen
  expect((await send(t, 'GET', '/dashboard', { cookie: other.cookie })).status).toBe(200);
});

describe('password change is throttled', () => {
  test('the sixth attempt in a minute answers 429 with Retry-After', async () => {
    const t = await makeTestApp();
    try {
      const u = await t.user('pro');
      const { token, context } = await t.services.sessions.login(u.email, u.password);
      const send = () =>
        t.request('POST', '/dashboard/account', {
          headers: { cookie: `shrinkray_session=${token}`, 'x-csrf-token': context.csrfToken, accept: 'text/html' },
          form: { current_password: 'wrong guess', new_password: 'another long one', confirm_password: 'another long one' },
        });
      for (let i = 0; i < 5; i++) expect((await send()).status).toBe(422);
      const limited = await send();
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    } finally {
      await t.close();
    }
  });
});

describe('expired sessions', () => {
  test('are deleted when someone signs in, so the table holds only live sessions', async () => {
    let clock = Date.now();
    const t = await makeTestApp({ now: () => clock });
    try {
      const u = await t.user('pro');
      const count = () => (t.services.db.sqlite.query('SELECT count(*) AS n FROM sessions').get() as { n: number }).n;
      const first = await t.services.sessions.login(u.email, u.password);
      await t.services.sessions.login(u.email, u.password);
      expect(count()).toBe(2);
      clock += 365 * 86_400_000; // long past any idle timeout
      expect(await t.services.sessions.resume(first.token)).toBeNull();
      await t.services.sessions.login(u.email, u.password);
      expect(count()).toBe(1);
    } finally {
      await t.close();
    }
  });
});

/**
 * Found by an audit of a server left running for months: a session slid on 7 idle days with no end (one used
 * weekly never ended), while its cookie's Max-Age (7 days) was sent at sign-in only, so the browser dropped an
 * active user's session on day 7 anyway; and expired rows were deleted only when someone signed in.
 */
describe('session lifetime', () => {
  const DAY = 86_400_000;
  let clock = Date.now();
  let app: TestApp;
  beforeAll(async () => (app = await makeTestApp({ now: () => clock, env: { TRUST_PROXY: 'true', BASE_URL: 'https://sho.rt' } })));
  afterAll(() => app.close());
  const page = (cookie: string, path = '/dashboard') => send(app, 'GET', path, { cookie });
  const rows = () => (app.sqlite.query('SELECT count(*) AS n FROM sessions').get() as { n: number }).n;

  test('the cookie is sent again, with its attributes and a fresh Max-Age, when the server slides the session; not on every page', async () => {
    const u = await app.user();
    const { session: cookie } = await login(u.email, u.password, { app });
    expect((await page(cookie)).headers.get('set-cookie')).toBeNull(); // refreshed at most once a minute
    clock += 3 * DAY;
    const slid = await page(cookie);
    expect(slid.status).toBe(200);
    expect(slid.headers.get('set-cookie')).toBe(`${cookie}; Path=/; HttpOnly; SameSite=Lax; Secure; Max-Age=604800`);
    expect((await page(cookie)).headers.get('set-cookie')).toBeNull();
    // an active user is not signed out 7 days after signing in (the browser keeps what it was last sent)
    clock += 5 * DAY;
    expect((await page(cookie)).status).toBe(200);
  });

  test('a QR code download through the session slides it like a page, and sends the cookie again too', async () => {
    const u = await app.user();
    const { session: cookie } = await login(u.email, u.password, { app });
    const qr = await app.services.qr.create(await app.services.users.actorFor(u.user), { name: 'q', type: 'text', content: 'hello', errorCorrection: 'M' });
    clock += 2 * DAY;
    const res = await page(cookie, `/dashboard/qrcodes/${qr.id}/download/svg`);
    expect([res.status, res.headers.get('set-cookie')]).toEqual([200, `${cookie}; Path=/; HttpOnly; SameSite=Lax; Secure; Max-Age=604800`]);
  });

  test('a session ends 30 days after its sign-in however busy, and the cookie never outlives it', async () => {
    const u = await app.user();
    const signedIn = clock;
    const { session: cookie } = await login(u.email, u.password, { app });
    for (let day = 6; day <= 18; day += 6) {
      clock = signedIn + day * DAY;
      expect((await page(cookie)).headers.get('set-cookie')).toEndWith('; Max-Age=604800');
    }
    for (const day of [24, 28]) {
      clock = signedIn + day * DAY;
      expect((await page(cookie)).headers.get('set-cookie')).toEndWith(`; Max-Age=${(30 - day) * 86_400}`);
    }
    clock = signedIn + 30 * DAY;
    const ended = await page(cookie, '/dashboard/keys');
    expect(ended.status).toBe(303);
    expect(ended.headers.get('location')).toBe('/login?next=%2Fdashboard%2Fkeys');
  });

  test('expired sessions are deleted a few at a time on a refresh and on sign-out, without anyone signing in', async () => {
    app.sqlite.exec('DELETE FROM sessions'); // the tests above leave ended sessions behind
    const u = await app.user();
    const { session: cookie } = await login(u.email, u.password, { app });
    const other = await login(u.email, u.password, { app });
    const plant = app.sqlite.prepare('INSERT INTO sessions (id_hash, user_id, csrf_token, expires_at, last_seen_at, created_at) VALUES (?, ?, ?, ?, ?, ?)');
    const before = rows(); // the two live ones
    expect(before).toBe(2);
    // 40 idle past their expiry, 40 past the absolute lifetime (their idle expiry not yet reached)
    for (let i = 0; i < 40; i++) plant.run(`idle-${i}`, u.user.id, 'x', clock - 1, clock - DAY, clock - 10 * DAY);
    for (let i = 0; i < 40; i++) plant.run(`old-${i}`, u.user.id, 'x', clock + DAY, clock - DAY, clock - 31 * DAY);
    clock += 2 * 60_000;
    expect((await page(cookie)).headers.get('set-cookie')).not.toBeNull();
    expect(rows()).toBe(before + 80 - 50); // one batch
    const csrf = /<meta name="csrf-token" content="([^"]+)">/.exec(await (await page(other.session)).text())![1]!;
    expect(rows()).toBe(before); // the next refresh took the rest
    for (let i = 0; i < 60; i++) plant.run(`late-${i}`, u.user.id, 'x', clock - 1, clock - DAY, clock - 10 * DAY);
    // a refresh is due by now: the sign-out's own cookie is the only one sent, not a renewal beside it
    clock += 2 * 60_000;
    const out = await send(app, 'POST', '/logout', { cookie: other.session, 'x-csrf-token': csrf });
    expect(out.status).toBe(303);
    expect(out.headers.getSetCookie()).toEqual([expect.stringContaining('Max-Age=0')]);
    // 50 by the refresh of the session signing out, the rest by the sign-out itself
    expect(rows()).toBe(before - 1);
  });
});
