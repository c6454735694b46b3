/**
 * Admin screens through the real app: users (create with a one-time
 * password, role and plan inline, reset, deactivate/reactivate with their
 * effect on sessions and API keys), plans, settings; members are refused and
 * an admin cannot lock themselves out.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { untilBcryptRuns } from '../helpers/bcrypt.ts';
import { BASE, makeTestApp, type TestApp } from '../helpers/make-test-app.ts';
import { captureInfo } from '../helpers/logged.ts';
import { heldRequest } from '../helpers/held-request.ts';
import { loginThroughForm } from '../helpers/web-login.ts';

let t: TestApp;
type Session = Awaited<ReturnType<typeof signIn>>;
let admin: Session;
let member: Session;

let logins = 0;
/** Signs in through the real form; POSTs carry the session's CSRF token (from the page's meta tag) as htmx does. */
async function signIn(u: { email: string; password: string }) {
  const { cookie, csrf, status } = await loginThroughForm((r) => t.app.handle(r), u, `203.0.113.${++logins}`, '/dashboard/qrcodes');
  expect(status).toBe(303);
  const get = (path: string, headers: Record<string, string> = {}) => t.app.handle(new Request(BASE + path, { headers: { cookie, ...headers } }));
  const post = (path: string, fields: Record<string, string> = {}, headers: Record<string, string> = { 'x-csrf-token': csrf }) =>
    t.app.handle(new Request(BASE + path, { method: 'POST', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(fields) }));
  return { csrf, get, post };
}
const hx = (s: Session) => ({ 'x-csrf-token': s.csrf, 'hx-request': 'true' });
const passwordIn = (body: string) => /<code class="secret-value">([^<]+)<\/code>/.exec(body)?.[1];

let adminId: number;
let memberId: number;
beforeAll(async () => {
  t = await makeTestApp({ env: { TRUST_PROXY: 'true', ANONYMOUS_LINKS: 'true' } });
  const a = await t.user('enterprise', 'admin');
  const m = await t.user('pro', 'member');
  [adminId, memberId] = [a.user.id, m.user.id];
  admin = await signIn(a);
  member = await signIn(m);
});
afterAll(() => t.close());

describe('members', () => {
  test('get 403 on every admin screen and action', async () => {
    for (const path of ['/dashboard/users', '/dashboard/plans', '/dashboard/settings']) {
      const res = await member.get(path);
      expect(res.status).toBe(403);
      expect(await res.text()).toContain('Only admins can open this page.');
    }
    expect((await member.post('/dashboard/users', { email: 'x@example.com', role: 'admin', plan: 'free' })).status).toBe(403);
    expect((await member.post(`/dashboard/users/${memberId}`, { role: 'admin' })).status).toBe(403);
    expect((await member.post('/dashboard/plans/free', { rate_limit: '1' })).status).toBe(403);
    expect((await t.services.users.get(memberId)).role).toBe('member');
  });

  test('do not see the admin navigation', async () => {
    expect(await (await member.get('/dashboard/qrcodes')).text()).not.toContain('href="/dashboard/users"');
  });
});

