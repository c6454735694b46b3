/**
 * The same properties as api-fuzz, for the browser side: every route the app
 * mounts under /dashboard (enumerated from the live route table, hidden from
 * the OpenAPI document), /login and /logout, with a signed-in session and
 * its CSRF token most of the time, hostile form fields (the names the forms
 * use, with hostile values), query strings and htmx headers.
 *   1. never a 5xx;
 *   2. no prototype pollution;
 *   3. another user's links, QR codes and keys are byte-identical afterwards
 *      (the fuzzing session is an admin's: admins may change other users'
 *      role, plan and standing, take their links down — pause, activate,
 *      delete, through those three routes alone — and revoke their keys —
 *      through the four routes in KEY_REVOKE alone — and hand all their
 *      links and QR codes to another user, changing only those rows' owner,
 *      through TRANSFER alone — but never edit their links, QR codes or keys).
 * A fuzzed request may end the session (logout, a self-reset); the next run
 * starts from a fresh one made through the service (the login form's own
 * limits would otherwise cap the run).
 *
 * WEB_FUZZ_RUNS per route pattern (default 100); FUZZ_SEED replays.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import fc from 'fast-check';
import { HOSTILE_STRINGS } from '../helpers/fuzz-inputs.ts';
import { BASE, makeTestApp, type TestApp } from '../helpers/make-test-app.ts';

const RUNS = Number(process.env.WEB_FUZZ_RUNS ?? 100);
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined;

const FIELDS = [
  'url', 'code', 'title', 'expires_at', 'redirect_mode', 'remove_password', 'password',
  'utm_source', 'utm_medium', 'utm_campaign', 'utm_term', 'utm_content',
  'schedule_start_0', 'schedule_end_0', 'schedule_url_0', 'schedule_start_999', 'schedule_url_7',
  'name', 'type', 'content', 'foreground_color', 'background_color', 'margin', 'size', 'error_correction', 'link_id',
  'email', 'role', 'plan', 'revoke_keys', 'rate_limit', 'max_links', 'api_access', 'custom_alias', 'expiry', 'qr_colors',
  'current_password', 'new_password', 'confirm_password', 'csv', 'action', 'select_1', 'select_2', 'select_999999999999999',
  'q', 'sort', 'dir', 'page', 'all', 'range', 'from', 'to', 'next', '__proto__', 'constructor',
];

const PLAUSIBLE = [
  'https://example.com/', 'example.com', 'direct', 'bridge', 'preview', '1', '0', 'on', 'true', 'false', 'delete', 'deactivate',
  'url', 'text', 'email', 'sms', 'phone', 'L', 'M', 'Q', 'H', '#000000', '#ffffff', '300', '4', 'admin', 'member', 'free', 'pro', 'enterprise',
  'unlimited', '2030-01-01T00:00', '2030-01-01', '7', '30', '90', 'custom', 'created_at', 'asc', 'desc', 'a@b.co',
  'url,title\nhttps://example.com/a,A\nnot a url,B\n', `url\n${'https://example.com/x\n'.repeat(50)}`,
];

const value = fc.oneof(fc.constantFrom(...PLAUSIBLE), fc.constantFrom(...HOSTILE_STRINGS), fc.string({ maxLength: 30 }), fc.integer().map(String));

let t: TestApp;
let admin: Awaited<ReturnType<TestApp['user']>>;
let other: Awaited<ReturnType<TestApp['user']>>;
let session = { cookie: '', csrf: '' };
let idPool: string[] = [];
let tried = 0;
const statuses = new Map<number, number>();

/** The routes by which an admin takes another user's link down: they may change its standing, nothing else. */
const TAKE_DOWN = new Set(['POST /dashboard/links/:id/toggle', 'POST /dashboard/links/:id/delete', 'POST /dashboard/links/bulk']);

/** The routes by which an admin revokes another user's API keys: they may set its keys' revoked_at, nothing else. */
const KEY_REVOKE = new Set([
  'POST /dashboard/users/:id/keys/:key/revoke',
  'POST /dashboard/users/:id/keys/revoke',
  'POST /dashboard/users/:id/reset-password',
  'POST /dashboard/users/:id/reactivate',
]);

/** The route by which an admin hands a user's links and QR codes to another: it may change their owner, nothing else (keys stay). */
const TRANSFER = new Set(['POST /dashboard/users/:id/transfer']);
/** The fixtures' links and QR codes with their owners, to find them after a transfer and to give them back. */
let fixtures: { links: [number, number][]; qr: [number, number][] } = { links: [], qr: [] };

