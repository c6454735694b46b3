/**
 * An admin's transfer of one user's links and QR codes to another, through
 * the real app: the choice and the confirmation (both emails, escaped, hidden
 * characters shown; the recipient's limit and plan features said), the move
 * itself (links live, paused, expired and deleted; QR codes; click history;
 * not API keys), what each side sees afterwards (dashboard, native API,
 * LinkShrink stats, QR downloads), redirects unchanged, and the refusals.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { Actor } from '../../src/accounts/accounts.types.ts';
import { BROWSER_UA } from '../helpers/binary.ts';
import { BASE, makeTestApp, type TestApp } from '../helpers/make-test-app.ts';
import { captureInfo } from '../helpers/logged.ts';
import { loginThroughForm } from '../helpers/web-login.ts';

let t: TestApp;
type Session = Awaited<ReturnType<typeof signIn>>;
let admin: Session;
let adminId: number;

let logins = 0;
async function signIn(u: { email: string; password: string }) {
  const { cookie, csrf, status } = await loginThroughForm((r) => t.app.handle(r), u, `198.51.100.${++logins}`, '/dashboard/qrcodes');
  expect(status).toBe(303);
  const get = (path: string) => t.app.handle(new Request(BASE + path, { headers: { cookie } }));
  const post = (path: string, fields: Record<string, string> = {}, headers: Record<string, string> = { 'x-csrf-token': csrf }) =>
    t.app.handle(new Request(BASE + path, { method: 'POST', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(fields) }));
  return { csrf, get, post };
}

type Fixture = Awaited<ReturnType<TestApp['user']>>;
const api = (f: Fixture, method: string, path: string, body?: unknown) => t.request(method, path, { headers: f.auth, body });
const owners = (table: 'links' | 'qr_codes', ids: number[]) => ids.map((id) => (t.sqlite.query(`SELECT user_id FROM ${table} WHERE id = ?`).get(id) as { user_id: number }).user_id);

/** A departing user's holdings: a live link with clicks, a paused one, an expired one, a deleted one, and two QR codes (one of a link). */
async function holdingsOf(f: Fixture) {
  const actor = await t.services.users.actorFor(f.user);
  const make = (path: string, extra = {}) => t.services.links.create(actor, { destination: `https://example.com/${path}`, title: path, metadata: 'none', ...extra }).then((r) => r.link);
  const live = await make('live');
  const paused = await make('paused', { isActive: false });
  const expired = await make('expired', { expiresAt: Date.now() + 60_000 });
  t.sqlite.query('UPDATE links SET expires_at = ? WHERE id = ?').run(Date.now() - 1000, expired.id);
  const deleted = await make('deleted', { code: `gone${f.user.id}x` });
  await t.services.links.remove(actor, deleted.id);
  const qrOfLink = await t.services.qr.create(actor, { name: 'poster', type: 'url', content: 'https://example.com/', errorCorrection: 'M', linkId: live.id });
  const qrText = await t.services.qr.create(actor, { name: 'wifi', type: 'text', content: 'hello', errorCorrection: 'M' });
  for (let i = 0; i < 3; i++) expect((await t.app.handle(new Request(`${BASE}/${live.code}`, { headers: { 'user-agent': BROWSER_UA, 'x-forwarded-for': `192.0.2.${i + 1}` } }))).status).toBe(302);
  await t.flush();
  return { actor, live, paused, expired, deleted, qrOfLink, qrText, linkIds: [live.id, paused.id, expired.id, deleted.id], qrIds: [qrOfLink.id, qrText.id] };
}

beforeAll(async () => {
  t = await makeTestApp({ env: { TRUST_PROXY: 'true' } });
  const a = await t.user('enterprise', 'admin');
  adminId = a.user.id;
  admin = await signIn(a);
});
afterAll(() => t.close());

