/**
 * Password guessing is throttled wherever a password is checked:
 *   - a link's password, through LinkShrink POST /api/v1/verify/{code} and
 *     the password page POST /{code} together: 10 a minute per client IP and
 *     code, and 60 a minute per client IP across links, with or without an
 *     API key (a key's large budget does not buy guesses, nor does a second
 *     route);
 *   - POST /login, counting wrong passwords only: 5 a minute per email and
 *     IP, 10 per IP across emails, and 10 per account shared by every browser
 *     that has not signed in to it before, from any address; a browser that
 *     has (its device cookie) has 5 of its own, so nobody's guessing keeps
 *     the owner out of their usual browser.
 * Past the budget the answer is 429 with Retry-After, even for the right
 * password, so a guesser cannot tell a hit from a miss. Each budget is
 * exact: the limiter counts each hit's time, so the guess after the last
 * one allowed is the first 429, never one later. Link
 * password budgets are per address: another client is not locked out of a link by someone else's
 * guessing. On a real socket with TRUST_PROXY off, a spoofed X-Forwarded-For
 * does not buy a fresh budget.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { makeTestApp, type TestApp } from '../helpers/make-test-app.ts';
import { cookieOf, freshIp, loginForm, securityApp, send } from './security-kit.ts';

let t: TestApp;
let owner: Awaited<ReturnType<TestApp['user']>>;

async function lockedLink(app: TestApp, password = 'right password') {
  const actor = await app.services.users.actorFor((await app.services.users.list())[0]!);
  return (await app.services.links.create(actor, { destination: 'https://example.com/locked', password, metadata: 'none' })).link.code;
}

function expectThrottled(res: Response, where: string) {
  expect([where, res.status]).toEqual([where, 429]);
  const retry = Number(res.headers.get('retry-after'));
  expect([where, Number.isInteger(retry) && retry >= 1 && retry <= 60]).toEqual([where, true]);
}

/**
 * Guesses until the first 429 and returns how many wrong guesses were answered before it: exactly
 * `limit`. (It once allowed `limit + 1`, when the rolling minute was two weighted fixed windows whose
 * estimate dipped under the limit across a minute boundary; the limiter now keeps each hit's time, and
 * the slack only hid a budget one guess too large.)
 */
async function guessesBeforeThrottle(where: string, limit: number, wrongStatus: number, guess: (i: number) => Promise<Response>): Promise<number> {
  for (let i = 0; i <= limit; i++) {
    const res = await guess(i);
    if (res.status === 429) {
      expectThrottled(res, where);
      expect([where, i]).toEqual([where, limit]);
      return i;
    }
    expect([where, res.status]).toEqual([where, wrongStatus]);
  }
  throw new Error(`${where}: still answering after ${limit + 1} guesses`);
}

beforeAll(async () => {
  t = await securityApp();
  await t.services.plans.update('enterprise', { rateLimitPerMinute: 1_000_000 });
  owner = await t.user('enterprise');
});
afterAll(() => t?.close());

// each test checks bcrypt hashes one after another: give them room on a small machine
describe('LinkShrink POST /api/v1/verify/{code}', () => {
  test('10 wrong guesses, then 429 + Retry-After, even for the right password', async () => {
    const code = await lockedLink(t);
    const ip = freshIp();
    await guessesBeforeThrottle('verify', 10, 401, (i) => send(t, 'POST', `/api/v1/verify/${code}`, { ip, json: { password: `guess ${i}` } }));
    expectThrottled(await send(t, 'POST', `/api/v1/verify/${code}`, { ip, json: { password: 'right password' } }), 'verify right password');
    // someone else's guessing does not lock this visitor out
    expect((await send(t, 'POST', `/api/v1/verify/${code}`, { json: { password: 'right password' } })).status).toBe(200);
  }, 30_000);

  test('an API key with a huge budget gets the same 10 guesses per IP and code', async () => {
    const code = await lockedLink(t);
    const ip = freshIp();
    await guessesBeforeThrottle('verify with a key', 10, 401, (i) => send(t, 'POST', `/api/v1/verify/${code}`, { ip, headers: owner.auth, json: { password: `g${i}` } }));
    expectThrottled(await send(t, 'POST', `/api/v1/verify/${code}`, { ip, headers: owner.auth, json: { password: 'right password' } }), 'verify with a key');
  }, 30_000);
});

