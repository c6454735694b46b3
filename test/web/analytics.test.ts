/**
 * Link analytics pages through the real app: clicks made through GET /{code}
 * (TRUST_PROXY on, so X-Forwarded-For says who the visitor is), flushed, then
 * read back in the page, the htmx fragment and the CSV. Hostile titles and
 * referrer domains must come out escaped.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { Link } from '../../src/links/links.types.ts';
import { csvCell } from '../../src/web/links-csv.ts';
import { BASE, makeTestApp, type TestApp } from '../helpers/make-test-app.ts';

const CHROME = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36';
const IPHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1';
const HOSTILE = '<img src=x onerror=alert(1)>';
const HOSTILE_REFERRER = 'https://a"onmouseover=alert(1)&x.example/page';

let t: TestApp;
let link: Link;
let quiet: Link;
type Session = Awaited<ReturnType<typeof signIn>>;
let owner: Session;
let stranger: Session;
let admin: Session;

let logins = 0;
/** Signs in through the real form: GET /login for the CSRF cookie and token, then POST /login. */
async function signIn(role: 'admin' | 'member' = 'member') {
  const u = await t.user('pro', role);
  const ip = { 'x-forwarded-for': `203.0.113.${++logins}` }; // each login its own client, below the per-IP limit
  const form = await t.app.handle(new Request(`${BASE}/login`, { headers: ip }));
  const csrfCookie = form.headers.get('set-cookie')!.split(';')[0]!;
  const _csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())![1]!;
  const res = await t.app.handle(
    new Request(`${BASE}/login`, {
      method: 'POST',
      headers: { ...ip, cookie: csrfCookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ email: u.email, password: u.password, _csrf }),
    }),
  );
  expect(res.status).toBe(303);
  const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
  const get = (path: string, headers: Record<string, string> = {}) => t.app.handle(new Request(BASE + path, { headers: { cookie, ...headers } }));
  return { ...u, actor: await t.services.users.actorFor(u.user), get };
}

const visit = (path: string, o: { ua?: string; ip?: string; referer?: string } = {}) =>
  t.app.handle(new Request(BASE + path, { headers: { 'user-agent': o.ua ?? CHROME, 'x-forwarded-for': o.ip ?? '8.8.8.8', ...(o.referer ? { referer: o.referer } : {}) } }));
const today = () => new Date().toISOString().slice(0, 10);
const bars = (body: string) => body.split('<rect class="bar"').length - 1;

beforeAll(async () => {
  t = await makeTestApp({ env: { TRUST_PROXY: 'true' } });
  owner = await signIn();
  stranger = await signIn();
  admin = await signIn('admin');
  link = (await t.services.links.create(owner.actor, { destination: 'https://example.com/a', title: HOSTILE })).link;
  quiet = (await t.services.links.create(owner.actor, { destination: 'https://example.com/b', title: 'Nobody clicks this' })).link;
  await visit(`/${link.code}`, { referer: HOSTILE_REFERRER });
  await visit(`/${link.code}`, { ua: IPHONE, ip: '1.1.1.1', referer: 'https://=1+2.example/x' });
  await t.services.qr.create(owner.actor, { name: 'Poster', type: 'url', content: 'https://example.com/a', errorCorrection: 'M', linkId: link.id });
  await visit(`/${link.code}?qr=1`, { ua: IPHONE, ip: '9.9.9.9' });
  await visit(`/${link.code}`, { ua: 'curl/8.0' }); // a bot: recorded, never counted
  await t.flush();
});
afterAll(() => t.close());