describe('users', () => {
  test('the list shows email, role, plan, status and created date, escaped', async () => {
    await t.services.users.create({ email: '<img/src=x/onerror=alert(1)>@evil.example', password: 'long enough pw' });
    const res = await admin.get('/dashboard/users');
    expect(res.status).toBe(200);
    const body = await res.text();
    expect(body).not.toContain('<img/src=x');
    expect(body).toContain('&lt;img/src=x/onerror=alert(1)&gt;@evil.example');
    expect(body).toMatch(new RegExp(`<tr id="user-row-${memberId}">[\\s\\S]*?<option value="member" selected>[\\s\\S]*?<option value="pro" selected>pro</option>[\\s\\S]*?Active`));
    expect(body).toMatch(new RegExp(`id="role-${adminId}" name="role" form="user-form-${adminId}" [^>]* disabled`));
  });

  test('create: a temporary password shown once, which must be changed', async () => {
    const res = await admin.post('/dashboard/users', { email: 'New.Person@Example.com', role: 'member', plan: 'pro', _csrf: admin.csrf }, {});
    expect(res.status).toBe(201);
    const body = await res.text();
    const password = passwordIn(body)!;
    expect(password).toMatch(/^[A-Za-z0-9]{20}$/);
    expect(body).toContain('shown only this once');
    const user = await t.services.users.getByEmail('new.person@example.com');
    expect([user.role, user.mustChangePassword]).toEqual(['member', true]);
    expect((await t.services.users.authenticate('new.person@example.com', password)).user.id).toBe(user.id);
    expect(await (await admin.get('/dashboard/users')).text()).not.toContain(password);
  });

  test('create refusals come back beside the field with what was typed (422)', async () => {
    const taken = await admin.post('/dashboard/users', { email: 'new.person@example.com', role: 'admin', plan: 'free' });
    expect(taken.status).toBe(422);
    const body = await taken.text();
    expect(body).toContain('<p class="field-error" id="invite-email-error" role="alert">A user with this email already exists.</p>');
    expect(body).toContain('<option value="admin" selected>Admin</option>');
    const bad = await admin.post('/dashboard/users', { email: '"><script>', role: 'member', plan: 'free' });
    expect(bad.status).toBe(422);
    expect(await bad.text()).toContain('value="&quot;&gt;&lt;script&gt;"');
    expect((await admin.post('/dashboard/users', { email: 'ok@example.com', role: 'root', plan: 'free' })).status).toBe(422);
    const unknownPlan = await admin.post('/dashboard/users', { email: 'kept@example.com', role: 'member', plan: 'gold' });
    expect(unknownPlan.status).toBe(422);
    const kept = await unknownPlan.text();
    expect(kept).toContain('value="kept@example.com"');
    expect(kept).toContain('Plan &quot;gold&quot; does not exist (plans: free, pro, enterprise).');
  });

  test('role and plan change inline: htmx gets the row back, a plain form a redirect', async () => {
    const res = await admin.post(`/dashboard/users/${memberId}`, { role: 'admin', plan: 'enterprise' }, hx(admin));
    expect(res.status).toBe(200);
    const row = await res.text();
    expect(row.startsWith(`<tr id="user-row-${memberId}">`)).toBe(true);
    expect(row).toContain('<option value="admin" selected>Admin</option>');
    expect(row).toContain('<option value="enterprise" selected>enterprise</option>');
    expect(row).toContain('role="status">Saved.</span>');
    const plain = await admin.post(`/dashboard/users/${memberId}`, { role: 'member', plan: 'pro', _csrf: admin.csrf }, {});
    expect(plain.status).toBe(303);
    expect(plain.headers.get('location')).toBe('/dashboard/users');
    const u = await t.services.users.get(memberId);
    expect([u.role, (await t.services.plans.get(u.planId)).name]).toEqual(['member', 'pro']);
  });

  test('an admin cannot demote, deactivate or reset themselves', async () => {
    expect((await admin.post(`/dashboard/users/${adminId}`, { role: 'member' })).status).toBe(403);
    expect((await admin.post(`/dashboard/users/${adminId}/deactivate`)).status).toBe(403);
    expect((await admin.post(`/dashboard/users/${adminId}/reset-password`)).status).toBe(403);
    const me = await t.services.users.get(adminId);
    expect([me.role, me.isActive]).toEqual(['admin', true]);
  });

  test('reset password: a new one shown once, the user signed out everywhere, asked to change it', async () => {
    const victim = await t.user('pro');
    const session = await signIn(victim);
    const res = await admin.post(`/dashboard/users/${victim.user.id}/reset-password`);
    expect(res.status).toBe(200);
    const password = passwordIn(await res.text())!;
    expect((await session.get('/dashboard/qrcodes')).status).toBe(303);
    expect((await t.services.users.get(victim.user.id)).mustChangePassword).toBe(true);
    expect(await t.services.users.authenticate(victim.email, victim.password).catch((e) => e)).toBeInstanceOf(Error);
    expect((await t.services.users.authenticate(victim.email, password)).user.id).toBe(victim.user.id);
  });

  test('deactivate ends sessions and stops API keys; reactivate restores the key', async () => {
    const victim = await t.user('pro');
    const session = await signIn(victim);
    const api = () => t.request('GET', '/api/v1/links', { headers: victim.auth });
    expect((await api()).status).toBe(200);
    const res = await admin.post(`/dashboard/users/${victim.user.id}/deactivate`, {}, hx(admin));
    expect(res.status).toBe(200);
    const row = await res.text();
    expect(row).toContain('Deactivated');
    expect(row).toContain(`action="/dashboard/users/${victim.user.id}/reactivate"`);
    expect((await session.get('/dashboard/qrcodes')).status).toBe(303);
    expect((await api()).status).toBe(401);
    const back = await admin.post(`/dashboard/users/${victim.user.id}/reactivate`, { _csrf: admin.csrf }, {});
    expect(back.status).toBe(303);
    expect((await api()).status).toBe(200);
  });

  test('create without choosing a plan: an admin gets enterprise, as with the CLI (on free their own first key would be refused), a member free', async () => {
    const form = await (await admin.get('/dashboard/users')).text();
    expect(form).toContain('<select id="invite-plan" name="plan"><option value="" selected>Default: free, enterprise for an admin</option><option value="free">free</option>');
    const cases = [
      ['boss@example.com', { role: 'admin', plan: '' }, 'enterprise'],
      ['boss2@example.com', { role: 'admin' }, 'enterprise'],
      ['worker@example.com', { role: 'member', plan: '' }, 'free'],
      ['frugal-admin@example.com', { role: 'admin', plan: 'free' }, 'free'],
    ] as const;
    for (const [email, fields, plan] of cases) {
      const res = await admin.post('/dashboard/users', { email, ...fields });
      expect([email, res.status]).toEqual([email, 201]);
      const user = await t.services.users.getByEmail(email);
      expect([email, (await t.services.plans.get(user.planId)).name]).toEqual([email, plan]);
    }
    // the admin's own first key works: enterprise has API access
    const boss = await t.services.users.getByEmail('boss@example.com');
    const { key } = await t.services.keys.create(boss.id, 'first');
    expect((await t.request('GET', '/api/v1/links', { headers: { authorization: `Bearer ${key}` } })).status).toBe(200);
    // a refused create keeps the blank choice
    const kept = await (await admin.post('/dashboard/users', { email: 'boss@example.com', role: 'admin', plan: '' })).text();
    expect(kept).toContain('<option value="" selected>Default: free, enterprise for an admin</option>');
  });

  test('a post without the CSRF token is refused', async () => {
    const res = await admin.post('/dashboard/users', { email: 'csrf@example.com', role: 'admin', plan: 'free' }, {});
    expect(res.status).toBe(403);
    await expect(t.services.users.getByEmail('csrf@example.com')).rejects.toThrow();
  });

  test('an unknown user is 404', async () => {
    expect((await admin.post('/dashboard/users/999999/deactivate')).status).toBe(404);
    expect((await admin.post('/dashboard/users/abc', { plan: 'pro' })).status).toBe(404);
  });
});

