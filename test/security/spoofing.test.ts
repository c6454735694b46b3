/**
 * Visual spoofing through escaped text: a destination whose host is written in
 * look-alike letters (https://аррӏе.com, Cyrillic, reads as apple.com) or whose
 * path carries a right-to-left override (U+202E makes "invoice‮gpj.exe" read
 * "invoiceexe.jpg"). Wherever a person judges where a link goes — the safety
 * preview, the home page's result, the dashboard's table, analytics, QR list
 * and tagged-URL preview — the host is shown in ASCII (punycode) and hidden
 * characters percent-encoded; the APIs still answer the destination as sent.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { TestApp } from '../helpers/make-test-app.ts';
import { cookieOf, page, securityApp, send, signIn, type Browser } from './security-kit.ts';

const HOMOGRAPH = 'https://аррӏе.com/login';
const HOMOGRAPH_ASCII = 'https://xn--80ak6aa92e.com/login';
const RLO = 'https://example.com/invoice\u202egpj.exe';
const RLO_SHOWN = 'https://example.com/invoice%E2%80%AEgpj.exe';
/** What must never reach a page where a destination is shown. */
const SPOOFS = ['аррӏе.com/login', '\u202e'];

let t: TestApp;
let owner: Browser;
let ownerId = 0;
let admin: Browser;
const codes: Record<string, string> = {};
const ids: Record<string, number> = {};

function expectNoSpoof(where: string, body: string): void {
  for (const s of SPOOFS) expect([where, JSON.stringify(s), body.includes(s)]).toEqual([where, JSON.stringify(s), false]);
}

beforeAll(async () => {
  t = await securityApp({ env: { ANONYMOUS_LINKS: 'true' } });
  const u = await t.user('pro');
  const a = await t.user('enterprise', 'admin');
  const actor = await t.services.users.actorFor(u.user);
  for (const [name, destination] of [['homograph', HOMOGRAPH], ['rlo', RLO]] as const) {
    // bidi controls are refused in new destinations (url-policy.ts); a link stored before that still has one
    const made = await t.services.links.create(actor, { destination: destination.replace('\u202e', ''), redirectMode: 'preview', metadata: 'none' });
    t.services.db.sqlite.query('UPDATE links SET destination = ? WHERE id = ?').run(destination, made.link.id);
    codes[name] = made.link.code;
    ids[name] = made.link.id;
  }
  const qr = await send(t, 'POST', '/api/v1/qrcodes', { headers: u.auth, json: { name: 'menu', type: 'url', content: RLO, error_correction: 'M' } });
  expect(qr.status).toBe(201);
  ownerId = u.user.id;
  owner = await signIn(t, u.email, u.password);
  admin = await signIn(t, a.email, a.password);
});

afterAll(() => t?.close());

test('a link title or description with a right-to-left override reads as written on the preview and bridge pages (and in their unfurls)', async () => {
  const u = await t.user('pro');
  const actor = await t.services.users.actorFor(u.user);
  const title = 'Holiday photos \u202egpj.exe';
  for (const redirectMode of ['preview', 'bridge'] as const) {
    const { link } = await t.services.links.create(actor, { destination: 'https://example.com/photos', title, description: 'Open \u202efdp.exe', redirectMode, metadata: 'none' });
    const body = await (await send(t, 'GET', `/${link.code}`)).text();
    expect([redirectMode, body.includes('\u202e'), body.includes('Holiday photos %E2%80%AEgpj.exe'), body.includes('Open %E2%80%AEfdp.exe')]).toEqual([redirectMode, false, true, true]);
    // ordinary writing is left as it is: emoji sequences, no-break spaces, Persian's zero-width non-joiner
    const plain = 'I \u2764\ufe0f Paris \ud83d\udc68\u200d\ud83d\udc69\u200d\ud83d\udc67 10\u00a0\u20ac \u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645';
    await t.services.links.update(actor, link, { title: plain });
    const again = await (await send(t, 'GET', `/${link.code}`)).text();
    expect([redirectMode, again.includes(plain)]).toEqual([redirectMode, true]);
    await t.services.links.purge(actor, link.code);
  }
});

describe('the safety preview', () => {
  test('shows a look-alike host in ASCII, and its letters only as a warning', async () => {
    for (const path of [`/preview/${codes.homograph}`, `/${codes.homograph}`]) {
      const body = await (await send(t, 'GET', path)).text();
      expect(body).toContain(`<code>${HOMOGRAPH_ASCII}</code>`);
      expect(body).toContain('<strong>xn--80ak6aa92e.com</strong>');
      expect(body).toContain('international domain name, written <bdi>аррӏе.com</bdi>');
      expect(body).not.toContain(HOMOGRAPH);
    }
  });

  test('percent-encodes a right-to-left override in the path', async () => {
    const body = await (await send(t, 'GET', `/preview/${codes.rlo}`)).text();
    expect(body).toContain(`<code>${RLO_SHOWN}</code>`);
    expectNoSpoof('preview', body);
  });

  test('the redirect and the APIs still carry the destination itself', async () => {
    const page = await (await send(t, 'GET', `/preview/${codes.homograph}`)).text();
    const proceed = (/href="([^"]*proceed=[^"]*)"/.exec(page)?.[1] ?? '').replaceAll('&amp;', '&');
    const res = await send(t, 'GET', proceed);
    expect(res.headers.get('location')).toBe(HOMOGRAPH_ASCII);
    const expand = await send(t, 'GET', `/api/v1/expand/${codes.rlo}`);
    expect(((await expand.json()) as { data: { originalUrl: string } }).data.originalUrl).toBe(RLO);
  });
});