describe('the analytics page', () => {
  test('shows totals, the chart and every breakdown from real clicks', async () => {
    const res = await owner.get(`/dashboard/links/${link.id}/analytics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    const body = await res.text();
    expect(body).toContain('<!doctype html>');
    expect(body).toMatch(/<dt>Clicks<\/dt><dd>3<\/dd>/);
    expect(body).toMatch(/<dt>New visitors<\/dt><dd>3<\/dd>/);
    expect(body).toMatch(/<dt>Last click<\/dt><dd><time datetime="/);
    expect(bars(body)).toBe(30); // default range: 30 days, zero-filled
    expect(body).toContain(`<title>${today()}: 3 clicks, 3 new visitors</title>`);
    expect(body).toContain('United States <span class="muted">US</span>');
    expect(body).toMatch(/Mobile<\/span>\s*<span class="bar-num">2 <span class="muted">\(67%\)/);
    expect(body).toMatch(/QR code scan<\/span>\s*<span class="bar-num">1 /);
    expect(body).toMatch(/Short link<\/span>\s*<span class="bar-num">2 /);
    expect(body).toContain('Direct or unknown');
    expect(body).toContain('Mobile Safari');
  });

  test('escapes the hostile title and referrer domain', async () => {
    const body = await (await owner.get(`/dashboard/links/${link.id}/analytics`)).text();
    expect(body).not.toContain(HOSTILE);
    expect(body).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(body).not.toContain('a"onmouseover');
    expect(body).toContain('a&quot;onmouseover=alert(1)&amp;x.example');
  });

  test('a link with no clicks yet shows the empty state', async () => {
    const body = await (await owner.get(`/dashboard/links/${quiet.id}/analytics`)).text();
    expect(body).toContain('Share your link: clicks appear here within a second.');
    expect(body).toContain(`${BASE}/${quiet.code}`);
    expect(bars(body)).toBe(0);
  });

  test('the destination under the heading is held to three lines, the whole URL in its tooltip', async () => {
    const destination = `https://example.com/${'long-path-segment/'.repeat(100)}end`;
    const long = (await t.services.links.create(owner.actor, { destination, title: 'Long one' })).link;
    const body = await (await owner.get(`/dashboard/links/${long.id}/analytics`)).text();
    expect(body).toContain(`<p class="muted clamp-3" title="${destination}">`);
    const css = await (await t.app.handle(new Request(`${BASE}/public/css/app.css`))).text();
    expect(css).toMatch(/\.clamp-3 \{[^}]*-webkit-line-clamp: 3;[^}]*overflow: hidden;/);
  });

  test('the range picker: presets and custom ranges swap #analytics through htmx', async () => {
    const page = await (await owner.get(`/dashboard/links/${link.id}/analytics`)).text();
    expect(page).toContain(`hx-get="/dashboard/links/${link.id}/analytics?range=7" hx-target="#analytics" hx-swap="outerHTML" hx-push-url="true"`);
    const res = await owner.get(`/dashboard/links/${link.id}/analytics?range=7`, { 'hx-request': 'true', 'hx-target': 'analytics' });
    expect(res.status).toBe(200);
    expect(res.headers.get('vary')).toContain('HX-Request');
    const body = await res.text();
    expect(body.startsWith('<section id="analytics"')).toBe(true);
    expect(body).not.toContain('<html');
    expect(bars(body)).toBe(7);
    expect(body).toMatch(/range=7"[^>]*aria-current="true"/);

    const custom = await (await owner.get(`/dashboard/links/${link.id}/analytics?from=2024-01-01&to=2024-01-10`, { 'hx-request': 'true', 'hx-target': 'analytics' })).text();
    expect(bars(custom)).toBe(10);
    expect(custom).toContain('<dt>Clicks</dt><dd>0</dd>');
    expect(custom).toContain('value="2024-01-01"');
  });

  test('a range with one end is read, not refused: 30 days up to `to`, or `from` to today (a future `from`: that day alone)', async () => {
    const upTo = await owner.get(`/dashboard/links/${link.id}/analytics?to=2024-01-10`);
    const page = await upTo.text();
    expect([upTo.status, bars(page), page.includes('value="2023-12-12"'), page.includes('value="2024-01-10"')]).toEqual([200, 30, true, true]);
    const today = new Date().toISOString().slice(0, 10);
    const since = await (await owner.get(`/dashboard/links/${link.id}/analytics?from=${new Date(Date.now() - 4 * 86_400_000).toISOString().slice(0, 10)}`)).text();
    expect([bars(since), since.includes(`value="${today}"`)]).toEqual([5, true]);
    const future = await owner.get(`/dashboard/links/${link.id}/analytics?from=2099-01-01`);
    expect([future.status, bars(await future.text())]).toEqual([200, 1]);
    expect((await owner.get(`/dashboard/links/${link.id}/analytics?to=nonsense`)).status).toBe(422);
  });

  test('an htmx request that is not aimed at #analytics (a history restore) gets the whole page', async () => {
    const body = await (await owner.get(`/dashboard/links/${link.id}/analytics?range=90`, { 'hx-request': 'true', 'hx-history-restore-request': 'true' })).text();
    expect(body).toContain('<!doctype html>');
    expect(bars(body)).toBe(90);
  });

  test('a refused range is explained next to the dates: 422 for a page, 200 for an htmx swap', async () => {
    const res = await owner.get(`/dashboard/links/${link.id}/analytics?from=2024-02-10&to=2024-02-01`);
    expect(res.status).toBe(422);
    expect(await res.text()).toContain('<p class="field-error" id="range-error" role="alert">The from date must be on or before the to date.</p>');
    const frag = await owner.get(`/dashboard/links/${link.id}/analytics?from=2020-01-01&to=2024-01-01`, { 'hx-request': 'true', 'hx-target': 'analytics' });
    expect(frag.status).toBe(200);
    expect(await frag.text()).toContain('at most 366 days');
    const junk = await owner.get(`/dashboard/links/${link.id}/analytics?from=%22%3E%3Cb%3E&to=x`);
    expect(junk.status).toBe(422);
    expect(await junk.text()).toContain('value="&quot;&gt;&lt;b&gt;"');
    // Back to a refused range: htmx restores history only from a 2xx answer, so the whole page comes with 200
    const restore = await owner.get(`/dashboard/links/${link.id}/analytics?from=2024-02-10&to=2024-02-01`, { 'hx-request': 'true', 'hx-history-restore-request': 'true' });
    expect(restore.status).toBe(200);
    const restored = await restore.text();
    expect(restored).toContain('<header class="topbar">');
    expect(restored).toContain('The from date must be on or before the to date.');
  });
});

describe('who may look', () => {
  test("another member's link is 404, like a missing one; a bad id too", async () => {
    for (const path of [`/dashboard/links/${link.id}/analytics`, `/dashboard/links/${link.id}/analytics.csv`, '/dashboard/links/999999/analytics', '/dashboard/links/abc/analytics']) {
      const res = await stranger.get(path);
      expect(res.status).toBe(404);
      expect(await res.text()).not.toContain('onerror');
    }
  });

  test("an admin may view anyone's link analytics", async () => {
    const res = await admin.get(`/dashboard/links/${link.id}/analytics`);
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/<dt>Clicks<\/dt><dd>3<\/dd>/);
  });

  test('without a session the browser is sent to sign in (htmx gets HX-Redirect)', async () => {
    const res = await t.app.handle(new Request(`${BASE}/dashboard/links/${link.id}/analytics?range=7`));
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`/login?next=${encodeURIComponent(`/dashboard/links/${link.id}/analytics?range=7`)}`);
    const hx = await t.app.handle(new Request(`${BASE}/dashboard/links/${link.id}/analytics`, { headers: { 'hx-request': 'true' } }));
    expect(hx.status).toBe(401);
    expect(hx.headers.get('hx-redirect')).toStartWith('/login?next=');
  });
});

