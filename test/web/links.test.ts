/**
 * The links screens through the real app: the page and its #links-table
 * fragment (HX-Push-Url keeps the address bar on the view), row and bulk
 * actions, the create/edit form with the core's validation beside each
 * field, the UTM preview fragment, CSV import and export. Every page that
 * shows a hostile title must show it escaped; every POST without the
 * session's CSRF token is refused; another user's link is a 404.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { Link } from '../../src/links/links.types.ts';
import { csvCell, parseCsv } from '../../src/web/links-csv.ts';
import { parseExpiry } from '../../src/web/links-import.ts';
import { toUtcLocal } from '../../src/web/links-form-input.ts';
import { BASE, makeTestApp, type TestApp } from '../helpers/make-test-app.ts';
import { captureInfo } from '../helpers/logged.ts';
import { turnsDuring } from '../helpers/turns.ts';
import { loginThroughForm } from '../helpers/web-login.ts';

const HOSTILE = '<img src=x onerror=alert(1)>';
let t: TestApp;
let ipSeq = 0;

type Browser = Awaited<ReturnType<typeof signIn>>;
/** A signed-in browser: GET /login for the CSRF cookie and token, POST /login, then the session's token from a page. */
async function signIn(plan: 'free' | 'pro' = 'pro', role: 'admin' | 'member' = 'member') {
  const u = await t.user(plan, role);
  const { cookie, csrf } = await loginThroughForm((r) => t.app.handle(r), u, `192.0.2.${++ipSeq}`, '/dashboard/keys');
  const get = (path: string, headers: Record<string, string> = {}) => t.app.handle(new Request(BASE + path, { headers: { cookie, ...headers } }));
  /** htmx sends the token in X-CSRF-Token; a plain form in _csrf; `csrf: false` sends neither */
  const post = (path: string, form: Record<string, string>, o: { hx?: boolean; csrf?: boolean; headers?: Record<string, string> } = {}) =>
    t.app.handle(
      new Request(BASE + path, {
        method: 'POST',
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', ...(o.hx ? { 'hx-request': 'true', ...(o.csrf === false ? {} : { 'x-csrf-token': csrf }) } : {}), ...o.headers },
        body: new URLSearchParams(o.hx || o.csrf === false ? form : { _csrf: csrf, ...form }),
      }),
    );
  return { ...u, actor: await t.services.users.actorFor(u.user), get, post };
}

let owner: Browser;
let other: Browser;
let admin: Browser;
let hostile: Link;
let others: Link;
const mk = async (b: Browser, destination: string, title: string | null = null) => (await t.services.links.create(b.actor, { destination, title: title ?? undefined, source: 'dashboard' })).link;

beforeAll(async () => {
  t = await makeTestApp({ env: { TRUST_PROXY: 'true' } });
  [owner, other, admin] = [await signIn(), await signIn(), await signIn('pro', 'admin')];
  for (let i = 1; i <= 20; i++) await mk(owner, `https://example.com/seed/${i}`, `Seed ${String(i).padStart(2, '0')}`);
  hostile = await mk(owner, 'https://example.com/hostile', HOSTILE);
  others = await mk(other, 'https://example.org/private', 'Someone else’s link');
});
afterAll(() => t.close());

describe('GET /dashboard', () => {
  test('the whole page: shell, search with hx-trigger, the table, escaped hostile title', async () => {
    const res = await owner.get('/dashboard');
    const body = await res.text();
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(res.headers.get('vary')).toBe('HX-Request');
    expect(body).toContain('<!doctype html>');
    expect(body).toContain('hx-trigger="input changed delay:300ms, search"');
    expect(body).toContain('<div id="links-table" class="links-table">');
    expect(body).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(body).not.toContain(HOSTILE);
    expect(body).toContain(`data-copy="${BASE}/${hostile.code}"`);
    expect(body).toContain('Page 1 of 2');
    expect(body).not.toContain(others.code);
  });

  test('with HX-Request: only the table, and HX-Push-Url with the canonical view', async () => {
    const res = await owner.get('/dashboard?q=seed&sort=title&dir=asc&page=2&junk=1', { 'hx-request': 'true' });
    const body = await res.text();
    expect(res.status).toBe(200);
    expect(res.headers.get('hx-push-url')).toBe('/dashboard?q=seed&sort=title&dir=asc&page=2');
    expect(body).not.toContain('<html');
    expect(body).toContain('<input type="hidden" name="sort" value="title" form="links-filter">');
    expect(body).toContain('aria-sort="ascending"');
    const titles = [...body.matchAll(/title="(Seed \d+)"/g)].map((m) => m[1]);
    expect(titles).toEqual(['Seed 16', 'Seed 17', 'Seed 18', 'Seed 19', 'Seed 20']);
    expect(body).toContain('16–20 of 20');
  });

  test('the same URL without htmx (or a history restore) is the whole page with the same view', async () => {
    const variants: Record<string, string>[] = [{}, { 'hx-request': 'true', 'hx-history-restore-request': 'true' }];
    for (const headers of variants) {
      const body = await (await owner.get('/dashboard?q=Seed%2007', headers)).text();
      expect(body).toContain('<!doctype html>');
      expect(body).toContain('value="Seed 07"');
      expect(body).toContain('1–1 of 1');
    }
  });

  test('a page past the end shows the last page; no match and no links explain what to do', async () => {
    const late = await (await owner.get('/dashboard?page=99', { 'hx-request': 'true' })).text();
    expect(late).toContain('Page 2 of 2');
    const none = await (await owner.get('/dashboard?q=%3Cb%3Enothing', { 'hx-request': 'true' })).text();
    expect(none).toContain('No links match “&lt;b&gt;nothing”');
    const fresh = await signIn();
    expect(await (await fresh.get('/dashboard')).text()).toContain('No links yet — create your first one');
  });

  test('all=1 lists every user’s links for admins only, naming their owners; others’ rows can be paused or deleted, not edited', async () => {
    const member = await (await owner.get('/dashboard?all=1&q=private')).text();
    expect(member).not.toContain(others.code);
    expect(member).not.toContain('All users');
    const res = await admin.get('/dashboard?all=1&q=private', { 'hx-request': 'true' });
    const body = await res.text();
    expect(res.headers.get('hx-push-url')).toBe('/dashboard?q=private&all=1');
    expect(body).toContain(others.code);
    expect(body).toContain(`Owner: <bdi>${other.user.email}</bdi>`);
    expect(body).toContain(`hx-confirm="Delete ${others.code}, a link of ${other.user.email}? Its short URL stops working."`);
    expect(body).toContain(`/dashboard/links/${others.id}/toggle`);
    expect(body).toContain(`name="select_${others.id}"`);
    expect(body).not.toContain(`/dashboard/links/${others.id}/edit`);
    // the page as loaded (not the fragment) names them too
    expect(await (await admin.get('/dashboard?all=1&q=private')).text()).toContain(`Owner: <bdi>${other.user.email}</bdi>`);
  });
});

test('each of your rows offers a QR code for its link (the designer opens with the link chosen) and a duplicate', async () => {
  const page = await (await owner.get('/dashboard?q=hostile')).text();
  expect(page).toContain(`href="/dashboard/qrcodes/new?link_id=${hostile.id}"`);
  // and a copy of it (the form filled from it, without its code: link-form-features.test.ts)
  expect(page).toContain(`href="/dashboard/links/new?from=${hostile.id}" title="Duplicate"`);
  const designer = await (await owner.get(`/dashboard/qrcodes/new?link_id=${hostile.id}`)).text();
  expect(designer).toMatch(new RegExp(`<option value="${hostile.id}"[^>]*selected`));
});

