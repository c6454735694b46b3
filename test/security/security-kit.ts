/**
 * What the security tests share: an app that trusts X-Forwarded-For (so each
 * test picks its own client address and per-IP budgets do not leak between
 * tests), a request helper, and signing in through the real login form.
 */
import { BASE, makeTestApp, type TestApp, type TestAppOptions } from '../helpers/make-test-app.ts';

let ipSeq = 0;
/** A client address no other test in this process uses (TEST-NET-2, 198.51.100.0/24, and upwards). */
export const freshIp = () => `198.51.${100 + Math.floor(++ipSeq / 250)}.${(ipSeq % 250) + 1}`;

export const XSS = `"><img src=x onerror=alert(1)><script>alert(1)</script>`;
/** how html`` renders XSS: every character that could open a tag or close an attribute is an entity */
export const XSS_ESCAPED = '&quot;&gt;&lt;img src=x onerror=alert(1)&gt;&lt;script&gt;alert(1)&lt;/script&gt;';

export function securityApp(opts: TestAppOptions = {}) {
  return makeTestApp({ ...opts, env: { TRUST_PROXY: 'true', ...opts.env } });
}

export interface SendInit {
  headers?: Record<string, string>;
  form?: Record<string, string>;
  json?: unknown;
  ip?: string;
}

export function send(t: TestApp, method: string, path: string, init: SendInit = {}): Promise<Response> {
  const headers: Record<string, string> = { 'x-forwarded-for': init.ip ?? freshIp(), ...init.headers };
  let body: string | undefined;
  if (init.form) {
    body = new URLSearchParams(init.form).toString();
    headers['content-type'] ??= 'application/x-www-form-urlencoded';
  } else if (init.json !== undefined) {
    body = JSON.stringify(init.json);
    headers['content-type'] ??= 'application/json';
  }
  return t.app.handle(new Request(BASE + path, { method, headers, body }));
}

export const cookieOf = (res: Response) => (res.headers.get('set-cookie') ?? '').split(';')[0]!;

/** GET /login as a browser would: the nonce cookie and the form's token. */
export async function loginForm(t: TestApp, ip = freshIp()) {
  const res = await send(t, 'GET', '/login', { ip, headers: { accept: 'text/html' } });
  const body = await res.text();
  return { cookie: cookieOf(res), token: /name="_csrf" value="([^"]+)"/.exec(body)?.[1] ?? '', ip };
}

export interface Browser {
  /** the session cookie, `shrinkray_session=…` */
  cookie: string;
  /** the session's CSRF token, from the page's <meta name="csrf-token"> */
  csrf: string;
  ip: string;
}

/** Signs in through POST /login and reads the session's CSRF token from a dashboard page. */
export async function signIn(t: TestApp, email: string, password: string): Promise<Browser> {
  const f = await loginForm(t);
  const res = await send(t, 'POST', '/login', { ip: f.ip, headers: { cookie: f.cookie }, form: { email, password, _csrf: f.token } });
  if (res.status !== 303) throw new Error(`sign-in failed: ${res.status} ${await res.text()}`);
  const cookie = cookieOf(res);
  const page = await send(t, 'GET', '/dashboard/account', { ip: f.ip, headers: { cookie, accept: 'text/html' } });
  const csrf = /<meta name="csrf-token" content="([^"]+)">/.exec(await page.text())?.[1];
  if (!csrf) throw new Error('no CSRF token on the dashboard page');
  return { cookie, csrf, ip: f.ip };
}

/** A page as the signed-in browser sees it (full page, not an htmx fragment). */
export async function page(t: TestApp, b: Browser, path: string): Promise<{ status: number; body: string }> {
  const res = await send(t, 'GET', path, { ip: b.ip, headers: { cookie: b.cookie, accept: 'text/html' } });
  return { status: res.status, body: await res.text() };
}

/** Every row of every table, as text: what an attacker holding the database file would read. */
export function dumpTables(t: TestApp): Map<string, string> {
  const db = t.services.db.sqlite;
  const tables = db.query<{ name: string }, []>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all();
  return new Map(tables.map(({ name }) => [name, JSON.stringify(db.query(`SELECT * FROM "${name}"`).all())]));
}