describe("another user's API keys", () => {
  const api = (key: string) => t.request('GET', '/api/v1/links', { headers: { authorization: `Bearer ${key}` } }).then((r) => r.status);
  const rowOf = (page: string, id: number) => new RegExp(`<tr id="user-row-${id}"[\\s\\S]*?</tr>`).exec(page)?.[0] ?? '';

  test("each user's row counts their active keys and links to them", async () => {
    const u = await t.user('pro');
    await t.services.keys.create(u.user.id, 'second');
    const row = rowOf(await (await admin.get('/dashboard/users')).text(), u.user.id);
    expect(row).toContain(`<td data-label="API keys"><a href="/dashboard/users/${u.user.id}/keys">2 active<span class="visually-hidden"> API keys of ${u.email}</span></a></td>`);
  });

  test('the keys page lists name, created, last used and status, escaped, and never the key or its prefix', async () => {
    const u = await t.user('pro');
    await api(u.key); // last used: now
    const hostile = await t.services.keys.create(u.user.id, '<img src=x onerror=alert(1)>');
    const old = await t.services.keys.create(u.user.id, 'old laptop');
    await t.services.keys.revoke(u.user.id, old.record.id);
    const res = await admin.get(`/dashboard/users/${u.user.id}/keys`);
    expect(res.status).toBe(200);
    const body = await res.text();
    expect(body).toContain(`<h1>API keys of <bdi>${u.email}</bdi></h1>`);
    expect(body).toContain('<span id="user-keys-active" class="muted small">2 active</span>');
    const row = (id: number) => new RegExp(`<tr id="user-key-${id}">[\\s\\S]*?</tr>`).exec(body)?.[0] ?? '';
    const fixture = (await t.services.keys.list(u.user.id)).find((k) => k.name === 'test')!;
    expect(row(fixture.id)).toMatch(/<th scope="row" class="key-name"><bdi>test<\/bdi><\/th>\n<td data-label="Created"><time [^>]+>[^<]+ UTC<\/time><\/td>\n<td data-label="Last used"><time [^>]+>[^<]+ UTC<\/time><\/td>\n<td data-label="Status"><span class="badge badge-active">Active<\/span>/);
    expect(row(fixture.id)).toContain(`action="/dashboard/users/${u.user.id}/keys/${fixture.id}/revoke"`);
    expect(row(hostile.record.id)).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(row(hostile.record.id)).toContain('<span class="muted">Never</span>');
    expect(row(old.record.id)).toContain('>Revoked</span>');
    expect(row(old.record.id)).not.toContain('<form');
    expect(body).not.toContain('<img src=x');
    for (const secret of [u.key, hostile.key, old.key]) expect(body).not.toContain(secret.slice(0, 10));
    expect(body).toContain(`action="/dashboard/users/${u.user.id}/keys/revoke"`);
  });

  test('revoking one key: the row says Revoked, the count follows, the key is refused at once, and the log says who revoked whose', async () => {
    const u = await t.user('pro');
    const spare = await t.services.keys.create(u.user.id, 'spare');
    const fixture = (await t.services.keys.list(u.user.id)).find((k) => k.name === 'test')!;
    const log = captureInfo(t.deps.logger);
    try {
      const res = await admin.post(`/dashboard/users/${u.user.id}/keys/${fixture.id}/revoke`, {}, hx(admin));
      expect(res.status).toBe(200);
      const body = await res.text();
      expect(body).toMatch(new RegExp(`^<tr id="user-key-${fixture.id}">[\\s\\S]*>Revoked</span>`));
      expect(body).toContain('<template><span id="user-keys-active" class="muted small" hx-swap-oob="true">1 active</span></template>');
      expect([await api(u.key), await api(spare.key)]).toEqual([401, 200]);
      const plain = await admin.post(`/dashboard/users/${u.user.id}/keys/${spare.record.id}/revoke`, { _csrf: admin.csrf }, {});
      expect([plain.status, plain.headers.get('location')]).toEqual([303, `/dashboard/users/${u.user.id}/keys`]);
      expect(await api(spare.key)).toBe(401);
      expect(log.logged).toEqual([
        `admin revoked another user's API keys {"admin_id":${adminId},"user_id":${u.user.id},"key_id":${fixture.id}}`,
        `admin revoked another user's API keys {"admin_id":${adminId},"user_id":${u.user.id},"key_id":${spare.record.id}}`,
      ]);
    } finally {
      log.restore();
    }
    // already revoked, or named under another user: not found, nothing changes
    expect((await admin.post(`/dashboard/users/${u.user.id}/keys/${fixture.id}/revoke`)).status).toBe(404);
    const other = await t.user('pro');
    const theirs = (await t.services.keys.list(other.user.id))[0]!;
    expect((await admin.post(`/dashboard/users/${u.user.id}/keys/${theirs.id}/revoke`)).status).toBe(404);
    expect((await admin.post(`/dashboard/users/${u.user.id}/keys/abc/revoke`)).status).toBe(404);
    expect(await api(other.key)).toBe(200);
  });

  test('revoke all: every active key refused, the page says how many', async () => {
    const u = await t.user('pro');
    const second = await t.services.keys.create(u.user.id, 'second');
    const res = await admin.post(`/dashboard/users/${u.user.id}/keys/revoke`);
    expect(res.status).toBe(200);
    const body = await res.text();
    expect(body).toContain('2 API keys revoked.');
    expect(body).toContain('<span id="user-keys-active" class="muted small">0 active</span>');
    expect([await api(u.key), await api(second.key)]).toEqual([401, 401]);
    expect(await (await admin.post(`/dashboard/users/${u.user.id}/keys/revoke`)).text()).toContain('No active key to revoke.');
    expect((await admin.post('/dashboard/users/999999/keys/revoke')).status).toBe(404);
  });

  test('members cannot see or revoke anyone’s keys through these routes; a post without the CSRF token is refused', async () => {
    const u = await t.user('pro');
    const fixture = (await t.services.keys.list(u.user.id))[0]!;
    expect((await member.get(`/dashboard/users/${u.user.id}/keys`)).status).toBe(403);
    expect((await member.get(`/dashboard/users/${memberId}/keys`)).status).toBe(403);
    expect((await member.post(`/dashboard/users/${u.user.id}/keys/${fixture.id}/revoke`)).status).toBe(403);
    expect((await member.post(`/dashboard/users/${u.user.id}/keys/revoke`)).status).toBe(403);
    expect((await admin.post(`/dashboard/users/${u.user.id}/keys/${fixture.id}/revoke`, {}, {})).status).toBe(403);
    expect((await admin.post(`/dashboard/users/${u.user.id}/keys/revoke`, {}, {})).status).toBe(403);
    expect(await api(u.key)).toBe(200);
    expect((await admin.get('/dashboard/users/999999/keys')).status).toBe(404);
  });

  test('reset password offers to revoke the keys too (ticked), says so before and after, and does it', async () => {
    const u = await t.user('pro');
    const row = rowOf(await (await admin.get('/dashboard/users')).text(), u.user.id);
    expect(row).toContain(`hx-confirm="Reset the password of ${u.email}? They are signed out everywhere and get a new temporary password. Their 1 API key is revoked too if “and revoke keys” is ticked."`);
    expect(row).toContain(`<label class="check"><input type="checkbox" name="revoke_keys" value="true" checked> and revoke keys<span class="visually-hidden"> of ${u.email}</span></label>`);
    const log = captureInfo(t.deps.logger);
    let res: Response;
    try {
      res = await admin.post(`/dashboard/users/${u.user.id}/reset-password`, { revoke_keys: 'true' });
    } finally {
      log.restore();
    }
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('Their sessions have ended. Their 1 API key was revoked. They choose their own password after signing in.');
    expect(await api(u.key)).toBe(401);
    expect(log.logged).toEqual([`admin revoked another user's API keys {"admin_id":${adminId},"user_id":${u.user.id},"revoked":1,"action":"password reset"}`]);
    // a user without keys gets no box
    expect(rowOf(await (await admin.get('/dashboard/users')).text(), u.user.id)).not.toContain('revoke_keys');
  });

  test('reset password with the box unticked keeps the keys, and says they still work', async () => {
    const u = await t.user('pro');
    await t.services.keys.create(u.user.id, 'second');
    const res = await admin.post(`/dashboard/users/${u.user.id}/reset-password`);
    expect(await res.text()).toContain('Their sessions have ended. Their 2 API keys still work: revoke them on their keys page (“2 active” in their row) if they may be compromised too.');
    expect(await api(u.key)).toBe(200);
  });

  test('reactivate says their active keys work again, and offers to reactivate with the keys revoked', async () => {
    const u = await t.user('pro');
    await admin.post(`/dashboard/users/${u.user.id}/deactivate`);
    expect(await api(u.key)).toBe(401);
    const row = rowOf(await (await admin.get('/dashboard/users')).text(), u.user.id);
    expect(row).toContain(`hx-confirm="Reactivate ${u.email}? They can sign in again, and their active API key works again."`);
    expect(row).toContain(`hx-confirm="Reactivate ${u.email} and revoke their 1 API key? They can sign in again; programs using that key stay refused."`);
    expect(row).toContain('<input type="hidden" name="revoke_keys" value="true"><button type="submit" id="standing-keys-' + u.user.id + '" class="link-button" data-then-focus="standing-' + u.user.id + '">Reactivate, revoke keys<span class="visually-hidden"> of ' + u.user.email + '</span></button>');
    const back = await admin.post(`/dashboard/users/${u.user.id}/reactivate`, {}, hx(admin));
    expect(await back.text()).toContain('role="status">Reactivated; their 1 active API key works again.</span>');
    expect(await api(u.key)).toBe(200);

    const v = await t.user('pro');
    await t.services.keys.create(v.user.id, 'second');
    await admin.post(`/dashboard/users/${v.user.id}/deactivate`);
    const log = captureInfo(t.deps.logger);
    let revoked: Response;
    try {
      revoked = await admin.post(`/dashboard/users/${v.user.id}/reactivate`, { revoke_keys: 'true' }, hx(admin));
    } finally {
      log.restore();
    }
    const text = await revoked.text();
    expect(text).toContain('role="status">Reactivated; 2 API keys revoked.</span>');
    expect(text).toContain(`<a href="/dashboard/users/${v.user.id}/keys">0 active`);
    expect((await t.services.users.get(v.user.id)).isActive).toBe(true);
    expect(await api(v.key)).toBe(401);
    expect(log.logged).toEqual([`admin revoked another user's API keys {"admin_id":${adminId},"user_id":${v.user.id},"revoked":2,"action":"reactivation"}`]);
  });
});