describe('an admin taking down links (abuse, anonymous links)', () => {
  const visit = async (code: string) => (await t.app.handle(new Request(`${BASE}/${code}`))).status;

  test('pauses, re-activates and deletes another user’s link from the table, each said in the log', async () => {
    const { logged, restore } = captureInfo(t.deps.logger);
    try {
      const link = await mk(other, 'https://example.org/abuse');
      const paused = await admin.post(`/dashboard/links/${link.id}/toggle`, { active: '0' }, { hx: true });
      expect([paused.status, (await paused.text()).includes(`Owner: <bdi>${other.user.email}</bdi>`), await visit(link.code)]).toEqual([200, true, 404]);
      expect((await admin.post(`/dashboard/links/${link.id}/toggle`, { active: '1' }, { hx: true })).status).toBe(200);
      expect(await visit(link.code)).toBe(302);
      expect((await admin.post(`/dashboard/links/${link.id}/delete`, {}, { hx: true })).status).toBe(200);
      expect(await visit(link.code)).toBe(404);
      expect(logged).toEqual([
        `admin paused another user's link {"admin_id":${admin.user.id},"link_id":${link.id},"code":"${link.code}","owner_id":${other.user.id}}`,
        `admin activated another user's link {"admin_id":${admin.user.id},"link_id":${link.id},"code":"${link.code}","owner_id":${other.user.id}}`,
        `admin deleted another user's link {"admin_id":${admin.user.id},"link_id":${link.id},"code":"${link.code}","owner_id":${other.user.id}}`,
      ]);
    } finally {
      restore();
    }
  });

  test('anonymous links too, one at a time or in bulk; editing stays the owner’s', async () => {
    const anon = [(await t.services.links.create(null, { destination: 'https://example.net/phish-1' })).link, (await t.services.links.create(null, { destination: 'https://example.net/phish-2' })).link];
    const listed = await (await admin.get('/dashboard?all=1&q=phish', { 'hx-request': 'true' })).text();
    expect(listed).toContain('Owner: <bdi>anonymous</bdi>');
    expect(listed).toContain(`hx-confirm="Delete ${anon[0]!.code}, an anonymous link? Its short URL stops working."`);
    const bulk = await admin.post('/dashboard/links/bulk', { action: 'deactivate', all: '1', [`select_${anon[0]!.id}`]: '1', [`select_${anon[1]!.id}`]: '1' }, { hx: true });
    expect([bulk.status, bulk.headers.get('hx-trigger')]).toEqual([200, expect.stringContaining('Paused 2 links.')]);
    expect([await visit(anon[0]!.code), await visit(anon[1]!.code)]).toEqual([404, 404]);
    await admin.post('/dashboard/links/bulk', { action: 'delete', [`select_${anon[0]!.id}`]: '1' }, { hx: true });
    expect(await t.services.links.findUndeleted(anon[0]!.id)).toBeNull();
    expect((await admin.get(`/dashboard/links/${others.id}/edit`)).status).toBe(404);
  });

  test('the export of every user’s links names each link’s owner; an export of one’s own has no such column', async () => {
    await t.services.links.create(null, { destination: 'https://example.net/owner-column' });
    const all = parseCsv(await (await admin.get('/dashboard/links.csv?all=1&q=private')).text());
    expect(all[0]!.at(-1)).toBe('owner');
    expect(all.slice(1).map((r) => [r[0], r.at(-1)])).toEqual([[others.code, other.user.email]]);
    const anon = parseCsv(await (await admin.get('/dashboard/links.csv?all=1&q=owner-column')).text());
    expect(anon.slice(1).map((r) => r.at(-1))).toEqual(['anonymous']);
    expect(parseCsv(await (await owner.get('/dashboard/links.csv')).text())[0]).not.toContain('owner');
    // read back by the import, the column is no reason to refuse a row (its code kept as the export's own)
    const csv = (await (await admin.get('/dashboard/links.csv?all=1&q=owner-column')).text()).replace(/\r\n[^,]+,/, '\r\n,');
    expect(await (await admin.post('/dashboard/links/import', { csv }, { hx: true })).text()).toContain('Imported 1 of 1 row');
  });

  test('a member still cannot pause or delete another user’s link, alone or in bulk', async () => {
    const link = await mk(other, 'https://example.org/not-yours');
    expect((await owner.post(`/dashboard/links/${link.id}/toggle`, { active: '0' }, { hx: true })).status).toBe(404);
    expect((await owner.post(`/dashboard/links/${link.id}/delete`, {}, { hx: true })).status).toBe(404);
    await owner.post('/dashboard/links/bulk', { action: 'delete', [`select_${link.id}`]: '1' }, { hx: true });
    expect([await visit(link.code), (await t.services.links.get(other.actor, link.id)).isActive]).toEqual([302, true]);
  });
});

describe('the status filter', () => {
  test('lists the links of one standing, as their badges name it, with a search, in the export and after a bulk action', async () => {
    const b = await signIn();
    const [active, paused, expired, locked] = [await mk(b, 'https://example.com/st-active'), await mk(b, 'https://example.com/st-paused'), await mk(b, 'https://example.com/st-expired'), await mk(b, 'https://example.com/st-locked')];
    await t.services.links.update(b.actor, paused, { isActive: false });
    t.sqlite.query('UPDATE links SET expires_at = ? WHERE id = ?').run(Date.now() - 60_000, expired.id);
    await t.services.links.update(b.actor, locked, { password: 'hunter2-hunter2' });
    const codes = async (query: string) => [...(await (await b.get(`/dashboard?${query}`, { 'hx-request': 'true' })).text()).matchAll(/<span class="code">([^<]+)<\/span>/g)].map((m) => m[1]);
    expect(await codes('status=active')).toEqual([active.code]);
    expect(await codes('status=paused')).toEqual([paused.code]);
    expect(await codes('status=expired')).toEqual([expired.code]);
    expect(await codes('status=password')).toEqual([locked.code]);
    expect(await codes('status=paused&q=st-active')).toEqual([]);
    expect((await codes('status=nonsense')).length).toBe(4);
    const page = await (await b.get('/dashboard?status=paused')).text();
    expect(page).toContain('<option value="paused" selected>Paused</option>');
    expect(page).toContain('data-view-summary="1 link (paused), 1 to 1 shown');
    expect(page).toContain('<input type="hidden" name="status" value="paused">');
    const csv = parseCsv(await (await b.get('/dashboard/links.csv?status=expired')).text());
    expect(csv.slice(1).map((r) => r[0])).toEqual([expired.code]);
    // activating from the paused view redraws the paused view, now empty
    const bulk = await b.post('/dashboard/links/bulk', { action: 'activate', status: 'paused', [`select_${paused.id}`]: '1' }, { hx: true });
    const redrawn = await bulk.text();
    expect([bulk.headers.get('hx-replace-url'), redrawn.includes('No paused links')]).toEqual(['/dashboard?status=paused', true]);
  });
});

test('/dashboard/links, where the list would seem to be, leads to it with its query', async () => {
  const res = await owner.get('/dashboard/links?q=sale&page=2');
  expect([res.status, res.headers.get('location')]).toEqual([308, '/dashboard?q=sale&page=2']);
});