function snapshotOther(takeDown = false, keyRevoke = false, transfer = false): string {
  const db = t.services.db.sqlite;
  const id = other.user.id;
  if (transfer) {
    // the other user's fixtures wherever they went, without their owner
    const theirs = (rows: [number, number][]) => rows.filter(([, owner]) => owner === id).map(([rowId]) => rowId).join(',');
    const unowned = ({ user_id, total_clicks, unique_clicks, last_clicked_at, ...r }: Record<string, unknown>) => r;
    return JSON.stringify([
      (db.query(`SELECT * FROM links WHERE id IN (${theirs(fixtures.links)}) ORDER BY id`).all() as Record<string, unknown>[]).map(unowned),
      db.query(`SELECT * FROM link_schedules WHERE link_id IN (${theirs(fixtures.links)}) ORDER BY id`).all(),
      (db.query(`SELECT * FROM qr_codes WHERE id IN (${theirs(fixtures.qr)}) ORDER BY id`).all() as Record<string, unknown>[]).map(unowned),
      db.query('SELECT id, user_id, name, prefix, key_hash, revoked_at, created_at FROM api_keys WHERE user_id = ? ORDER BY id').all(id),
    ]);
  }
  const standing = (r: Record<string, unknown>) => {
    if (!takeDown) return r;
    const { is_active, deleted_at, updated_at, ...rest } = r;
    return rest;
  };
  return JSON.stringify([
    (db.query('SELECT * FROM links WHERE user_id = ? ORDER BY id').all(id) as Record<string, unknown>[]).map(({ total_clicks, unique_clicks, last_clicked_at, ...r }) => standing(r)),
    db.query('SELECT s.* FROM link_schedules s JOIN links l ON l.id = s.link_id WHERE l.user_id = ? ORDER BY s.id').all(id),
    db.query('SELECT * FROM qr_codes WHERE user_id = ? ORDER BY id').all(id),
    db.query(`SELECT id, user_id, name, prefix, key_hash, ${keyRevoke ? '' : 'revoked_at, '}created_at FROM api_keys WHERE user_id = ? ORDER BY id`).all(id),
  ]);
}

const prototypes = () => JSON.stringify([Object.getOwnPropertyNames(Object.prototype).sort(), Object.getOwnPropertyNames(Array.prototype).sort()]);

/** A live admin session, restored if a fuzzed request ended it (logout, reset, deactivation). */
async function ensureSession(): Promise<void> {
  const token = session.cookie.split('=')[1] ?? null;
  if (token && (await t.services.sessions.resume(token))) return;
  await t.services.users.update(admin.user.id, { isActive: true, role: 'admin', plan: 'enterprise' });
  await t.services.users.setPassword(admin.user.id, admin.password);
  const { token: fresh, context } = await t.services.sessions.login(admin.email, admin.password);
  session = { cookie: `shrinkray_session=${fresh}`, csrf: context.csrfToken };
}

beforeAll(async () => {
  t = await makeTestApp({ env: { ANONYMOUS_LINKS: 'true', TRUST_PROXY: 'true', LOG_LEVEL: 'error' } });
  admin = await t.user('enterprise', 'admin');
  other = await t.user('pro');
  const mine = await t.services.users.actorFor(admin.user);
  const theirs = await t.services.users.actorFor(other.user);
  const ids: number[] = [admin.user.id, other.user.id];
  for (const actor of [mine, theirs]) {
    for (let i = 0; i < 3; i++) ids.push((await t.services.links.create(actor, { destination: `https://example.com/${actor.user.id}/${i}`, title: `t${i}`, metadata: 'none', password: i === 1 ? 'pw' : null })).link.id);
    ids.push((await t.services.qr.create(actor, { name: 'q', type: 'text', content: 'c', errorCorrection: 'M' })).id);
    ids.push((await t.services.keys.create(actor.user.id, 'k')).record.id);
  }
  idPool = ids.map(String);
  fixtures = {
    links: t.services.db.sqlite.query('SELECT id, user_id FROM links').values() as [number, number][],
    qr: t.services.db.sqlite.query('SELECT id, user_id FROM qr_codes').values() as [number, number][],
  };
  await ensureSession();
});

afterAll(async () => {
  console.log(`web fuzz: ${tried} requests; statuses ${[...statuses].sort((a, b) => a[0] - b[0]).map(([s, n]) => `${s}:${n}`).join(' ')}`);
  await t?.close();
});

interface Route {
  method: string;
  path: string;
}

const isBrowserRoute = (r: Route) => r.path === '/dashboard' || r.path.startsWith('/dashboard/') || r.path === '/login' || r.path === '/logout';