describe('an admin demoted or deactivated while their request waits', () => {
  // the actor as it was read when the request began: what a request holds through its waits
  const staleAdmin = async () => {
    const a = await t.user('enterprise', 'admin');
    return { id: a.user.id, actor: await t.services.users.actorFor(a.user) };
  };
  const adminsLeft = () => (t.sqlite.query("SELECT count(*) AS n FROM users WHERE role = 'admin' AND is_active = 1").get() as { n: number }).n;

  test('two admins demoting (or deactivating) each other at once: one wins, an admin remains', async () => {
    for (const patch of ['demote', 'deactivate'] as const) {
      const [a, b] = [await staleAdmin(), await staleAdmin()];
      const act = (by: typeof a, target: typeof a) =>
        patch === 'demote' ? t.services.userAdmin.change(by.actor, target.id, { role: 'member' }) : t.services.userAdmin.setActive(by.actor, target.id, false);
      const before = adminsLeft();
      await act(a, b);
      expect(await act(b, a).catch((e) => e)).toMatchObject({ code: 'FORBIDDEN', message: 'Only admins can manage users.' });
      expect([patch, adminsLeft()]).toEqual([patch, before - 1]);
    }
  });

  test("a reset whose admin was deactivated during its hash changes nobody's password; an invite by a demoted admin creates nobody", async () => {
    const [r, other] = [await staleAdmin(), await staleAdmin()];
    const victim = await t.user();
    const resetting = t.services.userAdmin.resetPassword(r.actor, victim.user.id).catch((e) => e);
    await untilBcryptRuns();
    await t.services.userAdmin.setActive(other.actor, r.id, false);
    expect(await resetting).toMatchObject({ code: 'FORBIDDEN' });
    expect((await t.services.users.authenticate(victim.email, victim.password)).user.id).toBe(victim.user.id);

    const demoted = await staleAdmin();
    await t.services.userAdmin.change(other.actor, demoted.id, { role: 'member' });
    expect(await t.services.userAdmin.invite(demoted.actor, { email: 'never@example.com', role: 'admin' }).catch((e) => e)).toMatchObject({ code: 'FORBIDDEN' });
    expect(await t.services.users.getByEmail('never@example.com').catch((e) => e.code)).toBe('NOT_FOUND');
  });
});