describe('the password page POST /{code}', () => {
  test('10 wrong passwords, then 429 + Retry-After and the "too many attempts" page, even for the right one', async () => {
    const code = await lockedLink(t);
    const ip = freshIp();
    const form = await (await send(t, 'GET', `/${code}`, { ip })).text();
    const token = /name="csrf_token" value="([^"]+)"/.exec(form)![1]!;
    await guessesBeforeThrottle('unlock', 10, 401, (i) => send(t, 'POST', `/${code}`, { ip, form: { csrf_token: token, password: `guess ${i}` } }));
    const wrong = await send(t, 'POST', `/${code}`, { ip, form: { csrf_token: token, password: 'one more' } });
    expectThrottled(wrong, 'unlock after the budget');
    expect(await wrong.text()).toContain('Too many password attempts');
    expectThrottled(await send(t, 'POST', `/${code}`, { ip, form: { csrf_token: token, password: 'right password' } }), 'unlock right password');
    const elsewhere = await send(t, 'POST', `/${code}`, { form: { csrf_token: token, password: 'right password' } });
    expect(elsewhere.status).toBe(302);
  }, 30_000);
});

describe('one budget per link password, whichever route guesses', () => {
  test('guesses through the unlock page and through LinkShrink verify share the 10 a minute', async () => {
    const code = await lockedLink(t);
    const ip = freshIp();
    const form = await (await send(t, 'GET', `/${code}`, { ip })).text();
    const token = /name="csrf_token" value="([^"]+)"/.exec(form)![1]!;
    for (let i = 0; i < 6; i++) expect((await send(t, 'POST', `/${code}`, { ip, form: { csrf_token: token, password: `page ${i}` } })).status).toBe(401);
    // 6 spent on the page: the API route has what is left, not a budget of its own
    await guessesBeforeThrottle('verify after the page', 4, 401, (i) => send(t, 'POST', `/api/v1/verify/${code}`, { ip, json: { password: `api ${i}` } }));
  }, 30_000);
});

describe('across links', () => {
  test('one address gets 60 guesses a minute over all links (each costs a bcrypt comparison), whichever route; another address is unaffected', async () => {
    const codes = await Promise.all(Array.from({ length: 7 }, () => lockedLink(t)));
    const ip = freshIp();
    for (const code of codes.slice(0, 6)) {
      for (let i = 0; i < 9; i++) expect((await send(t, 'POST', `/api/v1/verify/${code}`, { ip, json: { password: `g${i}` } })).status).toBe(401);
    }
    const last = codes[6]!;
    const form = await (await send(t, 'GET', `/${last}`, { ip })).text();
    const token = /name="csrf_token" value="([^"]+)"/.exec(form)![1]!;
    // 54 spent at six links: the seventh, untouched, has 6 left of the 60, not its own 10
    await guessesBeforeThrottle('unlock at a seventh link', 6, 401, (i) => send(t, 'POST', `/${last}`, { ip, form: { csrf_token: token, password: `p${i}` } }));
    expectThrottled(await send(t, 'POST', `/api/v1/verify/${last}`, { ip, json: { password: 'right password' } }), 'verify past the 60');
    expect((await send(t, 'POST', `/api/v1/verify/${last}`, { ip: freshIp(), json: { password: 'right password' } })).status).toBe(200);
  }, 60_000);
});

describe('behind a reverse proxy (TRUST_PROXY)', () => {
  test('the budget follows the address the proxy appended, not the forgeable entries before it', async () => {
    const code = await lockedLink(t);
    const proxied = freshIp();
    const form = await (await send(t, 'GET', `/${code}`, { ip: proxied })).text();
    const token = /name="csrf_token" value="([^"]+)"/.exec(form)![1]!;
    // nginx's $proxy_add_x_forwarded_for: whatever the client sent, then the address it came from
    const forged = (i: number) => `10.9.${i}.1, ${proxied}`;
    await guessesBeforeThrottle('unlock, forged first entries', 10, 401, (i) => send(t, 'POST', `/${code}`, { ip: forged(i), form: { csrf_token: token, password: `guess ${i}` } }));
    expectThrottled(await send(t, 'POST', `/${code}`, { ip: forged(99), form: { csrf_token: token, password: 'right password' } }), 'forged entry, right password');
  }, 30_000);

  test('an IPv6 client cannot buy guesses with fresh addresses from its /64; another /64 is another budget', async () => {
    const code = await lockedLink(t);
    const form = await (await send(t, 'GET', `/${code}`)).text();
    const token = /name="csrf_token" value="([^"]+)"/.exec(form)![1]!;
    await guessesBeforeThrottle('unlock, rotating IPv6', 10, 401, (i) => send(t, 'POST', `/${code}`, { ip: `2001:db8:77:1::${(i + 1).toString(16)}`, form: { csrf_token: token, password: `guess ${i}` } }));
    expectThrottled(await send(t, 'POST', `/${code}`, { ip: '2001:db8:77:1:ffff::1', form: { csrf_token: token, password: 'right password' } }), 'same /64');
    expect((await send(t, 'POST', `/${code}`, { ip: '2001:db8:77:2::1', form: { csrf_token: token, password: 'right password' } })).status).toBe(302);
  }, 30_000);
});

