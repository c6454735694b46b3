/**
 * The redirect path as a visitor sees it: status codes, Location headers and
 * the public pages, through the real app on a fresh database.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { Actor } from '../../src/accounts/accounts.types.ts';
import type { CreateLinkInput } from '../../src/links/links.service.ts';
import { untilBcryptRuns } from '../helpers/bcrypt.ts';
import { BASE, makeTestApp, type TestApp } from '../helpers/make-test-app.ts';

const CHROME = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36';
const HOSTILE = '"><script>alert(1)</script>';

let clock = Date.now();
let t: TestApp;
let actor: Actor;

beforeAll(async () => {
  t = await makeTestApp({ now: () => clock });
  const { user } = await t.user('pro');
  actor = await t.services.users.actorFor(user);
});
afterAll(() => t.close());

const create = async (input: CreateLinkInput) => (await t.services.links.create(actor, { title: 'A link', ...input })).link;
const visit = (path: string, init: { method?: string; headers?: Record<string, string> } = {}) =>
  t.app.handle(new Request(BASE + path, { method: init.method ?? 'GET', headers: { 'user-agent': CHROME, ...init.headers } }));
const post = (path: string, form: Record<string, string>, headers: Record<string, string> = {}) =>
  t.app.handle(
    new Request(BASE + path, {
      method: 'POST',
      headers: { 'user-agent': CHROME, 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams(form).toString(),
    }),
  );
const clicksOf = async (id: number) => {
  await t.flush();
  const link = await t.services.links.get(actor, id);
  return link.totalClicks;
};
const csrfToken = (page: string) => /name="csrf_token" value="([^"]+)"/.exec(page)?.[1] ?? '';
/** The preview page's Proceed link, unescaped. */
const proceedOf = (page: string) => (/href="([^"]*proceed=[^"]*)"/.exec(page)?.[1] ?? '').replaceAll('&amp;', '&');

