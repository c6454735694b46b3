/**
 * What a screen-reader user is told, checked in the HTML the server sends:
 * a refused password names its field and says so in the title, aria
 * references point at elements that exist, and the markers the dashboard
 * script reads (data-confirmation, data-announce, data-view-summary, the
 * #announcer live region) are on the pages that need them. What the script
 * then does with them in a browser: test/web/browser-a11y.test.ts.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { Actor, Plan } from '../../src/accounts/accounts.types.ts';
import { planForm } from '../../views/dashboard/admin.ts';
import { loginPage } from '../../views/login.ts';
import { passwordPage } from '../../views/password.ts';
import { BASE, makeTestApp, type TestApp } from '../helpers/make-test-app.ts';
import { loginThroughForm } from '../helpers/web-login.ts';

/** Every id named by aria-describedby / aria-labelledby / label for= that has no element. */
function danglingRefs(html: string): string[] {
  const ids = new Set([...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]!));
  const refs = [...html.matchAll(/\s(?:aria-describedby|aria-labelledby|for)="([^"]+)"/g)].flatMap((m) => m[1]!.split(/\s+/));
  return refs.filter((id) => !ids.has(id));
}

describe('public pages', () => {
  test('a wrong link password: the field is invalid and described by the message, and the title says Error', () => {
    const page = passwordPage({ action: '/abc', csrfToken: 't', shortUrl: 'https://s.example/abc', error: 'That password is not correct. Please try again.' }).value;
    expect(page).toContain('<title>Error: Password required</title>');
    expect(page).toMatch(/<p class="alert" id="password-error" role="alert">That password is not correct/);
    expect(page).toMatch(/<input id="password"[^>]* autofocus[^>]* aria-invalid="true" aria-describedby="password-error">/);
    expect(danglingRefs(page)).toEqual([]);
  });

  test('the unlock form before any attempt: no error state, plain title', () => {
    const page = passwordPage({ action: '/abc', csrfToken: 't', shortUrl: 'https://s.example/abc' }).value;
    expect(page).toContain('<title>Password required</title>');
    // a password manager files the password under this link, not under one entry for every protected link of the site
    expect(page).toContain('<input type="text" name="username" autocomplete="username" value="https://s.example/abc" readonly hidden>');
    expect(page).toContain('<code>s.example/abc</code>');
    expect(page).not.toContain('aria-invalid');
    expect(page).not.toContain('aria-describedby');
  });

  test('a refused sign-in says Error in the title, the first thing a screen reader reads of the page', () => {
    expect(loginPage({ csrfToken: 't', email: 'a@b.c', error: 'Invalid email or password.' }).value).toContain('<title>Error: Sign in · shrinkray</title>');
    expect(loginPage({ csrfToken: 't' }).value).toContain('<title>Sign in · shrinkray</title>');
  });
});

describe('plan forms', () => {
  const plan = { id: 7, name: 'pro', rateLimitPerMinute: 120, maxLinks: 10000, apiAccess: true, customAlias: true, password: true, expiry: true, qrColors: true } as Plan;

  test('without an error the inputs name no error element (it does not exist)', () => {
    const form = planForm({ plan, csrfToken: 't' }).value;
    expect(danglingRefs(form)).toEqual([]);
    expect(form).toMatch(/id="plan-7-max"[^>]* aria-describedby="plan-7-max-hint"/);
  });

  test('with an error the input is invalid and described by the message', () => {
    const form = planForm({ plan, csrfToken: 't', error: { field: 'rate_limit', message: 'Too small.' }, values: { rate_limit: '0', max_links: '' } }).value;
    expect(danglingRefs(form)).toEqual([]);
    expect(form).toMatch(/id="plan-7-rate"[^>]* aria-invalid="true" aria-describedby="plan-7-rate_limit-error"/);
    expect(form).toMatch(/<p class="field-error" id="plan-7-rate_limit-error" role="alert">Too small\.<\/p>/);
  });

  test('"Saved." is marked for the dashboard script to read out', () => {
    expect(planForm({ plan, csrfToken: 't', saved: true }).value).toContain('<span class="row-status" data-announce role="status">Saved.</span>');
  });
});