describe('transfer: the move', () => {
  test('a departed user’s links (live, paused, expired, deleted) and QR codes go to the new owner, with their clicks; redirects do not change', async () => {
    const leaver = await t.user('pro');
    const heir = await t.user('pro');
    const h = await holdingsOf(leaver);
    await admin.post(`/dashboard/users/${leaver.user.id}/deactivate`);
    expect((await t.services.links.get(h.actor, h.live.id)).totalClicks).toBe(3);

    // the row offers it; the page lists what they hold and the active users who may get it
    const users = await (await admin.get('/dashboard/users')).text();
    expect(users).toContain(`<a href="/dashboard/users/${leaver.user.id}/transfer" class="link-button">Transfer links<span class="visually-hidden"> and QR codes of ${leaver.email}</span></a>`);
    const choose = await (await admin.get(`/dashboard/users/${leaver.user.id}/transfer`)).text();
    expect(choose).toContain(`<h1>Transfer links and QR codes of <bdi>${leaver.email}</bdi></h1>`);
    expect(choose).toContain(`has 4 links (1 of them deleted) and 2 QR codes.`);
    expect(choose).toContain(`<option value="${heir.user.id}">${heir.email}</option>`);
    expect(choose).not.toContain(`<option value="${leaver.user.id}">`);
    expect(choose).not.toContain(`action="/dashboard/users/${leaver.user.id}/transfer">`); // no confirm button before a choice

    const review = await admin.get(`/dashboard/users/${leaver.user.id}/transfer?to=${heir.user.id}`);
    expect(review.status).toBe(200);
    const confirm = await review.text();
    expect(confirm).toContain(`<h2 id="transfer-confirm-h">Transfer everything of <bdi>${leaver.email}</bdi> to <bdi>${heir.email}</bdi>?</h2>`);
    expect(confirm).toContain(`4 links (1 of them deleted) and 2 QR codes move from <bdi>${leaver.email}</bdi> to <bdi>${heir.email}</bdi>`);
    expect(confirm).toContain('They will have 3 of the 10,000 links their plan (pro) allows.');
    expect(confirm).toContain(`<form method="post" action="/dashboard/users/${leaver.user.id}/transfer" hx-boost="true" hx-push-url="/dashboard/users">`);
    expect(confirm).toContain(`<input type="hidden" name="to" value="${heir.user.id}">`);
    expect(owners('links', h.linkIds)).toEqual([leaver.user.id, leaver.user.id, leaver.user.id, leaver.user.id]); // a review changes nothing

    const log = captureInfo(t.deps.logger);
    let res: Response;
    try {
      res = await admin.post(`/dashboard/users/${leaver.user.id}/transfer`, { to: String(heir.user.id) });
    } finally {
      log.restore();
    }
    expect(res.status).toBe(200);
    expect(await res.text()).toContain(`Transferred 4 links (1 of them deleted) and 2 QR codes from <bdi>${leaver.email}</bdi> to <bdi>${heir.email}</bdi>.</p>`);
    expect(log.logged).toEqual([`admin transferred links {"admin_id":${adminId},"from_id":${leaver.user.id},"to_id":${heir.user.id},"links":3,"deleted_links":1,"qr_codes":2}`]);
    expect(owners('links', h.linkIds)).toEqual([heir.user.id, heir.user.id, heir.user.id, heir.user.id]);
    expect(owners('qr_codes', h.qrIds)).toEqual([heir.user.id, heir.user.id]);
    // their API keys stay theirs
    expect((await t.services.keys.list(leaver.user.id)).map((k) => k.name)).toEqual(['test']);
    expect((await t.services.keys.list(heir.user.id)).map((k) => k.name)).toEqual(['test']);

    // the new owner sees them in the dashboard and the API, with their clicks and analytics
    const heirWeb = await signIn(heir);
    const list = await (await heirWeb.get('/dashboard?status=&sort=created_at')).text();
    for (const l of [h.live, h.paused, h.expired]) expect(list).toContain(`/dashboard/links/${l.id}/edit`);
    const listed = (await (await api(heir, 'GET', '/api/v1/links')).json()) as { total: number; data: { id: number; total_clicks: number }[] };
    expect(listed.total).toBe(3);
    expect(listed.data.find((l) => l.id === h.live.id)!.total_clicks).toBe(3);
    expect((await api(heir, 'GET', `/api/v1/links/${h.live.id}/analytics`)).status).toBe(200);
    // and may now re-point them, and download their QR images
    const edited = await api(heir, 'PUT', `/api/v1/links/${h.live.id}`, { original_url: 'https://example.com/new-home' });
    expect(edited.status).toBe(200);
    const redirect = await t.app.handle(new Request(`${BASE}/${h.live.code}`, { headers: { 'user-agent': BROWSER_UA } }));
    expect([redirect.status, redirect.headers.get('location')]).toEqual([302, 'https://example.com/new-home']);
    expect((await api(heir, 'GET', `/dashboard/qrcodes/${h.qrOfLink.id}/download/svg`)).status).toBe(200);
    expect((await heirWeb.get(`/dashboard/qrcodes/${h.qrText.id}/download/png`)).status).toBe(200);
    // the deleted link's code is the new owner's to take back
    const retaken = await api(heir, 'POST', '/api/v1/links', { original_url: 'https://example.com/back', alias: h.deleted.code });
    expect(retaken.status).toBe(201);
  });

  test('the old owner’s key no longer reaches them (native API, LinkShrink stats); redirects and counts are unchanged', async () => {
    const from = await t.user('pro');
    const to = await t.user('enterprise');
    const h = await holdingsOf(from);
    expect((await api(from, 'GET', `/api/v1/stats/${h.live.code}`)).status).toBe(200);
    const redirectBefore = await t.app.handle(new Request(`${BASE}/${h.live.code}`));
    await t.services.userAdmin.transfer(await t.services.users.actorFor((await t.services.users.get(adminId))), from.user.id, to.user.id);
    expect(((await (await api(from, 'GET', '/api/v1/links')).json()) as { total: number }).total).toBe(0);
    expect((await api(from, 'GET', `/api/v1/links/${h.live.id}`)).status).toBe(404);
    expect((await api(from, 'GET', `/api/v1/qrcodes/${h.qrText.id}`)).status).toBe(404);
    expect((await api(from, 'GET', `/dashboard/qrcodes/${h.qrText.id}/download/svg`)).status).toBe(404);
    // stats of a link made outside LinkShrink are its owner's alone: now the new owner's
    expect((await api(from, 'GET', `/api/v1/stats/${h.live.code}`)).status).not.toBe(200);
    const stats = await api(to, 'GET', `/api/v1/stats/${h.live.code}`);
    expect(stats.status).toBe(200);
    expect(((await stats.json()) as { data: { clicks: number } }).data.clicks).toBe(3);
    const redirectAfter = await t.app.handle(new Request(`${BASE}/${h.live.code}`));
    expect([redirectAfter.status, redirectAfter.headers.get('location')]).toEqual([redirectBefore.status, redirectBefore.headers.get('location')]);
    expect((await t.app.handle(new Request(`${BASE}/${h.paused.code}`))).status).toBe(404);
    expect((await t.services.links.findUndeleted(h.live.id))!.totalClicks).toBe(3);
  });
});