test('the home page result names the destination in its display form', async () => {
  const home = await send(t, 'GET', '/', { headers: { accept: 'text/html' } });
  const cookie = cookieOf(home);
  const token = /<meta name="csrf-token" content="([^"]+)">/.exec(await home.text())![1]!;
  const made = await send(t, 'POST', '/shorten', { headers: { cookie, accept: 'text/html' }, form: { original_url: HOMOGRAPH, _token: token } });
  const body = await made.text();
  expect(made.status).toBe(200);
  expect(body).toContain(`Goes to ${HOMOGRAPH_ASCII}`);
  expectNoSpoof('home', body);
});

describe('the dashboard', () => {
  test('links table: destination column and its tooltip', async () => {
    const { body } = await page(t, owner, '/dashboard');
    expect(body).toContain('>xn--80ak6aa92e.com/login</a>');
    expect(body).toContain(`title="${RLO_SHOWN}"`);
    expectNoSpoof('links table', body);
    // an admin looking at every user's links sees the same
    expectNoSpoof('all links', (await page(t, admin, '/dashboard?all=1')).body);
  });

  test('analytics heading, QR list and the tagged-URL preview', async () => {
    for (const name of ['homograph', 'rlo']) expectNoSpoof(`analytics ${name}`, (await page(t, owner, `/dashboard/links/${ids[name]}/analytics`)).body);
    const qrs = (await page(t, owner, '/dashboard/qrcodes')).body;
    expect(qrs).toContain('https://example.com/invoice%E2%80%AEgpj.exe');
    expectNoSpoof('qr list', qrs);
    const utm = (await page(t, owner, `/dashboard/links/utm-preview?url=${encodeURIComponent(RLO)}&utm_source=x`)).body;
    expect(utm).toContain('invoice%E2%80%AEgpj.exe');
    expectNoSpoof('utm preview', utm);
  });

  test('a title with a right-to-left override reads as written in the links table, its tooltip, the analytics heading and the QR form', async () => {
    const actor = await t.services.users.actorFor((await t.services.users.get(ownerId))!);
    const { link } = await t.services.links.create(actor, { destination: 'https://example.com/photos', title: 'Holiday photos \u202egpj.exe', metadata: 'none' });
    try {
      const table = (await page(t, owner, '/dashboard')).body;
      expect(table).toContain('<bdi>Holiday photos %E2%80%AEgpj.exe</bdi>');
      expect(table).toContain('title="Holiday photos %E2%80%AEgpj.exe"');
      expectNoSpoof('links table title', table);
      expectNoSpoof('all links title', (await page(t, admin, '/dashboard?all=1')).body);
      const analytics = (await page(t, owner, `/dashboard/links/${link.id}/analytics`)).body;
      expect(analytics).toContain('<h1 class="link-title">Holiday photos %E2%80%AEgpj.exe</h1>');
      expectNoSpoof('analytics title', analytics);
      expectNoSpoof('qr form link list', (await page(t, owner, '/dashboard/qrcodes/new')).body);
    } finally {
      await t.services.links.purge(actor, link.code);
    }
  });

  test('the edit form keeps the destination as stored, so saving does not change it', async () => {
    const { body } = await page(t, owner, `/dashboard/links/${ids.homograph}/edit`);
    expect(body).toContain(`value="${HOMOGRAPH}"`);
  });

  test('look-alike emails and names a person acts on show their hidden characters', async () => {
    // refused in new accounts (users.service.ts); an account made before that still has it
    const bob = await t.services.users.create({ email: 'bob@example.com', password: 'correct horse battery', plan: 'free' });
    t.services.db.sqlite.query('UPDATE users SET email = ? WHERE id = ?').run('bob\u200b@example.com', bob.id);
    const { body } = await page(t, admin, '/dashboard/users');
    expect(body).toContain('<bdi>bob%E2%80%8B@example.com</bdi>');
    expect(body).toContain('Deactivate bob%E2%80%8B@example.com?');
    expect(body).not.toContain('bob\u200b@');
    await t.services.keys.create(ownerId, 'build \u202egpj.exe');
    const keys = (await page(t, owner, '/dashboard/keys')).body;
    expect(keys).toContain('Revoke the key “build %E2%80%AEgpj.exe”?');
    // the name itself, in the user's table and in the admin's view of their keys
    expect(keys).toContain('<bdi>build %E2%80%AEgpj.exe</bdi>');
    expect(keys).not.toContain('\u202e');
    const adminView = (await page(t, admin, `/dashboard/users/${ownerId}/keys`)).body;
    expect(adminView).toContain('<bdi>build %E2%80%AEgpj.exe</bdi>');
    expect(adminView).not.toContain('\u202e');
  });
});