describe('POST /login', () => {
  /** One POST /login from `ip`, through a form fetched from there. */
  async function signIn(email: string, password: string, ip = freshIp(), device = '') {
    const f = await loginForm(t, ip);
    return send(t, 'POST', '/login', { ip, headers: { cookie: device ? `${f.cookie}; ${device}` : f.cookie }, form: { email, password, _csrf: f.token } });
  }
  /** The device cookie a sign-in gave the browser ('name=value'), or ''. */
  const deviceOf = (res: Response) => res.headers.getSetCookie().find((c) => c.startsWith('shrinkray_device='))?.split(';')[0] ?? '';
  const signedIn = (res: Response) => res.status === 303 && cookieOf(res).startsWith('shrinkray_session=');

  test('5 wrong passwords for one email from one address, then 429 + Retry-After there, even for the right one', async () => {
    const u = await t.user('pro');
    const ip = freshIp();
    await guessesBeforeThrottle('login per email and address', 5, 401, (i) => signIn(u.email, `guess ${i}`, ip));
    const res = await signIn(u.email, u.password, ip);
    expectThrottled(res, 'login per email and address');
    expect(cookieOf(res)).not.toContain('shrinkray_session');
  }, 30_000);

  test("one address guessing at the admin's password every minute does not keep the admin out: the right password from another address signs in", async () => {
    const admin = await t.user('enterprise', 'admin');
    const attacker = freshIp();
    // sent at once: each is counted before its password is checked, so no more than 5 are checked
    const burst = await Promise.all(Array.from({ length: 15 }, (_, i) => signIn(admin.email, `guess ${i}`, attacker)));
    expect(burst.map((r) => r.status).sort()).toEqual([...Array(5).fill(401), ...Array(10).fill(429)]);
    expectThrottled(await signIn(admin.email, admin.password, attacker), 'the attacker, right password');
    expect(signedIn(await signIn(admin.email, admin.password))).toBe(true);
  }, 30_000);

  test('guesses spread over many addresses share one budget per account: 10 are checked, whatever the number of addresses', async () => {
    const u = await t.user('pro');
    const statuses = [];
    for (let i = 0; i < 30; i++) statuses.push((await signIn(u.email, `guess ${i}`)).status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(10);
    expect(statuses.filter((s) => s === 429)).toHaveLength(20);
    // from yet another address, the right password is refused too: a hit must look like a miss
    const fresh = await signIn(u.email, u.password);
    expectThrottled(fresh, 'a browser new to the account, right password');
    expect(cookieOf(fresh)).not.toContain('shrinkray_session');
    // fewer than 10 failures for an account hold nobody back
    const other = await t.user('pro');
    const once = freshIp();
    expect((await signIn(other.email, 'wrong', once)).status).toBe(401);
    expect(signedIn(await signIn(other.email, other.password, once))).toBe(true);
  }, 60_000);

  test('the browser the owner signed in with before is not locked out by guessing that fills the account budget', async () => {
    const u = await t.user('pro');
    const home = freshIp();
    const before = await signIn(u.email, u.password, home);
    expect(signedIn(before)).toBe(true);
    const device = deviceOf(before);
    expect(device).toMatch(/^shrinkray_device=[0-9a-f]{32}\.\d+\.[\w-]{43}$/);
    expect(before.headers.getSetCookie().find((c) => c.startsWith('shrinkray_device='))).toContain('Path=/login; HttpOnly; SameSite=Strict');
    for (let i = 0; i < 12; i++) await signIn(u.email, `guess ${i}`);
    expectThrottled(await signIn(u.email, u.password), 'a new browser during the attack');
    // the known browser, from the same or another address: checked, and in
    expect(signedIn(await signIn(u.email, u.password, home, device))).toBe(true);
    expect(signedIn(await signIn(u.email, u.password, freshIp(), device))).toBe(true);
    // its own budget: 5 wrong passwords, then 429 even for the right one
    const mine = freshIp();
    await guessesBeforeThrottle('a known browser', 5, 401, (i) => signIn(u.email, `mine ${i}`, freshIp(), device));
    expectThrottled(await signIn(u.email, u.password, mine, device), 'a known browser past its budget');
  }, 60_000);

  test("a device cookie is its account's and its password's: for another account, forged, or from before a password reset, it is a new browser's", async () => {
    const u = await t.user('pro');
    const other = await t.user('pro');
    // a fresh cookie each: one whose own budget is spent would be refused whatever the check said
    const deviceFor = async (who: { email: string; password: string }) => deviceOf(await signIn(who.email, who.password, freshIp()));
    for (let i = 0; i < 12; i++) await signIn(other.email, `guess ${i}`);
    expectThrottled(await signIn(other.email, other.password, freshIp(), await deviceFor(u)), "another account's device cookie");
    const forged = (await deviceFor(other)).replace(/\.[\w-]{43}$/, `.${'A'.repeat(43)}`);
    expectThrottled(await signIn(other.email, other.password, freshIp(), forged), 'a forged device cookie');
    const renamed = (await deviceFor(u)).replace(/=[0-9a-f]{32}\./, `=${'0'.repeat(32)}.`);
    expectThrottled(await signIn(other.email, other.password, freshIp(), renamed), 'a device cookie with another id');
    // earned before a reset, it no longer counts as the owner's browser
    const old = await deviceFor(u);
    await t.services.users.setPassword(u.user.id, 'a brand new password');
    for (let i = 0; i < 12; i++) await signIn(u.email, `guess ${i}`);
    expectThrottled(await signIn(u.email, 'a brand new password', freshIp(), old), 'a device cookie from before the reset');
  }, 60_000);

  test('only wrong passwords count: signing in again and again from one address is never refused', async () => {
    const u = await t.user('pro');
    const ip = freshIp();
    for (let i = 0; i < 12; i++) expect(signedIn(await signIn(u.email, u.password, ip))).toBe(true);
    for (let i = 0; i < 4; i++) expect((await signIn(u.email, `guess ${i}`, ip)).status).toBe(401);
    expect(signedIn(await signIn(u.email, u.password, ip))).toBe(true);
    expect((await signIn(u.email, 'guess 5', ip)).status).toBe(401);
    expectThrottled(await signIn(u.email, u.password, ip), 'the fifth wrong one counted, the right ones not');
  }, 30_000);

  test('10 wrong passwords from one address across many emails, then 429 + Retry-After', async () => {
    const f = await loginForm(t);
    await guessesBeforeThrottle('login per IP', 10, 401, (i) =>
      send(t, 'POST', '/login', { ip: f.ip, headers: { cookie: f.cookie }, form: { email: `nobody${i}@example.com`, password: 'guess', _csrf: f.token } }),
    );
    expectThrottled(await send(t, 'POST', '/login', { ip: f.ip, headers: { cookie: f.cookie }, form: { email: owner.email, password: owner.password, _csrf: f.token } }), 'login per IP');
  }, 30_000);
});

describe('on a real socket, X-Forwarded-For is ignored unless TRUST_PROXY is on', () => {
  let served: TestApp;
  let base = '';

  beforeAll(async () => {
    served = await makeTestApp();
    served.app.listen({ port: 0, hostname: '127.0.0.1' });
    base = `http://127.0.0.1:${served.app.server!.port}`;
    await served.user('enterprise');
  });
  afterAll(async () => {
    await served.app.stop(true);
    await served.close();
  });

  const post = (path: string, body: Record<string, string>, headers: Record<string, string> = {}, json = true) =>
    fetch(base + path, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': json ? 'application/json' : 'application/x-www-form-urlencoded', ...headers },
      body: json ? JSON.stringify(body) : new URLSearchParams(body).toString(),
    });

  test('rotating spoofed addresses does not reset the verify, unlock or login budgets', async () => {
    const code = await lockedLink(served);
    const spoof = (i: number) => ({ 'x-forwarded-for': `203.0.113.${i}`, 'x-real-ip': `203.0.113.${i}` });
    await guessesBeforeThrottle('verify spoofed', 10, 401, (i) => post(`/api/v1/verify/${code}`, { password: `g${i}` }, spoof(i)));
    expectThrottled(await post(`/api/v1/verify/${code}`, { password: 'right password' }, spoof(99)), 'verify spoofed');

    // another link: the verify guesses above spent this one's budget for the page too (one budget per password)
    const other = await lockedLink(served);
    const page = await fetch(`${base}/${other}`);
    const token = /name="csrf_token" value="([^"]+)"/.exec(await page.text())![1]!;
    await guessesBeforeThrottle('unlock spoofed', 10, 401, (i) => post(`/${other}`, { csrf_token: token, password: `g${i}` }, spoof(i), false));
    expectThrottled(await post(`/${other}`, { csrf_token: token, password: 'right password' }, spoof(99), false), 'unlock spoofed');

    const login = await fetch(`${base}/login`);
    const cookie = cookieOf(login);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await login.text())![1]!;
    await guessesBeforeThrottle('login spoofed', 10, 401, (i) => post('/login', { email: `x${i}@example.com`, password: 'g', _csrf: csrf }, { cookie, ...spoof(i) }, false));
    expectThrottled(await post('/login', { email: 'y@example.com', password: 'g', _csrf: csrf }, { cookie, ...spoof(99) }, false), 'login spoofed');
  }, 30_000);
});
