/**
 * The new-link form's ways in besides a blank page, and the bridge page's
 * card, through the real app: ?url=&title=&code= (the account page's
 * bookmarklet, also across signing in), ?from=ID (a copy of one's own link,
 * someone else's a 404 that names nothing), and the preview fields (saved,
 * shown on the bridge page, refused beside their field), and a form refused
 * on several fields at once (every refusal shown in one answer, nothing
 * written). A GET never creates; every value comes back escaped.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { PageMeta } from '../../src/fetcher/og.ts';
import type { Link } from '../../src/links/links.types.ts';
import { accountBody, bookmarkletHref } from '../../views/dashboard/account.ts';
import { hostWrittenNote } from '../../views/url-display.ts';
import { BASE, makeTestApp, type TestApp } from '../helpers/make-test-app.ts';
import { loginThroughForm } from '../helpers/web-login.ts';

const XSS = '"><script>alert(1)</script>';
const OG: PageMeta = { title: 'Fetched title', description: 'Fetched description', image: 'https://og.example/card.png' };
let t: TestApp;
let ipSeq = 0;

type Browser = Awaited<ReturnType<typeof signIn>>;
/** A signed-in browser (as test/web/links.test.ts): GET and form POSTs with the session's cookie and CSRF token. */
async function signIn(plan: 'free' | 'pro' = 'pro') {
  const u = await t.user(plan);
  const { cookie, csrf } = await loginThroughForm((r) => t.app.handle(r), u, `192.0.2.${++ipSeq}`);
  const get = (path: string) => t.app.handle(new Request(BASE + path, { headers: { cookie } }));
  const post = (path: string, form: Record<string, string>) =>
    t.app.handle(new Request(BASE + path, { method: 'POST', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ _csrf: csrf, ...form }) }));
  return { ...u, cookie, actor: await t.services.users.actorFor(u.user), get, post };
}

let owner: Browser;
let other: Browser;
const count = async (b: Browser) => (await t.services.links.list(b.actor, { page: 1, perPage: 1 })).total;
/** the value attribute of the input `name` in a page */
const valueOf = (page: string, name: string) => new RegExp(`name="${name}"[^>]*? value="([^"]*)"`).exec(page)?.[1] ?? new RegExp(`value="([^"]*)"[^>]*? name="${name}"`).exec(page)?.[1];
const decode = (s: string) => s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&#96;/g, '`').replace(/&amp;/g, '&');

beforeAll(async () => {
  // pages on og.example describe themselves; every other destination has nothing to say
  t = await makeTestApp({
    env: { TRUST_PROXY: 'true' },
    fetchMeta: async (url) => (new URL(url).hostname === 'og.example' ? OG : new URL(url).hostname === 'intranet-card.example' ? { ...OG, image: 'http://127.0.0.1/logo.png' } : null),
  });
  [owner, other] = [await signIn(), await signIn()];
});
afterAll(() => t.close());