describe('transfer: the recipient’s plan', () => {
  test('may take them past their link limit (said before and after); new links are then refused; links keep features their plan lacks', async () => {
    const free = await t.services.plans.getByName('free');
    await t.services.plans.update('free', { ...free, maxLinks: 3 });
    try {
      const from = await t.user('pro');
      const to = await t.user('free');
      const toActor = await t.services.users.actorFor(to.user);
      await t.services.links.create(toActor, { destination: 'https://example.com/own', metadata: 'none' });
      const fromActor = await t.services.users.actorFor(from.user);
      const locked = (await t.services.links.create(fromActor, { destination: 'https://example.com/locked', password: 'letmein', expiresAt: Date.now() + 86_400_000, code: 'locked-alias', metadata: 'none' })).link;
      for (const i of [1, 2]) await t.services.links.create(fromActor, { destination: `https://example.com/${i}`, metadata: 'none' });
      await t.services.qr.create(fromActor, { name: 'red', type: 'text', content: 'x', errorCorrection: 'M', foregroundColor: '#FF0000' });

      const confirm = await (await admin.get(`/dashboard/users/${from.user.id}/transfer?to=${to.user.id}`)).text();
      expect(confirm).toContain(`This takes <bdi>${to.email}</bdi> past the link limit of their plan (free, 3 links): they have 1 and will have 4, 1 over. The transfer still goes ahead; they keep every link, but cannot create new ones until they are under the limit again (as after a downgrade).`);
      expect(confirm).toContain(`1 link has a password, which their plan (free) does not offer: it keeps working, as after a downgrade, but <bdi>${to.email}</bdi> cannot add this to other links or change it.`);
      expect(confirm).toContain('1 link has an expiry date, which their plan (free)');
      expect(confirm).toContain('1 link has a custom alias, which their plan (free)');
      expect(confirm).toContain('1 QR code has custom colours, which their plan (free) does not offer: it keeps its colours');

      const done = await (await admin.post(`/dashboard/users/${from.user.id}/transfer`, { to: String(to.user.id) })).text();
      expect(done).toContain('They are now 1 over the link limit of their plan (free): new links are refused until they delete some.');
      const actor: Actor = await t.services.users.actorFor(to.user);
      expect(await t.services.links.create(actor, { destination: 'https://example.com/more', metadata: 'none' }).catch((e) => e.code)).toBe('QUOTA_EXCEEDED');
      // the password still guards the link, and the new owner may edit it without being asked for the feature
      const gate = await t.app.handle(new Request(`${BASE}/locked-alias`, { headers: { accept: 'text/html' } }));
      expect([gate.status, (await gate.text()).includes('name="password" type="password"')]).toEqual([200, true]);
      const renamed = await t.services.links.update(actor, await t.services.links.get(actor, locked.id), { title: 'kept' });
      expect([renamed.title, renamed.passwordHash !== null, renamed.expiresAt, renamed.code]).toEqual(['kept', true, locked.expiresAt, 'locked-alias']);
    } finally {
      await t.services.plans.update('free', free);
    }
  });
});