describe('direct links', () => {
  test('GET /:code answers 302 to the destination, not cacheable', async () => {
    const link = await create({ destination: 'https://example.com/landing?x=1' });
    const res = await visit(`/${link.code}`);
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('https://example.com/landing?x=1');
    expect(res.headers.get('cache-control')).toBe('private, no-store');
    expect(await clicksOf(link.id)).toBe(1);
  });

  test('a custom alias redirects the same way', async () => {
    await create({ destination: 'https://example.com/alias', code: 'my-alias_1' });
    const res = await visit('/my-alias_1');
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('https://example.com/alias');
  });

  test('HEAD answers the same 302 but records no click', async () => {
    const link = await create({ destination: 'https://example.com/head' });
    const res = await visit(`/${link.code}`, { method: 'HEAD' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('https://example.com/head');
    expect(await clicksOf(link.id)).toBe(0);
  });

  test('the query string is not forwarded and ?qr=1 is stripped', async () => {
    const link = await create({ destination: 'https://example.com/q' });
    const res = await visit(`/${link.code}?qr=1&utm_source=spoofed`);
    expect(res.headers.get('location')).toBe('https://example.com/q');
  });

  test('UTM parameters are appended to the destination', async () => {
    const link = await create({ destination: 'https://example.com/shop?ref=home', utm: { source: 'newsletter', medium: 'email', campaign: 'spring' } });
    const location = new URL((await visit(`/${link.code}`)).headers.get('location')!);
    expect(location.origin + location.pathname).toBe('https://example.com/shop');
    expect(Object.fromEntries(location.searchParams)).toEqual({ ref: 'home', utm_source: 'newsletter', utm_medium: 'email', utm_campaign: 'spring' });
  });

  test('an active schedule sends visitors to its destination, and only while it runs', async () => {
    const link = await create({
      destination: 'https://example.com/default',
      schedules: [
        { startsAt: clock - 60_000, endsAt: clock + 60_000, destination: 'https://example.com/now' },
        { startsAt: clock + 120_000, endsAt: null, destination: 'https://example.com/later' },
      ],
    });
    expect((await visit(`/${link.code}`)).headers.get('location')).toBe('https://example.com/now');
    const saved = clock;
    try {
      clock += 90_000;
      expect((await visit(`/${link.code}`)).headers.get('location')).toBe('https://example.com/default');
      clock += 60_000;
      expect((await visit(`/${link.code}`)).headers.get('location')).toBe('https://example.com/later');
    } finally {
      clock = saved;
    }
  });

  test('an internationalised destination is sent as a valid percent-encoded Location', async () => {
    const link = await create({ destination: 'https://例え.jp/パス' });
    const res = await visit(`/${link.code}`);
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('https://xn--r8jz45g.jp/%E3%83%91%E3%82%B9');
  });

  test('after an update through the service the redirect follows the new destination', async () => {
    const link = await create({ destination: 'https://example.com/old' });
    expect((await visit(`/${link.code}`)).headers.get('location')).toBe('https://example.com/old');
    await t.services.links.update(actor, link, { destination: 'https://example.com/new' });
    expect((await visit(`/${link.code}`)).headers.get('location')).toBe('https://example.com/new');
  });

  test('a renamed code stops answering under its old name', async () => {
    const link = await create({ destination: 'https://example.com/renamed', code: 'before-rename' });
    expect((await visit('/before-rename')).status).toBe(302);
    await t.services.links.update(actor, link, { code: 'after-rename' });
    expect((await visit('/before-rename')).status).toBe(404);
    expect((await visit('/after-rename')).status).toBe(302);
  });

  test('many visits to codes not yet cached, arriving together, each reach their own link and count once', async () => {
    const made = await Promise.all(Array.from({ length: 40 }, (_, i) => create({ destination: `https://example.com/together/${i}` })));
    // every code once, the first five twice more, and unknown codes among them
    const paths = [...made, ...made.slice(0, 5), ...made.slice(0, 5)].map((l) => `/${l.code}`).concat(['/nope-together-1', '/nope-together-2']);
    const answers = await Promise.all(paths.map((p) => visit(p)));
    answers.forEach((res, i) => {
      const link = made.find((l) => `/${l.code}` === paths[i]);
      expect(res.status).toBe(link ? 302 : 404);
      if (link) expect(res.headers.get('location')).toBe(link.destination);
    });
    expect(await clicksOf(made[0]!.id)).toBe(3);
    expect(await clicksOf(made[39]!.id)).toBe(1);
  });
});

describe('links that lead nowhere', () => {
  const expectNotFoundPage = async (res: Response) => {
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toContain('text/html');
    const page = await res.text();
    expect(page).toContain('This short link doesn’t lead anywhere');
    expect(page).toContain('href="/"');
    expect(page).toContain('href="/public/css/app.css"');
  };

  test('the 404 page sends a visitor to the home page only when it is the public form, not to the admins\' sign-in', async () => {
    const closed = await (await visit('/no-such-code')).text();
    expect([closed.includes('Go to the home page'), closed.includes('Whoever shared it with you may have a new one.')]).toEqual([false, true]);
    const open = await makeTestApp({ env: { ANONYMOUS_LINKS: 'true' } });
    try {
      const page = await (await open.app.handle(new Request(`${BASE}/no-such-code`, { headers: { 'user-agent': CHROME } }))).text();
      expect([page.includes('<a class="button" href="/">Go to the home page</a>'), page.includes('Whoever shared it')]).toEqual([true, false]);
    } finally {
      await open.close();
    }
  });

  test('an unknown code is a friendly 404 page', async () => {
    await expectNotFoundPage(await visit('/nope1234'));
  });

  test('a deleted link is 404', async () => {
    const link = await create({ destination: 'https://example.com/deleted' });
    await t.services.links.remove(actor, link.id);
    await expectNotFoundPage(await visit(`/${link.code}`));
  });

  test('an expired link is 404', async () => {
    const link = await create({ destination: 'https://example.com/expiring', expiresAt: clock + 1000 });
    expect((await visit(`/${link.code}`)).status).toBe(302); // cached as live now…
    const saved = clock;
    try {
      clock += 2000; // …and still refused once the time passes, cache or not
      await expectNotFoundPage(await visit(`/${link.code}`));
    } finally {
      clock = saved;
    }
  });

  test('an inactive link is 404 until it is switched back on', async () => {
    const link = await create({ destination: 'https://example.com/paused', isActive: false });
    await expectNotFoundPage(await visit(`/${link.code}`));
    await t.services.links.update(actor, link, { isActive: true });
    expect((await visit(`/${link.code}`)).status).toBe(302);
  });

  test.each(['/API', '/Dashboard', '/METRICS', '/Preview'])('reserved word %s is 404', async (path) => {
    await expectNotFoundPage(await visit(path));
  });

  test.each(['/%E2%9C%93', '/a.b', '/%E2%9C', '/%', '/ab', `/${'x'.repeat(33)}`, '/a%20b', '/%00abc'])('malformed code %s is 404, not 500', async (path) => {
    await expectNotFoundPage(await visit(path));
  });

  test('HEAD of an unknown code is 404 too', async () => {
    expect((await visit('/nope1234', { method: 'HEAD' })).status).toBe(404);
  });

  test('GET /preview/ and /s/ of an unknown code are 404 pages', async () => {
    await expectNotFoundPage(await visit('/preview/nope1234'));
    await expectNotFoundPage(await visit('/s/nope1234'));
    await expectNotFoundPage(await visit('/s/%E2%9C'));
  });
});

describe('password-protected links', () => {
  test('GET shows the password form with a CSRF token and counts nothing', async () => {
    const link = await create({ destination: 'https://example.com/secret', password: 's3cret-pass' });
    const res = await visit(`/${link.code}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toContain('no-store');
    const page = await res.text();
    expect(page).toContain(`action="/${link.code}"`);
    expect(page).toContain('type="password"');
    expect(csrfToken(page)).not.toBe('');
    expect(page).not.toContain('https://example.com/secret');
    expect(await clicksOf(link.id)).toBe(0);
  });

  test('a wrong password is 401 with the form again and an error', async () => {
    const link = await create({ destination: 'https://example.com/secret', password: 's3cret-pass' });
    const token = csrfToken(await (await visit(`/${link.code}`)).text());
    const res = await post(`/${link.code}`, { csrf_token: token, password: 'guess' });
    expect(res.status).toBe(401);
    const page = await res.text();
    expect(page).toContain('role="alert"');
    expect(page).toContain('not correct');
    expect(csrfToken(page)).not.toBe('');
    expect(await clicksOf(link.id)).toBe(0);
  });

  test('a missing or forged CSRF token is 403', async () => {
    const link = await create({ destination: 'https://example.com/secret', password: 's3cret-pass' });
    expect((await post(`/${link.code}`, { password: 's3cret-pass' })).status).toBe(403);
    expect((await post(`/${link.code}`, { password: 's3cret-pass', csrf_token: '9999999999999.forged' })).status).toBe(403);
    // a token issued for another code does not open this one
    const other = await create({ destination: 'https://example.com/other', password: 's3cret-pass' });
    const otherToken = csrfToken(await (await visit(`/${other.code}`)).text());
    expect((await post(`/${link.code}`, { password: 's3cret-pass', csrf_token: otherToken })).status).toBe(403);
    expect(await clicksOf(link.id)).toBe(0);
  });

  test('the right password redirects to the destination and counts one click', async () => {
    const link = await create({ destination: 'https://example.com/secret', password: 's3cret-pass' });
    const token = csrfToken(await (await visit(`/${link.code}`)).text());
    const res = await post(`/${link.code}`, { csrf_token: token, password: 's3cret-pass' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('https://example.com/secret');
    expect(await clicksOf(link.id)).toBe(1);
  });

  test('a link deleted or paused while its password is being checked does not open', async () => {
    for (const change of ['delete', 'pause'] as const) {
      const link = await create({ destination: `https://example.com/secret-${change}`, password: 's3cret-pass' });
      const token = csrfToken(await (await visit(`/${link.code}`)).text());
      const unlocking = post(`/${link.code}`, { csrf_token: token, password: 's3cret-pass' });
      await untilBcryptRuns();
      if (change === 'delete') await t.services.links.remove(actor, link.id);
      else await t.services.links.update(actor, link, { isActive: false });
      const res = await unlocking;
      expect(res.status).toBe(404);
      expect(res.headers.get('location')).toBeNull();
      expect(await res.text()).not.toContain(`secret-${change}`);
    }
  });

  test('a password changed while the old one is being checked: the old one no longer opens the link', async () => {
    const link = await create({ destination: 'https://example.com/rekeyed', password: 's3cret-pass' });
    const token = csrfToken(await (await visit(`/${link.code}`)).text());
    // the new password's hash runs first; the old one's check, queued behind it, ends after the change is written
    const changing = t.services.links.update(actor, link, { password: 'another-pass' });
    await untilBcryptRuns();
    const unlocking = post(`/${link.code}`, { csrf_token: token, password: 's3cret-pass' });
    await changing;
    expect((await unlocking).status).toBe(401);
    const again = csrfToken(await (await visit(`/${link.code}`)).text());
    expect((await post(`/${link.code}`, { csrf_token: again, password: 'another-pass' })).headers.get('location')).toBe('https://example.com/rekeyed');
  });

  test('the 11th attempt within a minute is 429 with Retry-After', async () => {
    const link = await create({ destination: 'https://example.com/secret', password: 's3cret-pass' });
    const token = csrfToken(await (await visit(`/${link.code}`)).text());
    for (let i = 0; i < 10; i++) expect((await post(`/${link.code}`, { csrf_token: token, password: `wrong-${i}` })).status).toBe(401);
    const res = await post(`/${link.code}`, { csrf_token: token, password: 's3cret-pass' });
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await res.text()).toContain('Too many password attempts');
  });

  test('password beats mode: a protected bridge link asks for its password first', async () => {
    const link = await create({ destination: 'https://example.com/secret', password: 's3cret-pass', redirectMode: 'bridge', pageTitle: 'Hidden' });
    const page = await (await visit(`/${link.code}`)).text();
    expect(page).toContain('type="password"');
    expect(page).not.toContain('og:title');
    expect(await clicksOf(link.id)).toBe(0);
  });

  test('/preview/:code of a protected link shows the password form', async () => {
    const link = await create({ destination: 'https://example.com/secret', password: 's3cret-pass' });
    const res = await visit(`/preview/${link.code}`);
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toContain('type="password"');
    expect(page).not.toContain('https://example.com/secret');
  });

  test('POST to an unknown code is a 404 page', async () => {
    expect((await post('/nope1234', { password: 'x' })).status).toBe(404);
  });

  test('visitors are answered while passwords are checked: bcrypt (~70 ms a call) does not hold the thread that redirects', async () => {
    const locked = await create({ destination: 'https://example.com/secret', password: 's3cret-pass' });
    const open = await create({ destination: 'https://example.com/open' });
    const token = csrfToken(await (await visit(`/${locked.code}`)).text());
    let checking = true;
    const guesses = Promise.all(Array.from({ length: 4 }, (_, i) => post(`/${locked.code}`, { csrf_token: token, password: `wrong-${i}` })));
    void guesses.finally(() => (checking = false));
    // one visitor after another, each arriving on a new turn of the event loop as a request would
    let answered = 0;
    while (checking) {
      expect((await visit(`/${open.code}`)).status).toBe(302);
      answered++;
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect((await guesses).map((r) => r.status)).toEqual(Array(4).fill(401));
    // on the thread, each comparison left room for one or two visitors (4 guesses: 2 answered); beside it, thousands
    expect(answered).toBeGreaterThan(40);
  });
});

describe('bridge links', () => {
  test('the bridge page carries Open Graph and Twitter card tags and counts the click', async () => {
    const link = await create({
      destination: 'https://example.com/article',
      redirectMode: 'bridge',
      pageTitle: 'A great article',
      description: 'Worth a read',
      thumbnailUrl: 'https://img.example.com/cover.png',
      bridgeDelaySeconds: 3,
    });
    const res = await visit(`/${link.code}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    const page = await res.text();
    expect(page).toContain('<meta property="og:title" content="A great article">');
    expect(page).toContain('<meta property="og:image" content="https://img.example.com/cover.png">');
    expect(page).toContain('<meta property="og:description" content="Worth a read">');
    expect(page).toContain(`<meta property="og:url" content="${BASE}/${link.code}">`);
    expect(page).toContain('<meta name="twitter:card" content="summary_large_image">');
    // the delay is counted down by a script of our own (the reader can stop it), the refresh kept for browsers without one
    expect(page).toContain('<noscript><meta http-equiv="refresh" content="3;url=https://example.com/article"></noscript>');
    expect(page).toContain('href="https://example.com/article"');
    expect(page).toContain('example.com');
    expect(page.match(/<script[^>]*>/g)).toEqual(['<script src="/public/js/bridge.js" defer>']);
    expect(await clicksOf(link.id)).toBe(1);
  });

  test('without a thumbnail the card is a plain summary and the title falls back', async () => {
    const link = await create({ destination: 'https://example.com/plain', redirectMode: 'bridge', title: 'Link title' });
    const page = await (await visit(`/${link.code}`)).text();
    expect(page).toContain('<meta name="twitter:card" content="summary">');
    expect(page).not.toContain('og:image');
    expect(page).toContain('<meta property="og:title" content="Link title">');
  });

  test('a hostile page title is escaped everywhere it appears', async () => {
    const link = await create({
      destination: 'https://example.com/evil',
      redirectMode: 'bridge',
      pageTitle: HOSTILE,
      description: `<img src=x onerror=alert(2)>`,
    });
    const page = await (await visit(`/${link.code}`)).text();
    expect(page).not.toContain('<script>alert(1)');
    expect(page).not.toContain('<img src=x');
    expect(page).toContain('&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  test('HEAD of a bridge link counts nothing', async () => {
    const link = await create({ destination: 'https://example.com/article', redirectMode: 'bridge' });
    expect((await visit(`/${link.code}`, { method: 'HEAD' })).status).toBe(200);
    expect(await clicksOf(link.id)).toBe(0);
  });
});

describe('preview links', () => {
  test('the preview page shows the destination, counts nothing, and Proceed counts exactly one click', async () => {
    const link = await create({ destination: 'https://example.com/check?a=1&b=2', redirectMode: 'preview', title: 'Checked' });
    const res = await visit(`/${link.code}`);
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toContain('https://example.com/check?a=1&amp;b=2');
    expect(page).toContain('Proceed to site');
    const proceedUrl = proceedOf(page);
    expect(proceedUrl).toMatch(new RegExp(`^/${link.code}\\?proceed=\\d+\\.[\\w-]+$`));
    expect(await clicksOf(link.id)).toBe(0);

    const proceed = await visit(proceedUrl);
    expect(proceed.status).toBe(302);
    expect(proceed.headers.get('location')).toBe('https://example.com/check?a=1&b=2');
    expect(await clicksOf(link.id)).toBe(1);
  });

  test('Proceed is signed for its code: ?proceed=1, a forged token or another link\'s does not skip the preview', async () => {
    const link = await create({ destination: 'https://example.com/must-preview', redirectMode: 'preview' });
    const other = await create({ destination: 'https://example.com/other-preview', redirectMode: 'preview' });
    const othersToken = proceedOf(await (await visit(`/${other.code}`)).text()).split('proceed=')[1];
    for (const forged of ['1', '9999999999999.forged', othersToken]) {
      const res = await visit(`/${link.code}?proceed=${forged}`);
      expect([forged, res.status, (await res.text()).includes('Proceed to site')]).toEqual([forged, 200, true]);
    }
    expect(await clicksOf(link.id)).toBe(0);
  });

  test('a password on a preview link: once given, the preview (no click), and its Proceed gets past the password (one click)', async () => {
    const link = await create({ destination: 'https://example.com/protected-preview', redirectMode: 'preview', password: 's3cret-pass' });
    const token = csrfToken(await (await visit(`/${link.code}`)).text());
    const unlocked = await post(`/${link.code}`, { csrf_token: token, password: 's3cret-pass' });
    const page = await unlocked.text();
    expect([unlocked.status, page.includes('https://example.com/protected-preview'), page.includes('Proceed to site')]).toEqual([200, true, true]);
    expect(await clicksOf(link.id)).toBe(0);
    const proceed = await visit(proceedOf(page));
    expect([proceed.status, proceed.headers.get('location')]).toEqual([302, 'https://example.com/protected-preview']);
    expect(await clicksOf(link.id)).toBe(1);
    // without the signed Proceed the password is asked for; a new password voids Proceeds signed before it
    expect(await (await visit(`/${link.code}?proceed=1`)).text()).toContain('name="csrf_token"');
    await t.services.links.update(actor, await t.services.links.get(actor, link.id), { password: 'another-pass' });
    expect(await (await visit(proceedOf(page))).text()).toContain('name="csrf_token"');
    expect(await clicksOf(link.id)).toBe(1);
  });

  test('a Proceed signed before the destination was edited opens nothing: the visitor sees the new destination first', async () => {
    const link = await create({ destination: 'https://example.com/seen-on-preview', redirectMode: 'preview' });
    const page = await (await visit(`/${link.code}`)).text();
    await t.services.links.update(actor, await t.services.links.get(actor, link.id), { destination: 'https://example.com/edited-after' });
    const res = await visit(proceedOf(page));
    const again = await res.text();
    expect([res.status, again.includes('https://example.com/edited-after'), again.includes('Proceed to site')]).toEqual([200, true, true]);
    expect(await clicksOf(link.id)).toBe(0);
    expect((await visit(proceedOf(again))).headers.get('location')).toBe('https://example.com/edited-after');
  });

  test('a password removed while the /preview form was open: the form sends the visitor back to the preview, not past it', async () => {
    const link = await create({ destination: 'https://example.com/was-protected', password: 's3cret-pass' });
    const form = await (await visit(`/preview/${link.code}?qr=1`)).text();
    expect(form).toContain(`action="/${link.code}?qr=1&amp;preview=1"`);
    await t.services.links.update(actor, await t.services.links.get(actor, link.id), { removePassword: true });
    const res = await post(`/${link.code}?qr=1&preview=1`, { csrf_token: csrfToken(form), password: 's3cret-pass' });
    expect([res.status, res.headers.get('location')]).toEqual([303, `/preview/${link.code}?qr=1`]);
    const preview = await visit(res.headers.get('location')!);
    expect([preview.status, (await preview.text()).includes('Proceed to site')]).toEqual([200, true]);
    expect(await clicksOf(link.id)).toBe(0);
  });

  test('/preview/:code of a protected direct link: the password, then the preview it promises, counting nothing until Proceed', async () => {
    const link = await create({ destination: 'https://example.com/protected-direct', password: 's3cret-pass' });
    const form = await (await visit(`/preview/${link.code}`)).text();
    expect(form).toContain(`action="/${link.code}?preview=1"`);
    const unlocked = await post(`/${link.code}?preview=1`, { csrf_token: csrfToken(form), password: 's3cret-pass' });
    const page = await unlocked.text();
    expect([unlocked.status, page.includes('https://example.com/protected-direct')]).toEqual([200, true]);
    expect(await clicksOf(link.id)).toBe(0);
    expect((await visit(proceedOf(page))).status).toBe(302);
    expect(await clicksOf(link.id)).toBe(1);
  });

  test('a scanned QR code keeps its marker through the preview', async () => {
    const link = await create({ destination: 'https://example.com/check', redirectMode: 'preview' });
    const page = await (await visit(`/${link.code}?qr=1`)).text();
    expect(proceedOf(page)).toMatch(new RegExp(`^/${link.code}\\?proceed=[\\w.-]+&qr=1$`));
  });

  test('GET /preview/:code shows a direct link’s destination and counts no click', async () => {
    const link = await create({ destination: 'https://example.com/direct-preview' });
    const res = await visit(`/preview/${link.code}`);
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toContain('https://example.com/direct-preview');
    expect(page).toContain('Proceed to site');
    expect(await clicksOf(link.id)).toBe(0);
  });

  test('a hostile destination-side title is escaped on the preview page', async () => {
    const link = await create({ destination: 'https://example.com/x', redirectMode: 'preview', title: HOSTILE });
    const page = await (await visit(`/preview/${link.code}`)).text();
    expect(page).not.toContain('<script>alert(1)');
  });
});

describe('/s/:code (ShrtLnk)', () => {
  test('a direct link 302s', async () => {
    const link = await create({ destination: 'https://example.com/shrtlnk-direct' });
    const res = await visit(`/s/${link.code}`);
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('https://example.com/shrtlnk-direct');
    expect(await clicksOf(link.id)).toBe(1);
  });

  test('a bridge link shows the bridge page naming /s/ as its URL, and counts it', async () => {
    const link = await create({ destination: 'https://example.com/shrtlnk-bridge', redirectMode: 'bridge', pageTitle: 'Cloaked' });
    const res = await visit(`/s/${link.code}`);
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toContain('<meta property="og:title" content="Cloaked">');
    expect(page).toContain(`<meta property="og:url" content="${BASE}/s/${link.code}">`);
    expect(await clicksOf(link.id)).toBe(1);
  });
});

describe('metrics', () => {
  test('each answer is counted by kind', async () => {
    await visit('/nope5678');
    const text = t.services.metrics.render();
    expect(text).toContain('# TYPE shrinkray_redirects_total counter');
    expect(text).toMatch(/shrinkray_redirects_total\{kind="direct"\} \d+/);
    expect(text).toMatch(/shrinkray_redirects_total\{kind="not_found"\} \d+/);
    expect(text).toMatch(/shrinkray_redirects_total\{kind="password"\} \d+/);
    expect(text).toMatch(/shrinkray_redirects_total\{kind="bridge"\} \d+/);
    expect(text).toMatch(/shrinkray_redirects_total\{kind="preview"\} \d+/);
  });
});

describe("on a real socket, through Bun's router (the fast path first, the full app for the rest)", () => {
  let base = '';
  beforeAll(() => {
    const server = t.app.listen({ port: 0, hostname: '127.0.0.1' }).server!;
    base = `http://127.0.0.1:${server.port}`;
  });
  afterAll(() => t.app.stop(true));
  const get = (path: string) => fetch(base + path, { redirect: 'manual', headers: { 'user-agent': CHROME } });

  test('a direct link, a QR scan of it and a bridge link each count exactly one click', async () => {
    const direct = await create({ destination: 'https://example.com/socket' });
    await t.services.qr.create(actor, { name: 'Poster', type: 'url', content: 'https://example.com/socket', errorCorrection: 'M', linkId: direct.id });
    const bridge = await create({ destination: 'https://example.com/socket-bridge', redirectMode: 'bridge' });
    // the first visit misses the cache (answered by the fast path after one lookup), the second hits it
    for (let i = 0; i < 2; i++) {
      const res = await get(`/${direct.code}`);
      expect([res.status, res.headers.get('location')]).toEqual([302, 'https://example.com/socket']);
    }
    // ?qr=1 and bridge pages are left to the full app: still one click each
    expect((await get(`/${direct.code}?qr=1`)).status).toBe(302);
    expect((await get(`/${bridge.code}`)).status).toBe(200);
    expect((await get('/no-such-code')).status).toBe(404);
    expect(await clicksOf(direct.id)).toBe(3);
    expect(await clicksOf(bridge.id)).toBe(1);
    const sources = t.services.db.sqlite.query('SELECT source, count(*) AS n FROM clicks WHERE link_id = ? GROUP BY source ORDER BY source').all(direct.id);
    expect(sources).toEqual([{ source: 'link', n: 2 }, { source: 'qr', n: 1 }]);
  });
});

describe('a short host name (http://go/, the classic intranet shortener)', () => {
  test('every route is found whatever the length of the Host: health, API, dashboard, preview page and redirect', async () => {
    const link = await create({ destination: 'https://example.com/short-host', code: 'shorthost' });
    const { auth } = await t.user('pro');
    for (const origin of ['http://go', 'http://g', 'http://abc:80', 'http://go:8080']) {
      const at = (path: string, headers: Record<string, string> = {}) => t.app.handle(new Request(origin + path, { headers: { 'user-agent': CHROME, accept: 'application/json', ...headers } }));
      expect((await at('/healthz')).status).toBe(200);
      expect((await at('/api/v1/links', auth)).status).toBe(200);
      const dashboard = await at('/dashboard', { accept: 'text/html' });
      expect([dashboard.status, dashboard.headers.get('location')]).toEqual([303, '/login?next=%2Fdashboard']);
      const preview = await at(`/preview/${link.code}`, { accept: 'text/html' });
      expect(preview.status).toBe(200);
      expect(await preview.text()).toContain('https://example.com/short-host');
      const redirect = await at(`/${link.code}`);
      expect([redirect.status, redirect.headers.get('location')]).toEqual([302, 'https://example.com/short-host']);
    }
  });
});

describe('the referrer of a visit that passes through one of our pages', () => {
  const referrersOf = async (id: number) => {
    await t.flush();
    return (t.sqlite.query('SELECT referrer_domain AS r FROM clicks WHERE link_id = ? ORDER BY id').all(id) as { r: string | null }[]).map((x) => x.r);
  };
  const from = (url: string) => ({ headers: { referer: url } });

  test('a password form: the click keeps where the visitor came from, not the form', async () => {
    const link = await create({ destination: 'https://example.com/ref-pw', password: 's3cret-pass' });
    const form = await (await visit(`/${link.code}`, from('https://twitter.com/someone/status/1'))).text();
    expect(form).toContain(`action="/${link.code}?ref=twitter.com"`);
    const res = await post(`/${link.code}?ref=twitter.com`, { csrf_token: csrfToken(form), password: 's3cret-pass' }, { referer: `${BASE}/${link.code}` });
    expect(res.status).toBe(302);
    // and a visit from nowhere stays direct, whatever page the form was posted from
    const direct = await (await visit(`/${link.code}`)).text();
    expect(direct).toContain(`action="/${link.code}"`);
    await post(`/${link.code}`, { csrf_token: csrfToken(direct), password: 's3cret-pass' }, { referer: `${BASE}/${link.code}` });
    expect(await referrersOf(link.id)).toEqual(['twitter.com', null]);
  });

  test('a password removed while its form was open: the visit the form sends on keeps the referrer too', async () => {
    const link = await create({ destination: 'https://example.com/ref-gone', password: 's3cret-pass' });
    const form = await (await visit(`/${link.code}`, from('https://mastodon.social/@someone/1'))).text();
    await t.services.links.update(actor, await t.services.links.get(actor, link.id), { removePassword: true });
    const res = await post(`/${link.code}?ref=mastodon.social`, { csrf_token: csrfToken(form), password: 's3cret-pass' }, { referer: `${BASE}/${link.code}` });
    expect([res.status, res.headers.get('location')]).toEqual([303, `/${link.code}?ref=mastodon.social`]);
    expect((await visit(res.headers.get('location')!, from(`${BASE}/${link.code}`))).status).toBe(302);
    expect(await referrersOf(link.id)).toEqual(['mastodon.social']);
  });

  test('a preview page and /preview/CODE: Proceed keeps it, through the password too', async () => {
    const link = await create({ destination: 'https://example.com/ref-preview', redirectMode: 'preview' });
    const page = await (await visit(`/${link.code}`, from('https://news.ycombinator.com/item?id=1'))).text();
    expect(proceedOf(page)).toMatch(/&ref=news\.ycombinator\.com$/);
    expect((await visit(proceedOf(page), from(`${BASE}/${link.code}`))).status).toBe(302);
    const viaPreview = await (await visit(`/preview/${link.code}`, from('android-app://com.google.android.gm/'))).text();
    await visit(proceedOf(viaPreview), from(`${BASE}/preview/${link.code}`));
    const locked = await create({ destination: 'https://example.com/ref-locked', redirectMode: 'preview', password: 's3cret-pass' });
    const form = await (await visit(`/preview/${locked.code}`, from('https://www.reddit.com/r/x'))).text();
    expect(form).toContain(`action="/${locked.code}?preview=1&amp;ref=reddit.com"`);
    const unlocked = await (await post(`/${locked.code}?preview=1&ref=reddit.com`, { csrf_token: csrfToken(form), password: 's3cret-pass' }, { referer: `${BASE}/preview/${locked.code}` })).text();
    await visit(proceedOf(unlocked), from(`${BASE}/${locked.code}`));
    expect([...(await referrersOf(link.id)), ...(await referrersOf(locked.id))]).toEqual(['news.ycombinator.com', 'com.google.android.gm', 'reddit.com']);
  });

  test('what ?ref= carries is a host name and nothing else; no value of it fails a page', async () => {
    const link = await create({ destination: 'https://example.com/ref-bad', password: 's3cret-pass' });
    const preview = await create({ destination: 'https://example.com/ref-bad-preview', redirectMode: 'preview' });
    const form = await (await visit(`/${link.code}`)).text();
    await post(`/${link.code}?ref=${encodeURIComponent('evil.com/"><script>')}`, { csrf_token: csrfToken(form), password: 's3cret-pass' });
    // shaped like host names, but no URL holds them (or holds them as written)
    for (const ref of ['1.2.3.256', '256.1.1.1', '99999999999', '0x7f.1', '..', encodeURIComponent('a b')]) {
      for (const res of [await visit(`/${link.code}?ref=${ref}`), await visit(`/preview/${preview.code}?ref=${ref}`), await visit(`/${preview.code}?ref=${ref}`)]) {
        const page = await res.text();
        expect([ref, res.status, /[?;]ref=/.test(page)]).toEqual([ref, 200, false]);
      }
      const res = await post(`/${link.code}?ref=${ref}`, { csrf_token: csrfToken(form), password: 's3cret-pass' });
      expect([ref, res.status]).toEqual([ref, 302]);
    }
    expect(await referrersOf(link.id)).toEqual(Array(7).fill(null));
  });
});

test('a schedule window that opens or closes between the preview and its Proceed shows the preview again, never a destination the page did not show', async () => {
  const NOON = Date.parse('2026-06-01T12:00:00Z');
  let clock = NOON - 10_000;
  const app = await makeTestApp({ now: () => clock });
  try {
    const u = await app.user('pro');
    const actor = await app.services.users.actorFor(u.user);
    const window = { startsAt: NOON, endsAt: NOON + 3_600_000, destination: 'https://other.example.net/in-the-window' };
    await app.services.links.create(actor, { destination: 'https://example.com/shown', code: 'pvsched', redirectMode: 'preview', schedules: [window] });
    const get = (p: string) => app.app.handle(new Request(BASE + p, { headers: { 'user-agent': CHROME } }));
    const shownOn = (page: string) => /<p class="url-box"><code>([^<]*)<\/code>/.exec(page)?.[1];

    const before = await (await get('/pvsched')).text();
    expect(shownOn(before)).toBe('https://example.com/shown');
    clock = NOON; // the window opens
    const opened = await get(proceedOf(before));
    expect(opened.status).toBe(200);
    const again = await opened.text();
    expect(shownOn(again)).toBe('https://other.example.net/in-the-window');
    // the Proceed of the page now shown goes where that page said
    const inWindow = await get(proceedOf(again));
    expect([inWindow.status, inWindow.headers.get('location')]).toEqual([302, 'https://other.example.net/in-the-window']);

    clock = NOON + 3_600_000; // and closes
    const closed = await get(proceedOf(again));
    expect([closed.status, shownOn(await closed.text())]).toEqual([200, 'https://example.com/shown']);
  } finally {
    await app.close();
  }
});