describe('a session ended while its form is still arriving', () => {
  test('does nothing: a password reset or a deactivation mid-upload sends it to sign in, and no key or link is made', async () => {
    const boss = await t.services.users.actorFor((await t.user('enterprise', 'admin')).user);
    for (const end of ['reset', 'deactivate'] as const) {
      for (const [path, form] of [['/dashboard/keys', 'name=backdoor'], ['/dashboard/links/new', 'url=https%3A%2F%2Fexample.com%2Flate&title=late']]) {
        const victim = await t.user('pro');
        const web = await loginThroughForm((r) => t.app.handle(r), victim, `203.0.113.${++logins}`);
        const held = heldRequest(path!, { cookie: web.cookie, 'x-csrf-token': web.csrf, 'content-type': 'application/x-www-form-urlencoded' }, form!);
        const answering = t.app.handle(held.request);
        await held.reading; // the session was resumed; the body is on its way
        await (end === 'reset' ? t.services.userAdmin.resetPassword(boss, victim.user.id) : t.services.userAdmin.setActive(boss, victim.user.id, false));
        held.release();
        const res = await answering;
        expect([end, path, res.status, res.headers.get('location')?.split('?')[0]]).toEqual([end, path, 303, '/login']);
        const made = t.sqlite.query('SELECT (SELECT count(*) FROM api_keys WHERE user_id = ?1) + (SELECT count(*) FROM links WHERE user_id = ?1) AS n').get(victim.user.id);
        expect([end, path, made]).toEqual([end, path, { n: 1 }]); // the key t.user() made, nothing else
      }
    }
  });
});