describe('the form filled from its address (?url=&title=&code=)', () => {
  test('fills the fields, escaped, and creates nothing', async () => {
    const before = await count(owner);
    const url = `https://example.com/a?x=${XSS}`;
    const res = await owner.get(`/dashboard/links/new?${new URLSearchParams({ url, title: `T${XSS}`, code: 'from-query' })}`);
    const page = await res.text();
    expect(res.status).toBe(200);
    expect(page).not.toContain('<script>alert(1)');
    expect(decode(valueOf(page, 'url')!)).toBe(url);
    expect(decode(valueOf(page, 'title')!)).toBe(`T${XSS}`);
    expect(valueOf(page, 'code')).toBe('from-query');
    expect(page).toContain('Nothing is saved until you create the link.');
    expect(await count(owner)).toBe(before);
  });

  test('each value is capped to what its field takes; a blank page says nothing of prefilling', async () => {
    const page = await (await owner.get(`/dashboard/links/new?url=https://example.com/${'a'.repeat(5000)}&title=${'b'.repeat(900)}&code=${'c'.repeat(80)}`)).text();
    expect(valueOf(page, 'url')!.length).toBe(2048);
    expect(valueOf(page, 'title')!.length).toBe(500);
    expect(valueOf(page, 'code')!.length).toBe(32);
    expect(await (await owner.get('/dashboard/links/new')).text()).not.toContain('id="prefilled"');
  });

  test('a plan without custom aliases gets no code (its field is disabled)', async () => {
    const free = await signIn('free');
    const page = await (await free.get('/dashboard/links/new?url=https://example.com/f&code=not-mine')).text();
    expect(page).toMatch(/id="code" name="code" type="text" value=""[^>]* disabled/);
    expect(page).not.toContain('not-mine');
    expect(valueOf(page, 'url')).toBe('https://example.com/f');
  });

  test('a signed-out visitor following the bookmarklet signs in and lands on the filled form', async () => {
    const u = await t.user('pro');
    const wanted = `/dashboard/links/new?${new URLSearchParams({ url: 'https://example.com/read?a=1&b=2', title: 'An article' })}`;
    const first = await t.app.handle(new Request(BASE + wanted));
    expect(first.status).toBe(303);
    const login = first.headers.get('location')!;
    expect(login).toBe(`/login?next=${encodeURIComponent(wanted)}`);
    const form = await t.app.handle(new Request(BASE + login));
    const nonce = form.headers.get('set-cookie')!.split(';')[0]!;
    const body = await form.text();
    const _csrf = /name="_csrf" value="([^"]+)"/.exec(body)![1]!;
    const next = decode(/name="next" value="([^"]+)"/.exec(body)![1]!);
    const signedIn = await t.app.handle(
      new Request(`${BASE}/login`, {
        method: 'POST',
        headers: { cookie: nonce, 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': '198.51.100.7' },
        body: new URLSearchParams({ email: u.email, password: u.password, _csrf, next }),
      }),
    );
    expect([signedIn.status, signedIn.headers.get('location')]).toEqual([303, wanted]);
    const cookie = signedIn.headers.get('set-cookie')!.split(';')[0]!;
    const page = await (await t.app.handle(new Request(BASE + wanted, { headers: { cookie } }))).text();
    expect(decode(valueOf(page, 'url')!)).toBe('https://example.com/read?a=1&b=2');
    expect(valueOf(page, 'title')).toBe('An article');
  });
});

test('the new-link form’s Cancel returns to the list view it was opened from, also after a refused submit', async () => {
  const cancel = (page: string) => [...page.matchAll(/<a class="button secondary" href="([^"]*)">Cancel<\/a>/g)].map((m) => m[1]);
  const get = (path: string, referer: string) => t.app.handle(new Request(BASE + path, { headers: { cookie: owner.cookie, referer } }));
  const opened = await (await get('/dashboard/links/new', `${BASE}/dashboard?q=sale&status=paused&page=2`)).text();
  expect(cancel(opened)).toEqual(['/dashboard?q=sale&amp;status=paused&amp;page=2', '/dashboard?q=sale&amp;status=paused&amp;page=2']);
  expect(valueOf(opened, 'back')).toBe('/dashboard?q=sale&amp;status=paused&amp;page=2');
  const refused = await owner.post('/dashboard/links/new', { url: 'nope', back: '/dashboard?q=sale' });
  expect(cancel(await refused.text())).toEqual(['/dashboard?q=sale', '/dashboard?q=sale']);
  expect(cancel(await (await get('/dashboard/links/new', `${BASE}/dashboard/keys`)).text())).toEqual(['/dashboard', '/dashboard']);
  // only ever a view of the list on this site: another site's address gives its view's query, never its host
  expect(cancel(await (await get('/dashboard/links/new', 'https://evil.example/dashboard?q=x&next=//evil.example')).text())).toEqual(['/dashboard?q=x', '/dashboard?q=x']);
});