describe('row actions', () => {
  test('toggle: the row fragment with the new status and a toast; again re-activates', async () => {
    const link = await mk(owner, 'https://example.com/toggle', HOSTILE);
    const res = await owner.post(`/dashboard/links/${link.id}/toggle`, {}, { hx: true });
    const row = await res.text();
    expect(res.status).toBe(200);
    expect(row.startsWith(`<tr id="link-${link.id}">`)).toBe(true);
    expect(row).toContain('<span class="badge badge-paused">Paused</span>');
    expect(row).not.toContain(HOSTILE);
    expect(JSON.parse(res.headers.get('hx-trigger')!).toast.message).toContain('paused');
    expect((await t.services.links.get(owner.actor, link.id)).isActive).toBe(false);
    const plain = await owner.post(`/dashboard/links/${link.id}/toggle`, {});
    expect(plain.status).toBe(303);
    expect((await t.services.links.get(owner.actor, link.id)).isActive).toBe(true);
  });

  test('toggle sets the state its button showed: a double click (or a second tab) does not undo the first', async () => {
    const link = await mk(owner, 'https://example.com/double-click', 'Double');
    const page = await (await owner.get('/dashboard')).text();
    const form = new RegExp(`action="/dashboard/links/${link.id}/toggle"[^>]*>.*?<input type="hidden" name="active" value="(\\d)">`).exec(page);
    expect(form?.[1]).toBe('0');
    const [first, second] = await Promise.all([0, 1].map(() => owner.post(`/dashboard/links/${link.id}/toggle`, { active: '0' }, { hx: true })));
    for (const res of [first!, second!]) expect(JSON.parse(res.headers.get('hx-trigger')!).toast.message).toContain('paused');
    expect((await t.services.links.get(owner.actor, link.id)).isActive).toBe(false);
    const row = await (await owner.post(`/dashboard/links/${link.id}/toggle`, { active: '0' }, { hx: true })).text();
    expect(row).toContain('name="active" value="1"');
    expect((await t.services.links.get(owner.actor, link.id)).isActive).toBe(false);
  });

  test('a delete with an HX-Current-URL that does not parse still answers (a hand-made header, not a 500)', async () => {
    const link = await mk(owner, 'https://example.com/odd-header', 'Odd header');
    const res = await owner.post(`/dashboard/links/${link.id}/delete`, {}, { hx: true, headers: { 'hx-current-url': 'http://[' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('hx-retarget')).toBe('#links-table');
  });

  test('toggle: activating an expired link does not claim it is active again', async () => {
    const link = await mk(owner, 'https://example.com/toggle-expired', 'Expired one');
    t.services.db.sqlite.query('UPDATE links SET expires_at = ?, is_active = 0 WHERE id = ?').run(Date.now() - 1000, link.id);
    const res = await owner.post(`/dashboard/links/${link.id}/toggle`, {}, { hx: true });
    const message = JSON.parse(res.headers.get('hx-trigger')!).toast.message as string;
    expect(message).not.toContain('active again');
    expect(message).toContain('has expired');
    expect(await res.text()).toContain('Expired');
  });

  test('delete: the view it was deleted from is redrawn (counts, rows, empty state); the link is gone', async () => {
    const links = [await mk(owner, 'https://example.com/delete-1', 'Doomed 1'), await mk(owner, 'https://example.com/delete-2', 'Doomed 2')];
    const from = { 'hx-current-url': `${BASE}/dashboard?q=Doomed&sort=title&dir=asc` };
    const res = await owner.post(`/dashboard/links/${links[0]!.id}/delete`, {}, { hx: true, headers: from });
    expect(res.status).toBe(200);
    expect([res.headers.get('hx-retarget'), res.headers.get('hx-reswap'), res.headers.get('hx-replace-url')]).toEqual(['#links-table', 'innerHTML', '/dashboard?q=Doomed&sort=title&dir=asc']);
    const body = await res.text();
    expect(body).toContain('1–1 of 1');
    expect(body).toContain('Doomed 2');
    expect(body).not.toContain('Doomed 1');
    expect(res.headers.get('hx-trigger')).toContain('was deleted');
    await expect(t.services.links.get(owner.actor, links[0]!.id)).rejects.toThrow('Link not found.');
    const last = await (await owner.post(`/dashboard/links/${links[1]!.id}/delete`, {}, { hx: true, headers: from })).text();
    expect(last).toContain('No links match “Doomed”');
  });

  test('without the CSRF token: 403 (htmx: into #toast); another user’s link: 404 and untouched', async () => {
    const noToken = await owner.post(`/dashboard/links/${hostile.id}/delete`, {}, { hx: true, csrf: false });
    expect(noToken.status).toBe(403);
    expect(noToken.headers.get('hx-retarget')).toBe('#toast');
    const plain = await owner.post(`/dashboard/links/${hostile.id}/toggle`, {}, { csrf: false });
    expect(plain.status).toBe(403);
    for (const action of ['toggle', 'delete']) expect((await owner.post(`/dashboard/links/${others.id}/${action}`, {}, { hx: true })).status).toBe(404);
    expect((await t.services.links.get(other.actor, others.id)).isActive).toBe(true);
    expect((await t.services.links.get(owner.actor, hostile.id)).isActive).toBe(true);
  });

  test('bulk: deactivate and delete the selected (own) links, re-render the view with a toast', async () => {
    const [a, b] = [await mk(owner, 'https://example.com/bulk-a', 'Bulk A'), await mk(owner, 'https://example.com/bulk-b', 'Bulk B')];
    const view = { q: 'Bulk', sort: 'title', dir: 'asc', page: '1' };
    const off = await owner.post('/dashboard/links/bulk', { ...view, action: 'deactivate', [`select_${a.id}`]: '1', [`select_${b.id}`]: '1', [`select_${others.id}`]: '1' }, { hx: true });
    const body = await off.text();
    expect(off.status).toBe(200);
    // the same view redrawn: the history entry is replaced, not added (one Back still leaves the page)
    expect(off.headers.get('hx-replace-url')).toBe('/dashboard?q=Bulk&sort=title&dir=asc');
    expect(off.headers.get('hx-push-url')).toBeNull();
    expect(JSON.parse(off.headers.get('hx-trigger')!).toast.message).toBe('Paused 2 links.');
    expect(body.match(/badge-paused/g)?.length).toBe(2);
    expect((await t.services.links.get(other.actor, others.id)).isActive).toBe(true);
    const on = await owner.post('/dashboard/links/bulk', { ...view, action: 'activate', [`select_${a.id}`]: '1' }, { hx: true });
    expect(JSON.parse(on.headers.get('hx-trigger')!).toast.message).toBe('Activated 1 link.');
    expect([(await t.services.links.get(owner.actor, a.id)).isActive, (await t.services.links.get(owner.actor, b.id)).isActive]).toEqual([true, false]);
    const gone = await owner.post('/dashboard/links/bulk', { ...view, action: 'delete', [`select_${a.id}`]: '1', [`select_${b.id}`]: '1', [`select_${others.id}`]: '1' }, { hx: true });
    expect(await gone.text()).toContain('No links match');
    // what the page shows of the deleted links (a "ready" or "saved" panel) goes with them; another user's id was skipped
    expect(JSON.parse(gone.headers.get('hx-trigger')!).gone.value).toEqual([`link-${a.id}`, `link-${b.id}`]);
    const empty = await owner.post('/dashboard/links/bulk', { action: 'delete' }, { hx: true });
    expect(empty.headers.get('hx-trigger')).toContain('Select at least one link first.');
    expect((await owner.post('/dashboard/links/bulk', { action: 'delete', [`select_${hostile.id}`]: '1' }, { csrf: false })).status).toBe(403);
    expect((await t.services.links.get(owner.actor, hostile.id)).id).toBe(hostile.id);
  });
});

describe('create and edit', () => {
  test('GET /dashboard/links/new: labelled fields, UTC expiry, the UTM preview wired to hx-get', async () => {
    const body = await (await owner.get('/dashboard/links/new')).text();
    for (const id of ['url', 'title', 'code', 'password', 'expires_at', 'utm_source', 'utm_content', 'schedule_url_0']) expect(body).toContain(`<label for="${id}"`);
    expect(body).toContain('Expires (UTC)');
    expect(body).toContain('hx-get="/dashboard/links/utm-preview" hx-trigger="input changed delay:200ms from:[data-utm]"');
    expect(body).toContain('name="_csrf"');
  });

  test('POST creates with alias, UTM, bridge mode, expiry (UTC) and a schedule → 303 and the banner', async () => {
    const res = await owner.post('/dashboard/links/new', {
      url: 'https://example.com/launch', code: 'launch-day', title: '', redirect_mode: 'bridge', expires_at: '2099-01-02T03:04',
      utm_source: 'news', utm_medium: 'email', utm_campaign: '', utm_term: '', utm_content: '',
      schedule_start_0: '2098-01-01T00:00', schedule_end_0: '', schedule_url_0: 'https://example.com/later',
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/dashboard?created=launch-day');
    const link = await t.services.links.getByCode(owner.actor, 'launch-day');
    expect(link).toMatchObject({ redirectMode: 'bridge', expiresAt: Date.UTC(2099, 0, 2, 3, 4), source: 'dashboard', title: 'example.com' });
    expect(link.utm).toMatchObject({ source: 'news', medium: 'email', campaign: null });
    expect(await t.services.links.schedules(link.id)).toMatchObject([{ startsAt: Date.UTC(2098, 0, 1), endsAt: null, destination: 'https://example.com/later' }]);
    expect(await (await owner.get('/dashboard?created=launch-day')).text()).toContain('Your short link is ready');
  });

  test('schedules past the 50 a link takes are refused with the form kept, not dropped; a row numbered past 999 counts', async () => {
    const rows = (n: number, from = 0) =>
      Object.fromEntries(Array.from({ length: n }, (_, i) => [`schedule_start_${from + i}`, `2098-01-${String((i % 28) + 1).padStart(2, '0')}T00:00`]).concat(
        Array.from({ length: n }, (_, i) => [`schedule_url_${from + i}`, `https://example.com/s${i}`]),
      ));
    const refused = await owner.post('/dashboard/links/new', { url: 'https://example.com/many', code: 'many-schedules', ...rows(51) });
    expect(refused.status).toBe(422);
    const page = await refused.text();
    expect(page).toContain('A link takes at most 50 schedules: remove one.');
    expect(page).toContain('https://example.com/s50');
    expect(await t.services.links.getByCode(owner.actor, 'many-schedules').catch(() => null)).toBeNull();
    const saved = await owner.post('/dashboard/links/new', { url: 'https://example.com/many', code: 'fifty-schedules', ...rows(49), ...rows(1, 1234) });
    expect(saved.status).toBe(303);
    const link = await t.services.links.getByCode(owner.actor, 'fifty-schedules');
    expect((await t.services.links.schedules(link.id)).length).toBe(50);
  });

  test('an edit that leaves the times as shown keeps them to the millisecond, even an expiry within the current minute', async () => {
    const now = Date.now();
    const minute = Math.floor(now / 60_000) * 60_000;
    // later in this minute when there is time left in it, so the minute the form shows has already passed
    const expiresAt = minute + 59_917 > now + 3_000 ? minute + 59_917 : minute + 120_000 + 44_917;
    const start = Date.UTC(2098, 4, 6, 7, 8, 9, 123);
    const { link } = await t.services.links.create(owner.actor, {
      destination: 'https://example.com/seconds', expiresAt, schedules: [{ startsAt: start, endsAt: start + 61_001, destination: 'https://example.com/sched' }],
    });
    // shown with the seconds and milliseconds it has (a minute would be in the past, or end a window before it starts)
    const shown = toUtcLocal;
    const page = await (await owner.get(`/dashboard/links/${link.id}/edit`)).text();
    expect(page).toContain(`value="${new Date(expiresAt).toISOString().slice(0, 23)}" step="0.001"`);
    expect(page).toContain(`value="${new Date(start).toISOString().slice(0, 23)}" step="0.001"`);
    const res = await owner.post(`/dashboard/links/${link.id}/edit`, {
      url: 'https://example.com/seconds', code: link.code, title: 'Renamed', redirect_mode: 'direct', expires_at: shown(expiresAt),
      schedule_start_0: shown(start), schedule_end_0: shown(start + 61_001), schedule_url_0: 'https://example.com/sched',
    });
    expect(res.status).toBe(303);
    const after = await t.services.links.get(owner.actor, link.id);
    expect([after.title, after.expiresAt]).toEqual(['Renamed', expiresAt]);
    expect(await t.services.links.schedules(link.id)).toMatchObject([{ startsAt: start, endsAt: start + 61_001 }]);
    // a schedule set through the API whose start and end fall in one shown minute survives an edit as it was
    const tight = [
      { startsAt: start, endsAt: start + 30_000, destination: 'https://example.com/a' },
      { startsAt: start + 50_000, endsAt: start + 55_000, destination: 'https://example.com/b' },
    ];
    await t.services.links.update(owner.actor, await t.services.links.get(owner.actor, link.id), { schedules: tight });
    const tightRes = await owner.post(`/dashboard/links/${link.id}/edit`, {
      url: 'https://example.com/seconds', code: link.code, title: 'Renamed', redirect_mode: 'direct', expires_at: shown(expiresAt),
      ...Object.fromEntries(tight.flatMap((s, i) => [[`schedule_start_${i}`, shown(s.startsAt)], [`schedule_end_${i}`, shown(s.endsAt)], [`schedule_url_${i}`, s.destination]])),
    });
    expect(tightRes.status).toBe(303);
    expect(await t.services.links.schedules(link.id)).toMatchObject(tight);
    // a time the person changed is taken as typed
    await owner.post(`/dashboard/links/${link.id}/edit`, { url: 'https://example.com/seconds', code: link.code, title: 'Renamed', redirect_mode: 'direct', expires_at: '2099-03-04T05:06' });
    expect((await t.services.links.get(owner.actor, link.id)).expiresAt).toBe(Date.UTC(2099, 2, 4, 5, 6));
  });

  test('validation errors sit beside their field with 422, keeping the (escaped) input', async () => {
    const cases: [Record<string, string>, string, string][] = [
      [{ url: `https://exa mple.com/"${HOSTILE}` }, 'url', 'must be a valid URL'],
      [{ url: 'https://example.com/x', code: 'launch-day' }, 'code', 'The alias has already been taken.'],
      [{ url: 'https://example.com/x', code: 'no' }, 'code', 'The alias must be 3 to 32'],
      [{ url: 'https://example.com/x', expires_at: '2001-01-01T00:00' }, 'expires_at', 'must be a date after now'],
      [{ url: 'https://example.com/x', expires_at: 'soon' }, 'expires_at', 'not a valid date'],
      [{ url: 'https://example.com/x', expires_at: '2099-01-02T10:60' }, 'expires_at', 'not a valid date'],
      [{ url: 'https://example.com/x', expires_at: '2099-13-01T10:00' }, 'expires_at', 'not a valid date'],
      [{ url: 'https://example.com/x', schedule_start_0: '2099-01-01T00:00', schedule_url_0: '' }, 'schedules', 'needs an alternate destination'],
      [{ url: 'https://example.com/x', title: HOSTILE.repeat(60) }, 'title', 'must not be greater than 500'],
    ];
    for (const [form, field, message] of cases) {
      const res = await owner.post('/dashboard/links/new', form);
      const body = await res.text();
      expect(res.status).toBe(422);
      expect(body).toContain(`<p class="field-error" id="${field}-error">`);
      expect(body).toContain(message);
      expect(body).not.toContain(HOSTILE);
    }
    const kept = await (await owner.post('/dashboard/links/new', { url: `https://x.example/"${HOSTILE}`, title: HOSTILE })).text();
    expect(kept).toContain('value="&lt;img src=x onerror=alert(1)&gt;"');
    // the password is not sent back: the form says so beside it, or the link would be saved unprotected
    const secret = await (await owner.post('/dashboard/links/new', { url: 'https://example.com/x', code: 'no', password: 'hunter22' })).text();
    expect(secret).toContain('<p class="field-error" id="password-error">Enter the password again');
    expect(secret).not.toContain('hunter22');
    const noSecret = await (await owner.post('/dashboard/links/new', { url: 'https://example.com/x', code: 'no' })).text();
    expect(noSecret).not.toContain('id="password-error"');
  });

  test('a plan without aliases: the field is disabled, and a forced alias is a form error (403 feature)', async () => {
    const free = await signIn('free');
    expect(await (await free.get('/dashboard/links/new')).text()).toMatch(/id="code" name="code"[^>]* disabled/);
    const res = await free.post('/dashboard/links/new', { url: 'https://example.com/x', code: 'mine-now' });
    expect(res.status).toBe(422);
    expect(await res.text()).toContain('<p class="alert" role="alert" id="form-error">Custom aliases require a Pro or Enterprise plan.</p>');
    expect((await free.post('/dashboard/links/new', { url: 'https://example.com/free', title: 'Free' })).status).toBe(303);
  });

  test('edit: Cancel and Save go back to the list view it was opened from, and saving is confirmed', async () => {
    const link = await mk(owner, 'https://example.com/return', 'Return trip');
    const from = `${BASE}/dashboard?sort=code&dir=asc&page=2`;
    const form = await (await owner.get(`/dashboard/links/${link.id}/edit`, { referer: from })).text();
    expect(form).toContain('<input type="hidden" name="back" value="/dashboard?sort=code&amp;dir=asc&amp;page=2">');
    expect(form).toContain('<a class="button secondary" href="/dashboard?sort=code&amp;dir=asc&amp;page=2">Cancel</a>');
    const saved = await owner.post(`/dashboard/links/${link.id}/edit`, { url: 'https://example.com/return', code: link.code, title: 'Round trip', back: '/dashboard?sort=code&dir=asc&page=2' });
    expect(saved.status).toBe(303);
    expect(saved.headers.get('location')).toBe(`/dashboard?sort=code&dir=asc&page=2&saved=${link.code}`);
    const list = await (await owner.get(saved.headers.get('location')!)).text();
    expect(list).toContain(`Changes to <strong>${link.code}</strong> saved.`);
    // behind a TLS-terminating proxy the page is https:// while the request is http://: the view is still kept
    const proxied = await (await owner.get(`/dashboard/links/${link.id}/edit`, { referer: 'https://short.example/dashboard?q=trip' })).text();
    expect(proxied).toContain('<input type="hidden" name="back" value="/dashboard?q=trip">');
    // only ever the list: another site or page is no place to return to
    for (const back of ['https://evil.example/dashboard', '//evil.example/dashboard', '/dashboard/keys', 'javascript:alert(1)']) {
      const res = await owner.post(`/dashboard/links/${link.id}/edit`, { url: 'https://example.com/return', code: link.code, back });
      expect([back, res.headers.get('location')]).toEqual([back, `/dashboard?saved=${link.code}`]);
    }
    // someone else's code in ?saved= confirms nothing
    expect(await (await owner.get(`/dashboard?saved=${others.code}`)).text()).not.toContain('saved.</div>');
  });

  test('edit: prefilled and escaped, saves changes, removes the password; another user’s → 404', async () => {
    const link = (await t.services.links.create(owner.actor, { destination: 'https://example.com/e', title: HOSTILE, password: 'secret-1', expiresAt: Date.UTC(2099, 5, 1) })).link;
    const form = await (await owner.get(`/dashboard/links/${link.id}/edit`)).text();
    expect(form).toContain('value="&lt;img src=x onerror=alert(1)&gt;"');
    expect(form).toContain('value="2099-06-01T00:00"');
    expect(form).toContain('name="remove_password"');
    // a new password and "remove" together: refused, the link keeps its password
    const both = await owner.post(`/dashboard/links/${link.id}/edit`, { url: 'https://example.com/e', code: link.code, password: 'newpass1', remove_password: '1' });
    expect(both.status).toBe(422);
    expect(await both.text()).toContain('Either type a new password or tick “Remove the password”, not both.');
    expect((await t.services.links.get(owner.actor, link.id)).passwordHash).not.toBeNull();
    const res = await owner.post(`/dashboard/links/${link.id}/edit`, { url: 'https://example.com/e2', code: link.code, title: 'Renamed', redirect_mode: 'preview', expires_at: '', remove_password: '1', utm_campaign: 'spring' });
    expect(res.status).toBe(303);
    const saved = await t.services.links.get(owner.actor, link.id);
    expect(saved).toMatchObject({ destination: 'https://example.com/e2', title: 'Renamed', redirectMode: 'preview', expiresAt: null, passwordHash: null });
    expect(saved.utm?.campaign).toBe('spring');
    expect((await owner.get(`/dashboard/links/${others.id}/edit`)).status).toBe(404);
    expect((await owner.post(`/dashboard/links/${others.id}/edit`, { url: 'https://evil.example/' })).status).toBe(404);
    expect((await owner.post(`/dashboard/links/${link.id}/edit`, { url: 'https://evil.example/' }, { csrf: false })).status).toBe(403);
    expect((await t.services.links.get(other.actor, others.id)).destination).toBe('https://example.org/private');
  });

  test('the UTM preview fragment: tagged, empty, invalid, escaped', async () => {
    const q = (p: Record<string, string>) => owner.get(`/dashboard/links/utm-preview?${new URLSearchParams(p)}`, { 'hx-request': 'true' });
    const ok = await q({ url: 'https://example.com/p?a=1', utm_source: 'news', utm_campaign: `"${HOSTILE}` });
    expect(ok.status).toBe(200);
    const body = await ok.text();
    expect(body).toStartWith('<code>https://example.com/p?a=1&amp;utm_source=news&amp;utm_campaign=');
    expect(body).not.toContain('<img');
    expect(await (await q({ url: 'https://example.com/' })).text()).toContain('Fill in a UTM field');
    expect(await (await q({ url: 'javascript:alert(1)', utm_source: 'x' })).text()).toContain('Enter a valid http(s) destination');
  });
});

describe('CSV import and export', () => {
  test('import: per-row results in the fragment; header columns in any order; bad rows reported', async () => {
    const csv = 'title,url,alias\r\n"Quoted, title",https://example.com/i1,imported-one\r\nNo scheme,example.com/i2,\r\n' + `${HOSTILE},https://example.com/i3,imported-one\r\n`;
    const res = await owner.post('/dashboard/links/import', { csv }, { hx: true });
    const body = await res.text();
    expect(res.status).toBe(200);
    expect(body).not.toContain('<html');
    expect(body).toContain('Imported 1 of 3 rows');
    expect(body).toContain(`${BASE.replace('http://', '')}/imported-one`);
    expect(body).toContain('The destination URL must be a valid URL.');
    expect(body).toContain('The alias has already been taken.');
    expect((await t.services.links.getByCode(owner.actor, 'imported-one')).title).toBe('Quoted, title');
    const page = await owner.post('/dashboard/links/import', { csv: 'https://example.com/plain-1\nhttps://example.com/plain-2\n' });
    const whole = await page.text();
    expect(whole).toContain('<!doctype html>');
    // this app fetches no page titles (OG_FETCH=false): the page does not promise any
    expect(whole).toContain('<p class="success" role="status">Every row was imported.</p>');
  });

  test('import without a header takes each line whole: URLs with commas and semicolons are kept, not cut', async () => {
    const urls = ['https://example.com/page;jsessionid=ABC123', 'https://www.google.com/maps/@48.8584,2.2945,17z', 'https://res.cloudinary.com/demo/image/upload/w_100,h_100/sample.jpg'];
    const res = await owner.post('/dashboard/links/import', { csv: `${urls.join('\r\n')}\r\n"https://example.com/quoted,one"\n` }, { hx: true });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('Imported 4 of 4 rows');
    const mine = await t.services.links.list(owner.actor, { page: 1, perPage: 100, search: 'https://' });
    const destinations = new Set(mine.items.map((l) => l.destination));
    for (const url of [...urls, 'https://example.com/quoted,one']) expect(destinations).toContain(url);
    // a lone url header column: no separator to guess either
    const single = await owner.post('/dashboard/links/import', { csv: 'url\nhttps://maps.example/@1.2,3.4\n' }, { hx: true });
    expect(await single.text()).toContain('Imported 1 of 1 row<');
    const found = await t.services.links.list(owner.actor, { page: 1, perPage: 10, search: 'maps.example' });
    expect(found.items.map((l) => l.destination)).toEqual(['https://maps.example/@1.2,3.4']);
  });

  test('imports are limited to 10 a minute per user (each may fetch 1,000 pages), with Retry-After', async () => {
    const busy = await signIn();
    for (let i = 0; i < 10; i++) expect((await busy.post('/dashboard/links/import', { csv: `https://example.com/batch-${i}` }, { hx: true })).status).toBe(200);
    const refused = await busy.post('/dashboard/links/import', { csv: 'https://example.com/batch-11' }, { hx: true });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await refused.text()).toContain('10 imports in a minute');
    // another user is not held up by it
    expect((await owner.post('/dashboard/links/import', { csv: 'https://example.com/someone-else' }, { hx: true })).status).toBe(200);
  });

  test('an import refused for the plan\'s link limit is not counted against the 10 a minute', async () => {
    await t.services.plans.update('free', { maxLinks: 2 });
    try {
      const small = await signIn('free');
      for (let i = 0; i < 12; i++) {
        const res = await small.post('/dashboard/links/import', { csv: 'https://example.com/1\nhttps://example.com/2\nhttps://example.com/3' }, { hx: true });
        expect([i, res.status]).toEqual([i, 422]);
        if (i === 0) expect(await res.text()).toContain('This file would add 3 links, but there is room for 2 more (0 of 2 links on the free plan). Import at most 2 rows, or delete some links first. Nothing was imported.');
      }
      expect((await small.post('/dashboard/links/import', { csv: 'https://example.com/fits' }, { hx: true })).status).toBe(200);
    } finally {
      await t.services.plans.update('free', { maxLinks: 100 });
    }
  });

  test('at the link limit, the form and the import say how many of the links have expired (they count until deleted)', async () => {
    await t.services.plans.update('pro', { maxLinks: 2 });
    try {
      const full = await signIn('pro');
      for (const n of [1, 2]) {
        const link = await mk(full, `https://example.com/expiring-${n}`);
        t.sqlite.query('UPDATE links SET expires_at = ? WHERE id = ?').run(Date.now() - 60_000, link.id);
      }
      const form = await full.post('/dashboard/links/new', { url: 'https://example.com/one-more' });
      expect(await form.text()).toContain('You reached your link limit for the current plan. 2 of your links have expired and still count: delete them to make room.');
      const imported = await full.post('/dashboard/links/import', { csv: 'https://example.com/one-more' }, { hx: true });
      expect(await imported.text()).toContain('Nothing was imported. 2 of your links have expired and still count: delete them to make room.');
    } finally {
      await t.services.plans.update('pro', { maxLinks: 10_000 });
    }
  });

  test('import refuses an empty file, more than 1000 rows, and a missing CSRF token', async () => {
    const empty = await owner.post('/dashboard/links/import', { csv: '\n \n' }, { hx: true });
    expect(empty.status).toBe(422);
    const big = await owner.post('/dashboard/links/import', { csv: Array.from({ length: 1001 }, (_, i) => `https://example.com/${i}`).join('\n') }, { hx: true });
    expect(big.status).toBe(422);
    expect(await big.text()).toContain('import at most 1,000 at a time');
    expect((await owner.post('/dashboard/links/import', { csv: 'https://example.com/z' }, { csrf: false })).status).toBe(403);
  });

  test('export: the filtered view as an attachment, with formula injection neutralised', async () => {
    await mk(owner, 'https://example.com/formula', '=HYPERLINK("http://evil.example","x")');
    const res = await owner.get('/dashboard/links.csv?q=formula');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="shrinkray-links-\d{4}-\d{2}-\d{2}\.csv"$/);
    const rows = parseCsv(await res.text());
    expect(rows[0]).toEqual(['code', 'short_url', 'destination', 'title', 'clicks', 'unique_clicks', 'status', 'created_at', 'expires_at']);
    expect(rows).toHaveLength(2);
    expect(rows[1]![3]).toBe(`'=HYPERLINK("http://evil.example","x")`);
    const all = parseCsv(await (await owner.get('/dashboard/links.csv')).text());
    expect(all.length).toBeGreaterThan(21);
  });

  test('export: a searched and sorted view of more than a page (1,234 matches) comes whole, in the view\'s order, a part at a time', async () => {
    const b = await signIn();
    const made = await t.services.links.createMany(
      b.actor,
      Array.from({ length: 1234 }, (_, i) => ({ destination: `https://bulk.example/item/${i}`, title: `Bulk ${String(i).padStart(4, '0')}`, metadata: 'none' as const })),
    );
    expect(made.every((r) => r.ok)).toBe(true);
    await mk(b, 'https://elsewhere.example/x', 'Not matching');
    const res = await b.get('/dashboard/links.csv?q=BULK.example&sort=title&dir=desc');
    // written 200 rows at a time, with a turn of the event loop for other requests between
    const { value: text, turns } = await turnsDuring(res.text());
    expect(turns).toBeGreaterThanOrEqual(6);
    const rows = parseCsv(text);
    expect(rows).toHaveLength(1235);
    expect(rows.slice(1).map((r) => r[3])).toEqual(Array.from({ length: 1234 }, (_, i) => `Bulk ${String(1233 - i).padStart(4, '0')}`));
  });

  test('import results name each row by the line it starts on in the file (blank lines and quoted newlines counted)', async () => {
    const csv = 'url,title\n\nhttps://example.com/line-3,"two\nlines"\n\n\nnot a url,x\r\nhttps://example.com/line-7,y\n';
    const body = await (await owner.post('/dashboard/links/import', { csv }, { hx: true })).text();
    const lines = [...body.matchAll(/<td data-label="Line" class="num">(\d+)<\/td><td data-label="URL"[^>]*><span>([^<]*)</g)].map((m) => [Number(m[1]), m[2]]);
    expect(lines).toEqual([
      [3, 'https://example.com/line-3'],
      [7, 'not a url'],
      [8, 'https://example.com/line-7'],
    ]);
    const plain = await (await owner.post('/dashboard/links/import', { csv: '\n\nnot-a-url-either\n' }, { hx: true })).text();
    expect(plain).toContain('<td data-label="Line" class="num">3</td>');
  });

  test('csv helpers: quoting, separators, formula prefixes', () => {
    expect(['=1+2', '+1', '-1', '@SUM(A1)', 'plain', 'a,b', 'say "hi"'].map(csvCell)).toEqual(["'=1+2", "'+1", "'-1", "'@SUM(A1)", 'plain', '"a,b"', '"say ""hi"""']);
    expect(parseCsv('\uFEFFurl;title\r\n"https://e.com/a;b";"multi\nline"\n\n')).toEqual([['url', 'title'], ['https://e.com/a;b', 'multi\nline']]);
    // guarded on export so that the import gives back exactly what was written, apostrophes included
    expect(["'=x", "''-y", "'plain"].map(csvCell)).toEqual(["''=x", "'''-y", "'plain"]);
    // a quote opens a quoted field only after nothing but blanks; after other text it is kept
    expect(parseCsv(' \t "x,y",a"b"c,"q""uote" tail\n', ',')).toEqual([['x,y', 'a"b"c', 'q"uote tail']]);
    // after a quoted field of blanks a quote opens another; a field left open takes the rest of the text
    expect(parseCsv('" " "x"', ',')).toEqual([['x']]);
    expect(parseCsv('"unterminated,\nstill"more', ',')).toEqual([['unterminated,\nstillmore']]);
    expect(parseCsv('a;"b"";c"\r\n', ';')).toEqual([['a', 'b";c']]);
    expect(parseCsv('x,"a\r\nb",y\r\nz', ',')).toEqual([['x', 'a\r\nb', 'y'], ['z']]);
  });

  test('a quote never closed refuses the file, naming its line, rather than read the rest as one cell (it imported 1 row and reported success)', async () => {
    const csv = 'url,title\nhttps://example.com/u1,"Quote never closed\nhttps://example.com/u2,second\nhttps://example.com/u3,third\n';
    const res = await owner.post('/dashboard/links/import', { csv }, { hx: true });
    expect(res.status).toBe(422);
    expect(await res.text()).toContain('Line 2: a quote opened there is never closed');
    expect((await t.services.links.list(owner.actor, { page: 1, perPage: 10, search: 'example.com/u1' })).total).toBe(0);
  });

  test('headers as other tools write them, Excel\'s sep= line, a separator inside a quoted header; a header with no URL column is refused', async () => {
    const b = await signIn();
    const cases: [string, string][] = [
      ['createdAt,shortCode,longUrl,title\n2024-01-01T00:00:00+00:00,shlink-one,https://example.com/shlink,From Shlink\n', 'https://example.com/shlink'],
      ['Target,Address,Description\nhttps://example.com/kutt,kutt-one,x\n', 'https://example.com/kutt'],
      ['keyword,url,title\nyourls-one,https://example.com/yourls,From YOURLS\n', 'https://example.com/yourls'],
      ['sep=;\nurl;title\nhttps://example.com/sep;Semicolons\n', 'https://example.com/sep'],
      ['"Title, as shown";url\nQ;https://example.com/quoted-head\n', 'https://example.com/quoted-head'],
    ];
    for (const [csv, url] of cases) {
      const res = await b.post('/dashboard/links/import', { csv }, { hx: true });
      expect([csv, res.status, (await res.text()).includes('Imported 1 of 1 row<')]).toEqual([csv, 200, true]);
      expect([csv, (await t.services.links.list(b.actor, { page: 1, perPage: 5, search: url })).items.map((l) => l.destination)]).toEqual([csv, [url]]);
    }
    expect((await t.services.links.getByCode(b.actor, 'shlink-one')).title).toBe('From Shlink');
    expect((await t.services.links.getByCode(b.actor, 'yourls-one')).destination).toBe('https://example.com/yourls');
    const headless = await b.post('/dashboard/links/import', { csv: 'when,alias\n2024-01-01,abc\n' }, { hx: true });
    expect([headless.status, await headless.text()]).toEqual([422, expect.stringContaining('The header row (when, alias) names no column of URLs')]);
  });

  test('an export imports as it was: formula-guarded titles and aliases, paused links, expiry; a plan without custom aliases gets new codes, told so', async () => {
    const from = await signIn();
    const title = '=HYPERLINK("http://evil.example","x")';
    const made = [
      (await t.services.links.create(from.actor, { destination: 'https://example.com/rt-formula', title, code: '-dash-alias' })).link,
      (await t.services.links.create(from.actor, { destination: 'https://example.com/rt-paused', title: "'=already quoted", code: 'rt-paused', isActive: false })).link,
      (await t.services.links.create(from.actor, { destination: 'https://example.com/rt-expiring', title: '@mention', code: 'rt-expiring', expiresAt: Date.now() + 86_400_000 })).link,
    ];
    const bytes = new Uint8Array(await (await from.get('/dashboard/links.csv')).arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]); // a BOM: Excel on Windows reads UTF-8 only with it
    const exported = new TextDecoder().decode(bytes);
    // moved to another server (codes are never reused on one, deleted or not)
    const second = await makeTestApp();
    try {
      const u = await second.user('pro');
      const { cookie, csrf } = await loginThroughForm((r) => second.app.handle(r), u, '192.0.2.250', '/dashboard/keys');
      const headers = { cookie, 'content-type': 'application/x-www-form-urlencoded', 'hx-request': 'true', 'x-csrf-token': csrf };
      const res = await second.app.handle(new Request(`${BASE}/dashboard/links/import`, { method: 'POST', headers, body: new URLSearchParams({ csv: exported }) }));
      expect(await res.text()).toContain('Imported 3 of 3 rows');
      const actor = await second.services.users.actorFor(u.user);
      for (const l of made) {
        const back = await second.services.links.getByCode(actor, l.code);
        expect([back.code, back.destination, back.title, back.isActive, back.expiresAt]).toEqual([l.code, l.destination, l.title, l.isActive, l.expiresAt]);
      }
    } finally {
      await second.close();
    }
    const to = await signIn();
    // a free plan's own export (its code column): every row imported with a new code, not refused for the alias
    const free = await signIn('free');
    const freeRes = await free.post('/dashboard/links/import', { csv: 'code,destination,title\nmy-code,https://example.com/free-rt,Free\n' }, { hx: true });
    const freeBody = await freeRes.text();
    expect(freeBody).toContain('Imported 1 of 1 row<');
    expect(freeBody).toContain('has no custom aliases: the file&#39;s codes were not kept');
    // an expiry that is not a date is that row's error
    const bad = await to.post('/dashboard/links/import', { csv: 'url,expires_at\nhttps://example.com/bad-expiry,next tuesday\n' }, { hx: true });
    expect(await bad.text()).toContain('The expiry &quot;next tuesday&quot; is not a date and time');
  });

  test('the largest import the page allows arrives whole: 1,000 rows of long URLs and 500-character CJK titles, 6.5 MB once percent-encoded', async () => {
    const b = await signIn();
    const title = '漢字のタイトル'.repeat(72).slice(0, 500);
    const csv = `url,title\n${Array.from({ length: 1000 }, (_, i) => `https://example.com/${String(i).padStart(4, '0')}/${'p'.repeat(1990)},${title}`).join('\n')}\n`;
    expect(new URLSearchParams({ csv }).toString().length).toBeGreaterThan(6 * 1024 * 1024);
    const res = await b.post('/dashboard/links/import', { csv }, { hx: true });
    expect([res.status, (await t.services.links.list(b.actor, { page: 1, perPage: 1 })).total]).toEqual([200, 1000]);
  }, 30_000);

  test('a link with a password is exported as such and its row refused on import (created without it, it would be open to anyone)', async () => {
    const from = await signIn();
    await t.services.links.create(from.actor, { destination: 'https://example.com/secret-rt', password: 'hunter2-hunter2', isActive: false });
    const exported = await (await from.get('/dashboard/links.csv?q=secret-rt')).text();
    expect(parseCsv(exported)[1]![6]).toBe('password, paused'); // the password first: the import must know it
    // then the standing its badge shows
    const gone = (await t.services.links.create(from.actor, { destination: 'https://example.com/secret-expired', password: 'hunter2-hunter2' })).link;
    t.sqlite.query('UPDATE links SET expires_at = ? WHERE id = ?').run(Date.now() - 60_000, gone.id);
    expect(parseCsv(await (await from.get('/dashboard/links.csv?q=secret-expired')).text())[1]![6]).toBe('password, expired');
    const to = await signIn();
    const res = await to.post('/dashboard/links/import', { csv: exported }, { hx: true });
    expect(await res.text()).toContain('This link had a password, which an export does not carry.');
    expect((await t.services.links.list(to.actor, { page: 1, perPage: 5, search: 'secret-rt' })).total).toBe(0);
    // with "password" taken out of the cell, as the refusal says, the link comes back paused, not open to all
    // (its code cell emptied: the code is still the first account's)
    const edited = exported.replace('"password, paused"', 'paused').replace(`\n${parseCsv(exported)[1]![0]},`, '\n,');
    const again = await to.post('/dashboard/links/import', { csv: edited }, { hx: true });
    expect(await again.text()).toContain('Imported 1 of 1 row');
    const made = await t.services.links.list(to.actor, { page: 1, perPage: 5, search: 'secret-rt' });
    expect(made.items.map((l) => [l.isActive, l.passwordHash])).toEqual([[false, null]]);
  });

  test('expiries are read as the export writes them (ISO 8601, UTC without a zone), nothing else', () => {
    expect(parseExpiry('2027-01-31T12:00:00.000Z')).toBe(Date.UTC(2027, 0, 31, 12));
    expect(parseExpiry('2027-01-31')).toBe(Date.UTC(2027, 0, 31));
    expect(parseExpiry('2027-01-31 12:30')).toBe(Date.UTC(2027, 0, 31, 12, 30));
    expect(parseExpiry('2027-01-31T12:00:00+02:00')).toBe(Date.UTC(2027, 0, 31, 10));
    expect(parseExpiry('2027-01-31T12:00:00-0530')).toBe(Date.UTC(2027, 0, 31, 17, 30));
    expect(parseExpiry('2027-01-31 12:00:00+05')).toBe(Date.UTC(2027, 0, 31, 7)); // hours alone, after a time
    expect(parseExpiry('2027-01-31-05')).toBeNaN();
    // Date.parse reads each of these as some date: 2001, 2027-01-01, 2 January, 2 March, local time
    for (const bad of ['1', '2027', '01/02/2027', '2027-02-30', '2027-13-01', '2027-01-31T25:00', 'next tuesday', '2027-01-31T12:00:00+24:00']) expect([bad, parseExpiry(bad)]).toEqual([bad, NaN]);
  });

  test('"titles are being fetched" is said only when some link was created without one', async () => {
    const fetching = await makeTestApp({ env: { OG_FETCH: 'true' } });
    try {
      const u = await fetching.user('pro');
      const { cookie, csrf } = await loginThroughForm((r) => fetching.app.handle(r), u, '192.0.2.251', '/dashboard/keys');
      const headers = { cookie, 'content-type': 'application/x-www-form-urlencoded', 'hx-request': 'true', 'x-csrf-token': csrf };
      const send = async (csv: string) => (await fetching.app.handle(new Request(`${BASE}/dashboard/links/import`, { method: 'POST', headers, body: new URLSearchParams({ csv }) }))).text();
      const titled = await send('url,title\nhttps://example.com/titled,Has one\n');
      expect([titled.includes('Every row was imported.'), titled.includes('Titles are being fetched')]).toEqual([true, false]);
      const untitled = await send('url,title\nhttps://example.com/untitled,\n');
      expect(untitled).toContain('Every row was imported. Titles are being fetched in the background.');
    } finally {
      await fetching.close();
    }
  });

  test('an export longer than it may be is refused, not cut off', async () => {
    const b = await signIn();
    for (let i = 0; i < 3; i++) await mk(b, `https://example.com/cap-${i}`);
    const batches = t.services.links.listInBatches(b.actor, {}, 2, 10);
    await expect(batches.next()).rejects.toThrow('more than 2 links, the most one export holds');
    const whole = t.services.links.listInBatches(b.actor, {}, 3, 10);
    expect((await whole.next()).value).toHaveLength(3);
  });

  test('reading is linear: a cell of blanks then quotes (each quote re-trimmed the cell: 200,000 took ~20 s) parses at once', () => {
    const n = 200_000;
    expect(parseCsv(`${' '.repeat(n)}a${'"'.repeat(n)}`, ',')).toEqual([[`${' '.repeat(n)}a${'"'.repeat(n)}`]]);
  }, 5_000);
});

test('a link with an expiry says when in the list and on its analytics page; an expired one when it expired, paused or not', async () => {
  const expiresAt = Date.UTC(2099, 5, 1, 12, 30);
  const { link } = await t.services.links.create(owner.actor, { destination: 'https://example.com/ends', title: 'Ends in 2099', expiresAt, metadata: 'none' });
  const list = await (await owner.get('/dashboard?q=Ends%20in%202099')).text();
  expect(list).toContain('<span class="expiry muted small">expires <time datetime="2099-06-01T12:30:00.000Z" title="2099-06-01 12:30 UTC">Jun 1, 2099</time></span>');
  const analytics = await (await owner.get(`/dashboard/links/${link.id}/analytics`)).text();
  expect(analytics).toContain('<p class="muted small" id="link-expiry">Expires <time datetime="2099-06-01T12:30:00.000Z">2099-06-01 12:30 UTC</time></p>');

  const soon = Date.now() + 1_500;
  const { link: brief } = await t.services.links.create(owner.actor, { destination: 'https://example.com/brief', title: 'Brief one', expiresAt: soon, metadata: 'none' });
  await Bun.sleep(soon - Date.now() + 50);
  const after = await (await owner.get('/dashboard?q=Brief%20one')).text();
  expect(after).toMatch(/badge-expired">Expired<\/span><span class="expiry muted small">expired <time/);
  // paused, the badge says so, and the date still says the link has expired
  await t.services.links.setActiveAsManager(owner.actor, brief.id, false);
  expect(await (await owner.get('/dashboard?q=Brief%20one')).text()).toMatch(/badge-paused">Paused<\/span><span class="expiry muted small">expired <time/);
  expect(await (await owner.get(`/dashboard/links/${brief.id}/analytics`)).text()).toContain('id="link-expiry">Expired <time');
  // none without an expiry
  const { link: forever } = await t.services.links.create(owner.actor, { destination: 'https://example.com/forever', title: 'Forever one', metadata: 'none' });
  expect(await (await owner.get('/dashboard?q=Forever%20one')).text()).not.toContain('class="expiry');
  expect(await (await owner.get(`/dashboard/links/${forever.id}/analytics`)).text()).not.toContain('id="link-expiry"');
});