describe('the CSV export', () => {
  test('day rows and breakdown rows, as an attachment', async () => {
    const res = await owner.get(`/dashboard/links/${link.id}/analytics.csv?range=7`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toMatch(new RegExp(`^attachment; filename="analytics-${link.code}-\\d{4}-\\d{2}-\\d{2}-${today()}\\.csv"$`));
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]); // a BOM: Excel on Windows reads UTF-8 only with it
    const lines = new TextDecoder().decode(bytes).trimEnd().split('\r\n');
    expect(lines[0]).toBe('section,key,label,clicks,unique_clicks,share');
    expect(lines.filter((l) => l.startsWith('day,'))).toHaveLength(7);
    expect(lines).toContain(`day,${today()},,3,3,`);
    // shares as numbers (a fraction of the section's clicks) that sum and sort; the page's labels
    expect(lines).toContain('country,US,United States,3,,1');
    expect(lines).toContain('device,mobile,,2,,0.6667');
    expect(lines).toContain('source,qr,QR code scan,1,,0.3333');
    expect(lines).toContain('source,link,Short link,2,,0.6667');
    expect(lines.filter((l) => l.startsWith('referrer,,'))).toEqual([expect.stringMatching(/^referrer,,Direct or unknown,\d+,,/)]);
  });

  test('values no parser could name are labelled Unknown, as on the page', async () => {
    const odd = (await t.services.links.create(owner.actor, { destination: 'https://example.com/odd-agent' })).link;
    await visit(`/${odd.code}`, { ua: 'Mozilla/5.0 (compatible)' });
    await t.flush();
    const lines = (await (await owner.get(`/dashboard/links/${odd.id}/analytics.csv`)).text()).trimEnd().split('\r\n');
    expect(lines.filter((l) => /^(os|browser),/.test(l))).toEqual(['os,,Unknown,1,,1', 'browser,,Unknown,1,,1']);
  });

  test('referrer cells that would run as formulas are prefixed with an apostrophe; quotes are escaped', async () => {
    const text = await (await owner.get(`/dashboard/links/${link.id}/analytics.csv`)).text();
    expect(text).toContain("referrer,'=1+2.example,,1,,");
    expect(text).toContain('referrer,"a""onmouseover=alert(1)&x.example",,1,,');
    expect(['=SUM(A1)', '+1', '-2', '@x', '\tx', 'plain', 'a,b'].map(csvCell)).toEqual(["'=SUM(A1)", "'+1", "'-2", "'@x", "'\tx", 'plain', '"a,b"']);
  });

  test('more values than a breakdown lists: the page adds an Other row and shares are of every click; the CSV has every value', async () => {
    const many = (await t.services.links.create(owner.actor, { destination: 'https://example.com/many-refs', title: 'Many referrers' })).link;
    for (let i = 0; i < 60; i++) await visit(`/${many.code}`, { ip: `8.8.${i}.1`, referer: `https://site${i}.example.org/` });
    await t.flush();
    const page = await (await owner.get(`/dashboard/links/${many.id}/analytics`)).text();
    const referrers = page.slice(page.indexOf('id="bd-referrer"'), page.indexOf('</section>', page.indexOf('id="bd-referrer"')));
    expect(referrers.split('<li>').length - 1).toBe(51);
    expect(referrers).toContain('site0.example.org');
    expect(referrers).toMatch(/Other<\/span>\s*<span class="bar-num">10 <span class="muted">\(17%\)<\/span>/);
    expect(referrers).toContain('1 <span class="muted">(1.7%)</span>');
    const csv = (await (await owner.get(`/dashboard/links/${many.id}/analytics.csv`)).text()).trimEnd().split('\r\n');
    const rows = csv.filter((l) => l.startsWith('referrer,'));
    expect(rows).toHaveLength(60);
    expect(rows).toContain('referrer,site59.example.org,,1,,0.0167');
  });

  test('a refused range is a 400 page, not a file', async () => {
    const res = await owner.get(`/dashboard/links/${link.id}/analytics.csv?from=2024-13-01&to=2024-12-01`);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('text/html');
  });
});