describe('plans', () => {
  test('lists every plan with its limits and features', async () => {
    const body = await (await admin.get('/dashboard/plans')).text();
    for (const name of ['free', 'pro', 'enterprise']) expect(body).toContain(`hx-post="/dashboard/plans/${name}"`);
    expect(body).toMatch(/name="rate_limit" value="60"/);
    expect(body).toMatch(/name="max_links" value=""[^>]*placeholder="Unlimited"/);
  });

  test('saving: htmx gets the plan form back; blank max links means unlimited; unchecked boxes turn features off', async () => {
    const res = await admin.post('/dashboard/plans/free', { rate_limit: '30', max_links: '', api_access: 'true', qr_colors: 'true' }, hx(admin));
    expect(res.status).toBe(200);
    const body = await res.text();
    expect(body).toContain('role="status">Saved.</span>');
    const plan = await t.services.plans.getByName('free');
    expect(plan).toMatchObject({ rateLimitPerMinute: 30, maxLinks: null, apiAccess: true, customAlias: false, password: false, expiry: false, qrColors: true });
    const plain = await admin.post('/dashboard/plans/free', { rate_limit: '60', max_links: '100', _csrf: admin.csrf }, {});
    expect(plain.status).toBe(303);
    expect(await t.services.plans.getByName('free')).toMatchObject({ rateLimitPerMinute: 60, maxLinks: 100, apiAccess: false, qrColors: false });
  });

  test('a number input may send an exponent (1e3): it is the whole number it means', async () => {
    const before = await t.services.plans.getByName('enterprise');
    const res = await admin.post('/dashboard/plans/enterprise', { rate_limit: '1e3', max_links: '', api_access: 'true' }, hx(admin));
    expect(await res.text()).toContain('Saved.');
    expect((await t.services.plans.getByName('enterprise')).rateLimitPerMinute).toBe(1000);
    await t.services.plans.update('enterprise', before);
  });

  test('refused values are shown beside the field: 200 fragment for htmx, 422 page otherwise', async () => {
    const res = await admin.post('/dashboard/plans/pro', { rate_limit: '0', max_links: '5' }, hx(admin));
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('role="alert">The rate limit must be a whole number of at least 1.</p>');
    const plain = await admin.post('/dashboard/plans/pro', { rate_limit: '10', max_links: '-3' });
    expect(plain.status).toBe(422);
    expect(await plain.text()).toContain('The link limit must be a whole number of at least 0, or unlimited.');
    for (const [rate, max] of [['0x10', '5'], ['Infinity', '5'], ['10', '1e30'], ['10', '9007199254740993'], ['10', '2.5']]) {
      expect((await admin.post('/dashboard/plans/pro', { rate_limit: rate!, max_links: max! })).status).toBe(422);
    }
    expect(await t.services.plans.getByName('pro')).toMatchObject({ rateLimitPerMinute: 120, maxLinks: 10_000 });
    // a refused form keeps the feature boxes as sent (pro has them all on): fixing the number saves them too
    const boxes = await (await admin.post('/dashboard/plans/pro', { rate_limit: '0', max_links: '5', custom_alias: 'true', expiry: 'true' })).text();
    expect(boxes).toMatch(/name="custom_alias" value="true" checked/);
    expect(boxes).not.toMatch(/name="api_access" value="true" checked/);
    expect(boxes).not.toMatch(/name="password" value="true" checked/);
    expect((await t.services.plans.getByName('pro')).apiAccess).toBe(true);
    expect((await admin.post('/dashboard/plans/gold', { rate_limit: '10' })).status).toBe(404);
    expect((await admin.post('/dashboard/plans/x%25', { rate_limit: '10' })).status).toBe(404);
  });
});