describe('transfer: refusals', () => {
  test('to themself, to a deactivated user or to nobody: said beside the choice (422), nothing moves', async () => {
    const from = await t.user('pro');
    const gone = await t.user('pro');
    await admin.post(`/dashboard/users/${gone.user.id}/deactivate`);
    const h = await holdingsOf(from);
    const cases: [string, string][] = [
      [String(from.user.id), 'Choose another user: links cannot be transferred to their own owner.'],
      [String(gone.user.id), 'That user is deactivated: choose an active user.'],
      ['', 'Choose the user who gets the links and QR codes.'],
      ['<script>alert(1)</script>', 'Choose the user who gets the links and QR codes.'],
    ];
    for (const [to, message] of cases) {
      const res = await admin.post(`/dashboard/users/${from.user.id}/transfer`, { to });
      expect([to, res.status]).toEqual([to, 422]);
      const body = await res.text();
      expect(body).toContain(`<p class="field-error" id="transfer-to-error" role="alert">${message}</p>`);
      expect(body).not.toContain('<script>alert(1)');
      if (to !== '') expect((await admin.get(`/dashboard/users/${from.user.id}/transfer?to=${encodeURIComponent(to)}`)).status).toBe(422);
    }
    // the deactivated user is not offered
    expect(await (await admin.get(`/dashboard/users/${from.user.id}/transfer`)).text()).not.toContain(`<option value="${gone.user.id}">`);
    expect(owners('links', h.linkIds)).toEqual(h.linkIds.map(() => from.user.id));
    expect(owners('qr_codes', h.qrIds)).toEqual(h.qrIds.map(() => from.user.id));
  });

  test('a member is refused (403), a post without the CSRF token is refused (403), unknown users are 404', async () => {
    const m = await t.user('pro');
    const member = await signIn(m);
    const other = await t.user('pro');
    await holdingsOf(other);
    expect((await member.get(`/dashboard/users/${other.user.id}/transfer`)).status).toBe(403);
    expect((await member.get(`/dashboard/users/${other.user.id}/transfer?to=${m.user.id}`)).status).toBe(403);
    expect((await member.post(`/dashboard/users/${other.user.id}/transfer`, { to: String(m.user.id) })).status).toBe(403);
    expect((await admin.post(`/dashboard/users/${other.user.id}/transfer`, { to: String(m.user.id) }, {})).status).toBe(403);
    expect((await admin.post(`/dashboard/users/999999/transfer`, { to: String(m.user.id) })).status).toBe(404);
    expect((await admin.post(`/dashboard/users/${other.user.id}/transfer`, { to: '999999' })).status).toBe(404);
    expect((await admin.post(`/dashboard/users/abc/transfer`, { to: String(m.user.id) })).status).toBe(404);
    expect((await admin.get(`/dashboard/users/999999/transfer`)).status).toBe(404);
    expect((await admin.get(`/dashboard/users/${other.user.id}/transfer?to=999999`)).status).toBe(404);
    expect(((await (await api(other, 'GET', '/api/v1/links')).json()) as { total: number }).total).toBe(3);
  });

  test('an admin demoted while the request waited moves nothing', async () => {
    const stale = await t.user('enterprise', 'admin');
    const actor = await t.services.users.actorFor(stale.user);
    const from = await t.user('pro');
    const to = await t.user('pro');
    const h = await holdingsOf(from);
    await t.services.users.update(stale.user.id, { role: 'member' });
    expect(await t.services.userAdmin.transfer(actor, from.user.id, to.user.id).catch((e) => e)).toMatchObject({ code: 'FORBIDDEN' });
    expect(owners('links', h.linkIds)).toEqual(h.linkIds.map(() => from.user.id));
  });

  test('emails are escaped and their hidden characters shown, on the choice, the confirmation and the result', async () => {
    const from = await t.user('pro');
    const to = await t.user('pro');
    t.sqlite.query('UPDATE users SET email = ? WHERE id = ?').run('"><img/src=x/onerror=alert(1)>\u202e@evil.example', to.user.id);
    await t.services.links.create(await t.services.users.actorFor(from.user), { destination: 'https://example.com/to-move', metadata: 'none' });
    const shown = '&quot;&gt;&lt;img/src=x/onerror=alert(1)&gt;%E2%80%AE@evil.example';
    const pages = [
      await (await admin.get(`/dashboard/users/${from.user.id}/transfer`)).text(),
      await (await admin.get(`/dashboard/users/${from.user.id}/transfer?to=${to.user.id}`)).text(),
      await (await admin.post(`/dashboard/users/${from.user.id}/transfer`, { to: String(to.user.id) })).text(),
    ];
    for (const body of pages) {
      expect(body).toContain(shown);
      expect(body).not.toContain('<img/src=x');
      expect(body).not.toContain('\u202e');
    }
    expect(pages[1]).toContain(`Transfer to ${shown}</button>`);
  });
});