describe('the bookmarklet on the account page', () => {
  test('opens the filled form for the page it is run on, in a new tab without an opener', async () => {
    const page = await (await owner.get('/dashboard/account')).text();
    const attr = /<a class="button secondary" href="([^"]+)" data-bookmarklet/.exec(page)?.[1];
    expect(attr).toBeDefined();
    const href = decode(attr!);
    expect(href).toStartWith('javascript:');
    // as a browser runs it: percent-decoded, in the page's realm
    const opened: unknown[][] = [];
    const run = new Function('window', 'location', 'document', decodeURIComponent(href.slice('javascript:'.length)));
    const result = run({ open: (...a: unknown[]) => opened.push(a) }, { href: 'https://news.example/a?b=1&c=%20' }, { title: 'Big & "news"' });
    expect(result).toBeUndefined(); // anything else would replace the page with it
    expect(opened).toEqual([[`${BASE}/dashboard/links/new?url=${encodeURIComponent('https://news.example/a?b=1&c=%20')}&title=${encodeURIComponent('Big & "news"')}`, '_blank', 'noopener']]);
  });

  test('its href is escaped as an attribute, and a % in the address survives the decoding', () => {
    const { user, plan } = owner.actor;
    const body = accountBody({ user, plan, usage: { links: 0, expired: 0 }, csrfToken: 'x', newLinkUrl: `https://short.example/${XSS}` }).value;
    expect(body).not.toContain('<script>');
    expect(body).toContain('href="javascript:(function(){window.open(&quot;https://short.example/\\&quot;&gt;&lt;script&gt;');
    const href = bookmarkletHref('https://short.example/s%41/new');
    expect(decodeURIComponent(href.slice('javascript:'.length))).toContain('"https://short.example/s%41/new?url="');
  });
});

describe('duplicate (?from=ID)', () => {
  let source: Link;
  beforeAll(async () => {
    source = (
      await t.services.links.create(owner.actor, {
        destination: 'https://example.com/original',
        code: 'the-original',
        title: `Original ${XSS}`,
        password: 'secret-pw',
        expiresAt: Date.UTC(2099, 0, 1),
        redirectMode: 'bridge',
        utm: { source: 'news', campaign: 'spring' },
        schedules: [{ startsAt: Date.UTC(2098, 1, 2, 3, 4), endsAt: null, destination: 'https://example.com/later' }],
        pageTitle: 'Card title',
        description: 'Card words',
        thumbnailUrl: 'https://img.example/card.png',
        bridgeDelaySeconds: 9,
      })
    ).link;
  });

  test('copies destination, title, mode, UTM, schedules and preview; not the code, password or expiry', async () => {
    const res = await owner.get(`/dashboard/links/new?from=${source.id}`);
    const page = await res.text();
    expect(res.status).toBe(200);
    expect(page).toContain('<h1>Duplicate link</h1>');
    expect(page).toContain('<title>Duplicate link');
    expect(page).toContain('A copy of <code>localhost:8080/the-original</code>');
    expect(page).toContain(`<input type="hidden" name="from" value="${source.id}">`);
    expect(page).not.toContain('<script>alert(1)');
    expect(valueOf(page, 'url')).toBe('https://example.com/original');
    expect(decode(valueOf(page, 'title')!)).toBe(`Original ${XSS}`);
    expect(page).toContain('value="bridge" checked');
    expect([valueOf(page, 'utm_source'), valueOf(page, 'utm_campaign')]).toEqual(['news', 'spring']);
    expect([valueOf(page, 'schedule_start_0'), valueOf(page, 'schedule_url_0')]).toEqual(['2098-02-02T03:04', 'https://example.com/later']);
    expect([valueOf(page, 'page_title'), valueOf(page, 'thumbnail_url'), valueOf(page, 'bridge_delay')]).toEqual(['Card title', 'https://img.example/card.png', '9']);
    expect(page).toContain('>Card words</textarea>');
    expect(valueOf(page, 'code')).toBe('');
    expect(valueOf(page, 'expires_at')).toBe('');
    expect(page).not.toContain('name="remove_password"');
    expect(page).not.toContain('secret-pw');
  });

  test('sent as shown, it creates a copy without password or expiry', async () => {
    const res = await owner.post('/dashboard/links/new', {
      from: String(source.id), url: 'https://example.com/original', title: 'Copy', redirect_mode: 'bridge', utm_source: 'news',
      page_title: 'Card title', description: 'Card words', thumbnail_url: 'https://img.example/card.png', bridge_delay: '9',
    });
    expect(res.status).toBe(303);
    const code = decodeURIComponent(res.headers.get('location')!.split('created=')[1]!);
    const copy = await t.services.links.getByCode(owner.actor, code);
    expect(copy).toMatchObject({ redirectMode: 'bridge', passwordHash: null, expiresAt: null, pageTitle: 'Card title', description: 'Card words', thumbnailUrl: 'https://img.example/card.png', bridgeDelaySeconds: 9 });
    expect(copy.code).not.toBe(source.code);
    // a refused copy is still headed as one
    const refused = await owner.post('/dashboard/links/new', { from: String(source.id), url: 'not a url' });
    expect(refused.status).toBe(422);
    expect(await refused.text()).toContain('<h1>Duplicate link</h1>');
  });

  test('someone else’s link, an unknown id or a malformed one: 404, as the edit page, naming nothing', async () => {
    for (const from of [String(source.id), '99999999', 'abc', '']) {
      const res = await other.get(`/dashboard/links/new?from=${from}`);
      const page = await res.text();
      expect([from, res.status]).toEqual([from, 404]);
      for (const secret of ['the-original', 'example.com/original', 'Card title', 'Card words', 'img.example']) expect(page).not.toContain(secret);
    }
    expect((await other.get(`/dashboard/links/${source.id}/edit`)).status).toBe(404);
    // nor does a refused POST with another's `from` show it
    const refused = await (await other.post('/dashboard/links/new', { from: String(source.id), url: 'not a url' })).text();
    expect(refused).toContain('<h1>New link</h1>');
    expect(refused).not.toContain('the-original');
  });
});

