/**
 * Signs in through the real /login form, as a browser does: GET the form for
 * its CSRF cookie and token, POST the credentials, then read the session's
 * CSRF token from a dashboard page's meta tag (what htmx sends as
 * X-CSRF-Token). Each call uses its own client IP so login limits never
 * trip across tests.
 */
import { BASE } from './make-test-app.ts';

type Handle = (request: Request) => Response | Promise<Response>;

export interface WebLogin {
  /** `shrinkray_session=…`, ready for a Cookie header */
  cookie: string;
  /** the session's CSRF token */
  csrf: string;
  /** status of the POST /login answer (303 on success) */
  status: number;
}

export async function loginThroughForm(handle: Handle, creds: { email: string; password: string }, ip: string, page = '/dashboard'): Promise<WebLogin> {
  const headers = { 'x-forwarded-for': ip };
  const form = await handle(new Request(`${BASE}/login`, { headers }));
  const nonce = form.headers.get('set-cookie')!.split(';')[0]!;
  const _csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())![1]!;
  const res = await handle(
    new Request(`${BASE}/login`, {
      method: 'POST',
      headers: { ...headers, cookie: nonce, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ email: creds.email, password: creds.password, _csrf }),
    }),
  );
  const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
  const html = await (await handle(new Request(BASE + page, { headers: { cookie } }))).text();
  const csrf = /<meta name="csrf-token" content="([^"]+)">/.exec(html)![1]!;
  return { cookie, csrf, status: res.status };
}