test('an edit of the old owner already under way when the link is transferred does not land on the new owner’s link', async () => {
  const from = await t.user('pro');
  const to = await t.user('pro');
  const actor = await t.services.users.actorFor(from.user);
  const { link } = await t.services.links.create(actor, { destination: 'https://example.com/theirs-now', metadata: 'none' });
  // a new password is hashed on the bcrypt thread between the owner check and the write: the transfer lands there
  const editing = t.services.links.update(actor, link, { destination: 'https://evil.example/', password: 'taken over' }).catch((e: { code?: string }) => e.code);
  await t.services.transfers.transfer(from.user.id, to.user.id);
  expect(await editing).toBe('NOT_FOUND');
  const row = t.sqlite.query('SELECT user_id, destination, password_hash FROM links WHERE id = ?').get(link.id) as { user_id: number; destination: string; password_hash: string | null };
  expect(row).toEqual({ user_id: to.user.id, destination: 'https://example.com/theirs-now', password_hash: null });
});

test('a user with nothing to move: the confirmation says so and offers no button', async () => {
  const from = await t.user('pro');
  const to = await t.user('pro');
  const page = await (await admin.get(`/dashboard/users/${from.user.id}/transfer?to=${to.user.id}`)).text();
  expect(page).toContain('has no links or QR codes: there is nothing to transfer.');
  expect(page).not.toContain('>Transfer to ');
});