describe('the link preview (bridge page) fields', () => {
  test('saved on create and shown on the bridge page', async () => {
    const res = await owner.post('/dashboard/links/new', {
      url: 'https://example.com/bridged', code: 'bridged', title: 'Own title', redirect_mode: 'bridge',
      page_title: `Card ${XSS}`, description: 'What it is about', thumbnail_url: 'https://img.example/b.png', bridge_delay: '7',
    });
    expect(res.status).toBe(303);
    const bridge = await t.app.handle(new Request(`${BASE}/bridged`));
    const page = await bridge.text();
    expect(bridge.status).toBe(200);
    expect(page).toContain('<meta property="og:title" content="Card &quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;">');
    expect(page).toContain('<meta property="og:description" content="What it is about">');
    expect(page).toContain('<meta property="og:image" content="https://img.example/b.png">');
    expect(page).toContain('<meta http-equiv="refresh" content="7;url=https://example.com/bridged">');
    expect(page).not.toContain('<script>alert(1)');
  });

  test('edit shows them; emptied they go (the title stands in for the preview title); not sent, they stay', async () => {
    const link = await t.services.links.getByCode(owner.actor, 'bridged');
    const form = await (await owner.get(`/dashboard/links/${link.id}/edit`)).text();
    expect([valueOf(form, 'thumbnail_url'), valueOf(form, 'bridge_delay')]).toEqual(['https://img.example/b.png', '7']);
    expect(form).toContain('>What it is about</textarea>');
    const base = { url: 'https://example.com/bridged', code: 'bridged', title: 'Own title', redirect_mode: 'bridge' };
    expect((await owner.post(`/dashboard/links/${link.id}/edit`, base)).status).toBe(303);
    expect(await t.services.links.get(owner.actor, link.id)).toMatchObject({ description: 'What it is about', thumbnailUrl: 'https://img.example/b.png', bridgeDelaySeconds: 7 });
    expect((await owner.post(`/dashboard/links/${link.id}/edit`, { ...base, page_title: '', description: '', thumbnail_url: '', bridge_delay: '' })).status).toBe(303);
    expect(await t.services.links.get(owner.actor, link.id)).toMatchObject({ pageTitle: null, description: null, thumbnailUrl: null, bridgeDelaySeconds: 0 });
    const page = await (await t.app.handle(new Request(`${BASE}/bridged`))).text();
    expect(page).toContain('<meta property="og:title" content="Own title">');
    expect(page).not.toContain('og:image');
  });

  test('an image URL the core refuses, or a delay out of bounds, is refused beside its field with the form kept', async () => {
    const link = await t.services.links.getByCode(owner.actor, 'bridged');
    const cases: [Record<string, string>, string, string][] = [
      [{ thumbnail_url: 'javascript:alert(1)' }, 'thumbnail_url', 'The image URL must be a URL starting with http:// or https://.'],
      [{ thumbnail_url: `https://img.example/"${XSS}` }, 'thumbnail_url', 'The image URL must be a valid URL.'],
      [{ bridge_delay: '61' }, 'bridge_delay', 'from 0 to 60'],
      [{ bridge_delay: '2.5' }, 'bridge_delay', 'from 0 to 60'],
      [{ description: 'd'.repeat(1001) }, 'description', 'must not be greater than 1000'],
    ];
    for (const [fields, field, message] of cases) {
      for (const path of ['/dashboard/links/new', `/dashboard/links/${link.id}/edit`]) {
        const res = await owner.post(path, { url: 'https://example.com/x', code: path.endsWith('new') ? '' : 'bridged', ...fields });
        const page = await res.text();
        expect([path, field, res.status]).toEqual([path, field, 422]);
        expect(page).toContain(`<p class="field-error" id="${field}-error">`);
        expect(page).toContain(message);
        expect(page).toMatch(new RegExp(`id="${field}" name="${field}"[^>]* aria-invalid="true"`));
        expect(page).not.toContain('<script>alert(1)');
      }
    }
    expect((await t.services.links.get(owner.actor, link.id)).destination).toBe('https://example.com/bridged');
  });

  test('a typed title keeps the link’s name; the page’s image and description are still fetched for its card', async () => {
    const res = await owner.post('/dashboard/links/new', { url: 'https://og.example/post', code: 'named-card', title: 'My name for it', redirect_mode: 'bridge' });
    expect(res.status).toBe(303);
    let link = await t.services.links.getByCode(owner.actor, 'named-card');
    for (let i = 0; i < 200 && link.thumbnailUrl === null; i++) {
      await Bun.sleep(5);
      link = await t.services.links.getByCode(owner.actor, 'named-card');
    }
    expect(link).toMatchObject({ title: 'My name for it', pageTitle: null, description: 'Fetched description', thumbnailUrl: 'https://og.example/card.png' });
    const page = await (await t.app.handle(new Request(`${BASE}/named-card`))).text();
    expect(page).toContain('<meta property="og:title" content="My name for it">');
    expect(page).toContain('<meta property="og:image" content="https://og.example/card.png">');
    // typed values win over fetched ones
    await owner.post('/dashboard/links/new', { url: 'https://og.example/post', code: 'typed-card', title: 'Typed', description: 'Mine', redirect_mode: 'bridge' });
    let typed = await t.services.links.getByCode(owner.actor, 'typed-card');
    for (let i = 0; i < 200 && typed.thumbnailUrl === null; i++) {
      await Bun.sleep(5);
      typed = await t.services.links.getByCode(owner.actor, 'typed-card');
    }
    expect(typed).toMatchObject({ title: 'Typed', description: 'Mine', thumbnailUrl: 'https://og.example/card.png' });
  });
});