describe('dashboard pages', () => {
  let t: TestApp;
  let cookie: string;
  let csrf: string;
  let actor: Actor;
  const get = (path: string, headers: Record<string, string> = {}) => t.app.handle(new Request(BASE + path, { headers: { cookie, ...headers } }));

  beforeAll(async () => {
    t = await makeTestApp();
    const u = await t.user('pro', 'admin');
    ({ cookie, csrf } = await loginThroughForm((r) => t.app.handle(r), u, '192.0.2.77'));
    actor = await t.services.users.actorFor(u.user);
    for (const n of [1, 2, 3]) await t.services.links.create(actor, { destination: `https://example.com/${n}`, title: `Spring ${n}`, source: 'dashboard' });
  });
  afterAll(() => t.close());

  test('the shell has a polite live region for the script’s announcements', async () => {
    expect(await (await get('/dashboard')).text()).toContain('<div id="announcer" class="sr-only" role="status" aria-live="polite"></div>');
  });

  test('a redrawn links table says in words what it now shows; the selection hint is there from the start', async () => {
    const table = await (await get('/dashboard?q=Spring&sort=code&dir=asc', { 'hx-request': 'true' })).text();
    expect(table).toContain('data-view-summary="3 links match “Spring”, 1 to 3 shown, sorted by short link, ascending."');
    // rendered, so the script has nothing to rewrite (and the live region nothing to read) after each redraw
    expect(table).toContain('data-selected-count aria-live="polite">Select links to act on several at once</span>');
    const none = await (await get('/dashboard?q=zzz', { 'hx-request': 'true' })).text();
    expect(none).toContain('data-view-summary="No links match “zzz”."');
  });

  test('a short link in the list is named by the words it shows (WCAG 2.5.3); its copy button names the whole URL', async () => {
    const table = await (await get('/dashboard?q=Spring', { 'hx-request': 'true' })).text();
    const cells = [...table.matchAll(/<a class="short"[^>]*>[\s\S]*?<\/a>/g)].map((m) => m[0]);
    expect(cells.length).toBe(3);
    // a space between code and host, which the column layout does not show: the name reads "abc s.example", not "abcs.example"
    for (const cell of cells) expect(cell).toMatch(/^<a class="short" href="[^"]+" target="_blank" rel="noopener"><span class="code">[^<]+<\/span> <span class="host">[^<]+<\/span><\/a>$/);
    for (const cell of cells) expect(table).toContain(`aria-label="Copy ${/href="([^"]+)"/.exec(cell)![1]}"`);
  });

  test('each row’s buttons and links on the users and QR codes screens are told apart by their names (a screen reader’s list of controls)', async () => {
    for (const name of ['Menu card', 'Poster']) await t.services.qr.create(actor, { name, type: 'text', content: name, errorCorrection: 'M' });
    await t.services.users.create({ email: 'ann@example.com', password: 'ann-Pa55word', plan: 'free' });
    const bob = await t.services.users.create({ email: 'bob@example.com', password: 'bob-Pa55word', plan: 'free' });
    await t.services.users.update(bob.id, { isActive: false });
    /** the names of the buttons and links in the rows' action cells: their text, hidden words included */
    const actionNames = (page: string) =>
      [...page.matchAll(/<td class="actions">([\s\S]*?)<\/td>/g)].flatMap((cell) =>
        [...cell[1]!.matchAll(/<(button|a)\b[^>]*>([\s\S]*?)<\/\1>/g)].map((m) => m[2]!.replace(/<[^>]+>/g, '').replace(/\s+/g, ' ').trim()),
      );
    const repeated: Record<string, string[]> = {};
    for (const path of ['/dashboard/users', '/dashboard/qrcodes']) {
      const names = actionNames(await (await get(path)).text());
      expect(names.length).toBeGreaterThan(3);
      repeated[path] = names.filter((n, i) => names.indexOf(n) !== i);
    }
    expect(repeated).toEqual({ '/dashboard/users': [], '/dashboard/qrcodes': [] });
  });

  test('a new link’s confirmation is marked to take the focus', async () => {
    const res = await t.app.handle(
      new Request(`${BASE}/dashboard/links/new`, {
        method: 'POST',
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ _csrf: csrf, url: 'https://example.com/new', code: 'fresh-one', redirect_mode: 'direct' }),
      }),
    );
    expect(res.status).toBe(303);
    const page = await (await get(res.headers.get('location')!)).text();
    expect(page).toMatch(/<div class="success created" role="status" data-confirmation[^>]*>Your short link is ready/);
  });

  test('a new API key’s panel (shown once) is marked to take the focus', async () => {
    const res = await t.app.handle(
      new Request(`${BASE}/dashboard/keys`, {
        method: 'POST',
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', 'hx-request': 'true', 'x-csrf-token': csrf },
        body: new URLSearchParams({ name: 'laptop' }),
      }),
    );
    expect(await res.text()).toMatch(/<section class="card key-once stack" role="status" aria-labelledby="new-key-h" data-confirmation/);
  });
});
