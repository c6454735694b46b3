/**
 * API keys in the dashboard: created and shown exactly once, listed with
 * their last use, revoked with a row fragment — after which the API answers
 * 401 to the key. Names are user input and come out escaped; a POST without
 * the session's CSRF token changes nothing.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { BASE, makeTestApp, type TestApp } from '../helpers/make-test-app.ts';
import { loginThroughForm } from '../helpers/web-login.ts';

const HOSTILE = '<img src=x onerror=alert(1)>';
let t: TestApp;
let ipSeq = 0;

type Browser = Awaited<ReturnType<typeof signIn>>;
async function signIn(plan: 'free' | 'pro' = 'pro') {
  const u = await t.user(plan);
  const { cookie, csrf } = await loginThroughForm((r) => t.app.handle(r), u, `192.0.2.${++ipSeq}`, '/dashboard/keys');
  const get = (path: string) => t.app.handle(new Request(BASE + path, { headers: { cookie } }));
  const post = (path: string, form: Record<string, string>, o: { hx?: boolean; csrf?: boolean } = {}) =>
    t.app.handle(
      new Request(BASE + path, {
        method: 'POST',
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', ...(o.hx ? { 'hx-request': 'true' } : {}), ...(o.hx && o.csrf !== false ? { 'x-csrf-token': csrf } : {}) },
        body: new URLSearchParams(o.hx || o.csrf === false ? form : { _csrf: csrf, ...form }),
      }),
    );
  return { ...u, get, post };
}

let me: Browser;
let other: Browser;
const api = (key: string) => t.app.handle(new Request(`${BASE}/api/v1/links`, { headers: { authorization: `Bearer ${key}`, accept: 'application/json' } }));

beforeAll(async () => {
  t = await makeTestApp({ env: { TRUST_PROXY: 'true' } });
  me = await signIn();
  other = await signIn();
});
afterAll(() => t.close());

describe('/dashboard/keys', () => {
  test('the screen lists the user’s keys (the fixture key, by prefix) and a labelled create form', async () => {
    const res = await me.get('/dashboard/keys');
    const body = await res.text();
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(body).toContain('<label for="key-name">Name</label>');
    expect(body).toContain(`<code>${me.key.slice(0, 10)}…</code>`);
    expect(body).not.toContain(other.key.slice(0, 10));
    expect(body).toContain('Never');
  });

  test('create (htmx): the #keys-panel fragment shows the key once with a copy button; the list then shows only its prefix', async () => {
    const res = await me.post('/dashboard/keys', { name: HOSTILE }, { hx: true });
    const body = await res.text();
    expect(res.status).toBe(200);
    expect(body.startsWith('<section id="keys-panel"')).toBe(true);
    const key = /<code id="new-key">(sr_[\w-]+)<\/code>/.exec(body)![1]!;
    expect(body).toContain(`data-copy="${key}"`);
    expect(body).toContain('This is the only time it is shown');
    expect(body).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(body).not.toContain(HOSTILE);
    expect((await api(key)).status).toBe(200);
    const later = await (await me.get('/dashboard/keys')).text();
    expect(later).not.toContain(key);
    expect(later).toContain(`${key.slice(0, 10)}…`);
    expect(later).toMatch(/<time datetime="[^"]+">[^<]+ UTC<\/time><\/td>\n<td data-label="Status">/);
  });

  test('a plain form post answers the whole page with the key; a too-long name is a 422 beside the field', async () => {
    const page = await me.post('/dashboard/keys', { name: 'CI' });
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<!doctype html>[\s\S]*<code id="new-key">sr_/);
    const bad = await me.post('/dashboard/keys', { name: 'x'.repeat(101) }, { hx: true });
    expect(bad.status).toBe(422);
    expect(await bad.text()).toContain('<p class="field-error" id="name-error">The name must not be greater than 100 characters.</p>');
  });

  test('an account holds at most 100 active keys (each is a rate-limit budget); revoking one makes room', async () => {
    const many = await signIn();
    for (let i = 0; i < 99; i++) await t.services.keys.create(many.user.id, `bulk ${i}`); // + the fixture key = 100
    const refused = await many.post('/dashboard/keys', { name: 'one too many' }, { hx: true });
    expect(refused.status).toBe(422);
    expect(await refused.text()).toContain('This account has 100 active API keys, the most it may hold: revoke one it no longer uses first.');
    const oldest = (await t.services.keys.list(many.user.id))[0]!;
    await t.services.keys.revoke(many.user.id, oldest.id);
    // one free place, many creates at once: exactly one takes it
    const racing = await Promise.all(Array.from({ length: 30 }, (_, i) => many.post('/dashboard/keys', { name: `race ${i}` }, { hx: true })));
    expect(racing.filter((r) => r.status === 200)).toHaveLength(1);
    expect((await t.services.keys.list(many.user.id)).filter((k) => k.revokedAt === null)).toHaveLength(100);
  });

  test('revoke: the row fragment says Revoked, then the API answers 401 to the key', async () => {
    const created = await t.services.keys.create(me.user.id, 'to revoke');
    expect((await api(created.key)).status).toBe(200);
    const res = await me.post(`/dashboard/keys/${created.record.id}/revoke`, {}, { hx: true });
    const row = await res.text();
    expect(res.status).toBe(200);
    expect(row.startsWith(`<tr id="key-${created.record.id}">`)).toBe(true);
    expect(row).toContain('Revoked');
    expect(row).not.toContain('hx-post');
    expect(row).toMatch(/<template><span id="keys-active" class="muted small" hx-swap-oob="true">\d+ active<\/span><\/template>$/);
    expect(res.headers.get('hx-trigger')).toContain('was revoked');
    expect((await api(created.key)).status).toBe(401);
    expect((await me.post(`/dashboard/keys/${created.record.id}/revoke`, {}, { hx: true })).status).toBe(404);
  });

  test('another user’s key is a 404; without the CSRF token nothing is created or revoked', async () => {
    const theirs = await t.services.keys.create(other.user.id, 'theirs');
    expect((await me.post(`/dashboard/keys/${theirs.record.id}/revoke`, {})).status).toBe(404);
    expect((await api(theirs.key)).status).toBe(200);
    expect((await other.post(`/dashboard/keys/${theirs.record.id}/revoke`, {}, { csrf: false })).status).toBe(403);
    expect((await other.post(`/dashboard/keys/${theirs.record.id}/revoke`, {}, { hx: true, csrf: false })).status).toBe(403);
    expect((await api(theirs.key)).status).toBe(200);
    const before = (await t.services.keys.list(other.user.id)).length;
    expect((await other.post('/dashboard/keys', { name: 'forged' }, { csrf: false })).status).toBe(403);
    expect(await t.services.keys.list(other.user.id)).toHaveLength(before);
    const plain = await other.post(`/dashboard/keys/${theirs.record.id}/revoke`, {});
    expect(plain.status).toBe(303);
    expect(plain.headers.get('location')).toBe('/dashboard/keys');
  });

  test('a plan without API access says so', async () => {
    const free = await signIn('free');
    expect(await (await free.get('/dashboard/keys')).text()).toContain('Your plan (free) has no API access');
  });
});