test('a fetched image on a private host is not kept; one stored before is no reason to refuse saving the form that shows it', async () => {
  const fetched = (await t.services.links.create(owner.actor, { destination: 'https://intranet-card.example/page' })).link;
  expect(fetched.thumbnailUrl).toBeNull();
  const link = await t.services.links.getByCode(owner.actor, (await t.services.links.create(owner.actor, { destination: 'https://example.com/old-card', title: 'Old card' })).link.code);
  t.sqlite.query('UPDATE links SET thumbnail_url = ? WHERE id = ?').run('http://127.0.0.1/logo.png', link.id);
  const form = await (await owner.get(`/dashboard/links/${link.id}/edit`)).text();
  expect(valueOf(form, 'thumbnail_url')).toBe('http://127.0.0.1/logo.png');
  const saved = await owner.post(`/dashboard/links/${link.id}/edit`, { url: link.destination, code: link.code, title: 'Renamed', redirect_mode: 'direct', thumbnail_url: 'http://127.0.0.1/logo.png' });
  expect(saved.status).toBe(303);
  expect((await t.services.links.get(owner.actor, link.id)).title).toBe('Renamed');
  // typed anew, the same address is refused as any private one
  const typed = await owner.post(`/dashboard/links/${link.id}/edit`, { url: link.destination, code: link.code, title: 'Renamed', redirect_mode: 'direct', thumbnail_url: 'http://127.0.0.2/logo.png' });
  expect(typed.status).toBe(422);
});