describe('settings', () => {
  test('a read-only table of the running configuration with how to change each', async () => {
    const res = await admin.get('/dashboard/settings');
    expect(res.status).toBe(200);
    const body = await res.text();
    expect(body).toContain(`<code>${BASE}</code>`);
    expect(body).toMatch(/Anonymous links[^<]*<\/th><td data-label="Current value"><code>on<\/code><\/td><td data-label="Environment variable"><code>ANONYMOUS_LINKS<\/code><\/td><td data-label="Flag"><code>--anonymous-links<\/code>/);
    expect(body).toMatch(/Trust proxy[^<]*<\/th><td data-label="Current value"><code>on<\/code>/);
    expect(body).toMatch(/Private targets[^<]*<\/th><td data-label="Current value"><code>off<\/code>/);
    for (const env of ['BASE_URL', 'ALLOW_PRIVATE_TARGETS', 'TRUST_PROXY', 'OG_FETCH', 'LOG_LEVEL', 'METRICS_TOKEN', 'DATA_DIR', 'PORT']) expect(body).toContain(`<code>${env}</code>`);
    expect(body).toMatch(/Metrics token[^<]*<\/th><td data-label="Current value"><code>not set: \/metrics is open<\/code>/);
    expect(body).toMatch(/Raw click retention[^<]*<\/th><td data-label="Current value"><code>90 days<\/code><\/td><td data-label="Environment variable"><code>CLICK_RETENTION_DAYS<\/code><\/td><td data-label="Flag"><code>--click-retention-days<\/code>/);
    // where the data is, whatever folder the server was started from
    expect(body).toMatch(/Data directory[^<]*<\/th><td data-label="Current value"><code>\/[^<]+<\/code>/);
    expect(body).toContain('restart');
    expect(body.slice(body.indexOf('<main'))).not.toContain('<input');
  });
});