function requestArb(route: Route) {
  const param = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...idPool, 'free', 'pro', 'enterprise', 'svg', 'png') }, { weight: 2, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) }, { weight: 1, arbitrary: fc.integer().map(String) });
  return fc.record({
    params: fc.array(param, { minLength: 3, maxLength: 3 }),
    query: fc.array(fc.tuple(fc.constantFrom(...FIELDS), value), { maxLength: 4 }),
    form: fc.array(
      fc.oneof(
        { weight: 6, arbitrary: fc.tuple(fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...FIELDS) }, { weight: 1, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) }), value) },
        // a transfer's recipient is a user id: one from the pool, so that some transfers go through
        { weight: 1, arbitrary: fc.tuple(fc.constant('to'), fc.constantFrom(...idPool)) },
      ),
      { maxLength: 8 },
    ),
    csrf: fc.constantFrom('form', 'header', 'none', 'wrong'),
    htmx: fc.record({ 'hx-request': fc.constantFrom('true', 'false'), 'hx-target': fc.constantFrom('analytics', 'qr-list', 'links-table', 'qr-row-1', 'x'), 'hx-history-restore-request': fc.constantFrom('true', 'false'), 'hx-boosted': fc.constantFrom('true', 'false') }, { requiredKeys: [] }),
    signedIn: fc.oneof({ weight: 9, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
    json: fc.oneof({ weight: 5, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
  }).map((r) => ({ route, ...r }));
}

type WebRequest = ReturnType<typeof requestArb> extends fc.Arbitrary<infer R> ? R : never;

function build(r: WebRequest): Request {
  let i = 0;
  const strip = (s: string) => s.replace(/[\uD800-\uDFFF]/g, '');
  const path = r.route.path.replace(/:\w+/g, () => encodeURIComponent(strip(r.params[i++]!)));
  const qs = new URLSearchParams(r.query.map(([k, v]) => [k, strip(v)])).toString();
  const headers: Record<string, string> = { 'x-forwarded-for': `192.0.2.${(tried % 250) + 1}`, accept: 'text/html', ...r.htmx };
  if (r.signedIn) headers.cookie = session.cookie;
  const fields: [string, string][] = r.form.map(([k, v]) => [strip(k), strip(v)]);
  if (r.csrf === 'form') fields.push(['_csrf', session.csrf]);
  if (r.csrf === 'header') headers['x-csrf-token'] = session.csrf;
  if (r.csrf === 'wrong') headers['x-csrf-token'] = 'wrong';
  let body: string | undefined;
  if (r.route.method !== 'GET' && r.route.method !== 'HEAD') {
    if (r.json) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(Object.fromEntries(fields));
    } else {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(fields).toString();
    }
  }
  return new Request(`${BASE}${path}${qs ? `?${qs}` : ''}`, { method: r.route.method, headers, body });
}

// registered at collection time from a throwaway app: the same createApp, so the same routes
const probe = await makeTestApp();
const patterns = (probe.app as unknown as { routes: Route[] }).routes.filter(isBrowserRoute);
await probe.close();

describe('every browser route survives hostile forms, queries and headers', () => {
  test('the route table has the dashboard screens', () => {
    expect((t.app as unknown as { routes: Route[] }).routes.filter(isBrowserRoute).length).toBeGreaterThanOrEqual(25);
  });

  for (const route of patterns) {
    test(`${route.method} ${route.path}`, async () => {
      const takeDown = TAKE_DOWN.has(`${route.method} ${route.path}`);
      const keyRevoke = KEY_REVOKE.has(`${route.method} ${route.path}`);
      const transfer = TRANSFER.has(`${route.method} ${route.path}`);
      const before = { other: snapshotOther(takeDown, keyRevoke, transfer), proto: prototypes() };
      const out = await fc.check(
        fc.asyncProperty(requestArb(route), async (r) => {
          await ensureSession();
          tried++;
          const res = await t.app.handle(build(r));
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          const text = await res.text();
          if (res.status >= 500) throw new Error(`${route.method} ${route.path} answered ${res.status}: ${text.slice(0, 200)}`);
          if (prototypes() !== before.proto || ({} as Record<string, unknown>).polluted !== undefined) throw new Error('a prototype was polluted');
          if (snapshotOther(takeDown, keyRevoke, transfer) !== before.other) throw new Error(`${route.method} ${route.path} changed another user's rows`);
        }),
        { numRuns: RUNS, seed: SEED, endOnFailure: process.env.FUZZ_SHRINK !== '1' },
      );
      // the fixtures back with their owners, so that the routes after this one are checked against the other user's rows again
      if (transfer) {
        const db = t.services.db.sqlite;
        for (const [id, owner] of fixtures.links) db.query('UPDATE links SET user_id = ? WHERE id = ?').run(owner, id);
        for (const [id, owner] of fixtures.qr) db.query('UPDATE qr_codes SET user_id = ? WHERE id = ?').run(owner, id);
      }
      if (out.failed) {
        const example = JSON.stringify(out.counterexample, (_k, v) => (typeof v === 'string' && v.length > 200 ? `${v.slice(0, 200)}…(${v.length} chars)` : v));
        throw new Error(`FUZZ_SEED=${out.seed} after ${out.numRuns} runs\n${String(out.errorInstance)}\ncounterexample: ${example}`);
      }
    }, 60_000);
  }
});