describe('a form refused on several fields', () => {
  /** the message under the field `name`, or undefined */
  const messageOf = (page: string, name: string) => new RegExp(`<p class="field-error" id="${name}-error">([^<]*)</p>`).exec(page)?.[1];
  const summaryOf = (page: string) => /<div class="alert error-summary"[^>]*>([\s\S]*?)<\/div>/.exec(page)?.[1];

  test('new: the core’s refusals and the form’s own come back together, each beside its field, and nothing is created', async () => {
    await t.services.links.create(other.actor, { destination: 'https://example.com/held', code: 'held-alias' });
    const before = await count(owner);
    const res = await owner.post('/dashboard/links/new', {
      url: 'ftp://example.com/file', code: 'held-alias', title: 't'.repeat(501), password: 'secret',
      expires_at: '2030-02-30T10:00', bridge_delay: '99', schedule_start_0: '2030-01-01T00:00', schedule_url_0: '',
    });
    const page = await res.text();
    expect(res.status).toBe(422);
    expect(messageOf(page, 'url')).toContain('The destination URL must be a URL starting with http:// or https://.');
    expect(messageOf(page, 'code')).toBe('The alias has already been taken.');
    expect(messageOf(page, 'title')).toContain('must not be greater than 500');
    expect(messageOf(page, 'expires_at')).toBe('The expiry is not a valid date and time.');
    expect(messageOf(page, 'bridge_delay')).toContain('from 0 to 60');
    expect(messageOf(page, 'schedules')).toBe('Schedule 1 needs an alternate destination.');
    expect(messageOf(page, 'password')).toContain('Enter the password again');
    for (const f of ['url', 'code', 'title', 'expires_at', 'bridge_delay']) expect(page).toMatch(new RegExp(`id="${f}" name="${f}"[^>]* aria-invalid="true"`));
    // the summary lists them in the page's order, each a link to its input (or to the message of a group)
    const summary = summaryOf(page)!;
    expect(summary).toContain('7 fields need a change:');
    const hrefs = [...summary.matchAll(/href="#([^"]+)"/g)].map((m) => m[1]);
    expect(hrefs).toEqual(['url', 'title', 'code', 'password', 'expires_at', 'bridge_delay', 'schedule_url_0']);
    expect(await count(owner)).toBe(before);
  });

  test('a refused schedule is named by its row, and its inputs are invalid and described by the message; the APIs’ words stay', async () => {
    const res = await owner.post('/dashboard/links/new', {
      url: 'https://example.com/windows', code: 'a!',
      schedule_start_0: '2030-01-01T00:00', schedule_end_0: '2030-01-02T00:00', schedule_url_0: 'https://example.com/first',
      schedule_start_1: '2030-03-02T00:00', schedule_end_1: '2030-03-01T00:00', schedule_url_1: 'https://example.com/second',
    });
    const page = await res.text();
    expect(res.status).toBe(422);
    expect(messageOf(page, 'schedules')).toBe('Schedule 2 must end after it starts.');
    const hrefs = [...summaryOf(page)!.matchAll(/href="#([^"]+)"/g)].map((m) => m[1]);
    expect(hrefs).toEqual(['code', 'schedule_start_1']);
    for (const id of ['schedule_start_1', 'schedule_end_1']) expect(page).toMatch(new RegExp(`id="${id}"[^>]* aria-invalid="true" aria-describedby="schedules-error"`));
    for (const id of ['schedule_url_1', 'schedule_start_0', 'schedule_end_0', 'schedule_url_0']) expect(page).not.toMatch(new RegExp(`id="${id}"[^>]* aria-invalid`));
    // a date the form cannot read: that input, in its row
    const unreadable = await (await owner.post('/dashboard/links/new', {
      url: 'https://example.com/windows', schedule_start_0: '2030-01-01T00:00', schedule_url_0: 'https://example.com/first', schedule_end_1: '2030-02-30T00:00', schedule_url_1: 'https://example.com/second',
    })).text();
    expect(messageOf(unreadable, 'schedules')).toBe('The end of schedule 2 is not a valid date and time.');
    expect(unreadable).toMatch(/id="schedule_end_1"[^>]* aria-invalid="true" aria-describedby="schedules-error"/);
    // the core's message to the APIs is as it was
    const refused = await t.services.links
      .create(owner.actor, { destination: 'https://example.com/api', schedules: [{ startsAt: 2, endsAt: 1, destination: 'https://example.com/s' }] })
      .catch((e: Error) => e.message);
    expect(refused).toBe('A schedule must end after it starts.');
  });

  test('new: a fault only the form sees still lets the core check the rest, creating nothing', async () => {
    const before = await count(owner);
    const res = await owner.post('/dashboard/links/new', { url: 'not a url', bridge_delay: '-1' });
    const page = await res.text();
    expect(res.status).toBe(422);
    expect(messageOf(page, 'url')).toContain('The destination URL must be a valid URL.');
    expect(messageOf(page, 'bridge_delay')).toContain('from 0 to 60');
    expect(summaryOf(page)).toContain('2 fields need a change:');
    // the same delay fault with a good destination: the core would create the link, and must not
    const alone = await owner.post('/dashboard/links/new', { url: 'https://example.com/kept-out', bridge_delay: '-1' });
    expect(alone.status).toBe(422);
    expect(await count(owner)).toBe(before);
  });

  test('edit: every refusal at once, and the link is left as it was', async () => {
    const { link } = await t.services.links.create(owner.actor, { destination: 'https://example.com/as-it-was', code: 'edit-many', password: 'old' });
    const res = await owner.post(`/dashboard/links/${link.id}/edit`, {
      url: 'https://', code: 'held-alias', password: 'new', remove_password: '1', expires_at: '2001-01-01T00:00', utm_source: 's'.repeat(256),
    });
    const page = await res.text();
    expect(res.status).toBe(422);
    expect(messageOf(page, 'url')).toContain('The destination URL must be a valid URL.');
    expect(messageOf(page, 'code')).toBe('The alias has already been taken.');
    expect(messageOf(page, 'password')).toContain('Either type a new password or tick');
    expect(messageOf(page, 'expires_at')).toContain('must be a date after now');
    expect(messageOf(page, 'utm_source')).toContain('must not be greater than 255');
    expect(summaryOf(page)).toContain('5 fields need a change:');
    const kept = await t.services.links.get(owner.actor, link.id);
    expect(kept).toMatchObject({ destination: 'https://example.com/as-it-was', code: 'edit-many', expiresAt: null, utm: null });
    expect(kept.passwordHash).not.toBeNull();
  });

  test('every plan gate the form runs into is said above it, not only the first', async () => {
    const free = await signIn('free');
    const res = await free.post('/dashboard/links/new', { url: 'https://example.com/gated', code: 'gated-alias', password: 'secret', expires_at: '2099-01-01T00:00' });
    const page = await res.text();
    expect(res.status).toBe(422);
    const above = /<p class="alert" role="alert" id="form-error">([^<]*)<\/p>/.exec(page)?.[1] ?? '';
    for (const gate of ['Custom aliases require', 'Password-protected links require', 'Link expiration dates require']) expect([gate, above.includes(gate)]).toEqual([gate, true]);
    // no "enter the password again" under a field the plan keeps disabled: the gate above says why
    expect(page).not.toContain('id="password-error"');
  });

  test('edit: a plan without custom aliases cannot rename a link, nor add a password or an expiry, by editing it', async () => {
    const free = await signIn('free');
    const { link } = await t.services.links.create(free.actor, { destination: 'https://example.com/free-edit', metadata: 'none' });
    const above = (page: string) => /<p class="alert" role="alert" id="form-error">([^<]*)<\/p>/.exec(page)?.[1] ?? '';
    const renamed = await free.post(`/dashboard/links/${link.id}/edit`, { url: 'https://example.com/free-edit', code: 'free-alias' });
    const page = await renamed.text();
    expect(renamed.status).toBe(422);
    expect(above(page)).toContain('Custom aliases require a Pro or Enterprise plan.');
    // all three at once: each gate is named, as on the new-link form
    const all = await free.post(`/dashboard/links/${link.id}/edit`, { url: 'https://example.com/free-edit', code: 'free-alias', password: 'secret', expires_at: '2099-01-01T00:00' });
    const allPage = await all.text();
    expect(all.status).toBe(422);
    for (const gate of ['Custom aliases require', 'Password-protected links require', 'Link expiration dates require']) expect([gate, above(allPage).includes(gate)]).toEqual([gate, true]);
    expect(await t.services.links.get(free.actor, link.id)).toMatchObject({ code: link.code, isAlias: false, passwordHash: null, expiresAt: null });
    expect((await t.request('GET', '/free-alias')).status).toBe(404);
  });

  test('one refusal: beside its field, no summary; the APIs still answer with the first refusal alone', async () => {
    const page = await (await owner.post('/dashboard/links/new', { url: 'ftp://example.com/one' })).text();
    expect(messageOf(page, 'url')).toContain('must be a URL starting with http');
    expect(summaryOf(page)).toBeUndefined();
    const key = await t.services.keys.create(owner.user.id, 'refusals');
    await t.services.links.create(other.actor, { destination: 'https://example.com/held', code: 'heldalias' });
    const api = await t.app.handle(new Request(`${BASE}/api/v1/links`, {
      method: 'POST', headers: { authorization: `Bearer ${key.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ original_url: 'https://example.com/api-one', alias: 'heldalias', expires_at: '2001-01-01 00:00:00' }),
    }));
    // the alias is taken too: a client of one error sees the first the core meets, as before
    expect(api.status).toBe(422);
    expect(await api.json()).toEqual({ message: 'The expires at field must be a date after now.', errors: { expires_at: ['The expires at field must be a date after now.'] } });
  });
});

test('at the plan’s link limit, the new-link form says so before anything is typed, and again beside other refusals', async () => {
  const before = await t.services.plans.getByName('free');
  await t.services.plans.update('free', { maxLinks: 1 });
  try {
    const u = await signIn('free');
    const blank = await (await u.get('/dashboard/links/new')).text();
    expect(blank).not.toContain('id="link-limit"');
    await t.services.links.create(u.actor, { destination: 'https://example.com/the-one', metadata: 'none' });
    const full = await (await u.get('/dashboard/links/new')).text();
    expect(full).toContain('<p class="warning" role="status" id="link-limit">Your links: 1 of 1: new links are refused until you delete some.</p>');
    const refused = await (await u.post('/dashboard/links/new', { url: 'https://example.com/x', bridge_delay: '99' })).text();
    expect(refused).toContain('id="link-limit"');
    expect(refused).toContain('id="bridge_delay-error"');
  } finally {
    await t.services.plans.update('free', { maxLinks: before.maxLinks });
  }
});

test('an international host is shown in ASCII first and, beside it, as it was written: analytics page, list tooltip', async () => {
  const { link } = await t.services.links.create(owner.actor, { destination: 'https://münchen.de/stadtplan', metadata: 'none' });
  const plain = (await t.services.links.create(owner.actor, { destination: 'https://example.com/ascii-host', metadata: 'none' })).link;
  // the edit form holds the destination as its owner wrote it
  expect(valueOf(await (await owner.get(`/dashboard/links/${link.id}/edit`)).text(), 'url')).toBe('https://münchen.de/stadtplan');

  const analytics = await (await owner.get(`/dashboard/links/${link.id}/analytics`)).text();
  expect(analytics).toContain('<span class="destination">https://xn--mnchen-3ya.de/stadtplan</span> <span class="small" id="host-written">(an international domain name, written münchen.de)</span>');
  expect(await (await owner.get(`/dashboard/links/${plain.id}/analytics`)).text()).not.toContain('id="host-written"');

  const list = await (await owner.get('/dashboard?q=stadtplan')).text();
  expect(list).toContain('title="https://xn--mnchen-3ya.de/stadtplan (an international domain name, written münchen.de)"');
  expect(list).toContain('>xn--mnchen-3ya.de/stadtplan</a>');

  expect(hostWrittenNote('https://xn--mnchen-3ya.de/')).toBe('an international domain name, written münchen.de');
  expect(hostWrittenNote('https://example.com/')).toBeNull();
  expect(hostWrittenNote('not a url')).toBeNull();
});
