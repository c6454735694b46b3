/**
 * QR code screens through the real app: list, designer, live preview, save,
 * delete, ownership, plan gating of colours, CSRF, and escaping of QR names
 * and contents (hostile input).
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { Link } from '../../src/links/links.types.ts';
import { BASE, makeTestApp, type TestApp } from '../helpers/make-test-app.ts';
import { loginThroughForm } from '../helpers/web-login.ts';

const HOSTILE = '<img src=x onerror=alert(1)>';
let t: TestApp;
type Session = Awaited<ReturnType<typeof signIn>>;
let pro: Session;
let free: Session;
let other: Session;
let link: Link;

let logins = 0;
/** Signs in through the real form; POSTs then carry the session's CSRF token (from the page's meta tag) as htmx does. */
async function signIn(plan: 'free' | 'pro' = 'pro') {
  const u = await t.user(plan);
  const { cookie, csrf, status } = await loginThroughForm((r) => t.app.handle(r), u, `203.0.113.${++logins}`, '/dashboard/qrcodes');
  expect(status).toBe(303);
  const get = (path: string, headers: Record<string, string> = {}) => t.app.handle(new Request(BASE + path, { headers: { cookie, ...headers } }));
  const post = (path: string, fields: Record<string, string>, headers: Record<string, string> = { 'x-csrf-token': csrf }) =>
    t.app.handle(new Request(BASE + path, { method: 'POST', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(fields) }));
  return { ...u, actor: await t.services.users.actorFor(u.user), csrf, get, post };
}

const design = (over: Record<string, string> = {}) => ({
  name: 'Menu',
  type: 'url',
  content: 'https://example.com/menu',
  link_id: '',
  foreground_color: '#000000',
  background_color: '#ffffff',
  margin: '4',
  size: '300',
  error_correction: 'M',
  ...over,
});
const idFrom = (res: Response) => Number(/\/dashboard\/qrcodes\/(\d+)\/edit/.exec(res.headers.get('location') ?? res.headers.get('hx-location') ?? '')![1]);
/** HX-Location's path ({path, target} JSON) */
const hxPath = (res: Response) => (JSON.parse(res.headers.get('hx-location') ?? 'null') as { path: string; target: string } | null)?.path;

beforeAll(async () => {
  t = await makeTestApp({ env: { TRUST_PROXY: 'true' } });
  pro = await signIn('pro');
  free = await signIn('free');
  other = await signIn('pro');
  link = (await t.services.links.create(pro.actor, { destination: 'https://example.com/linked', title: HOSTILE })).link;
});
afterAll(() => t.close());

describe('the list', () => {
  test('an empty list says what to do next', async () => {
    const res = await free.get('/dashboard/qrcodes');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await res.text()).toContain('No QR codes yet');
  });

  test('a page number past the list, however large, shows the last page, not an error', async () => {
    const only = await t.services.qr.create(pro.actor, { name: 'Past-end poster', type: 'text', content: 'x', errorCorrection: 'M' });
    for (const page of ['2', '1e308', '99999999999999999999', 'Infinity', '-1']) {
      const res = await pro.get(`/dashboard/qrcodes?page=${page}`);
      expect([page, res.status]).toEqual([page, 200]);
      const body = await res.text();
      expect([page, body.includes('Past-end poster'), /Page [2-9]\d* of 1/.test(body)]).toEqual([page, true, false]);
    }
    await t.services.qr.remove(pro.actor, only.id);
  });

  test('search and pagination swap #qr-list (htmx) and keep the URL shareable', async () => {
    for (let i = 1; i <= 23; i++) await t.services.qr.create(other.actor, { name: `Poster ${i}`, type: 'text', content: `poster ${i}`, errorCorrection: 'M' });
    await t.services.qr.create(other.actor, { name: `Flyer ${HOSTILE}`, type: 'text', content: HOSTILE, errorCorrection: 'M' });
    const page = await (await other.get('/dashboard/qrcodes')).text();
    expect(page).toContain('Page 1 of 2 · 24 QR codes');
    expect(page).toContain('hx-get="/dashboard/qrcodes" hx-trigger="input changed delay:300ms, search" hx-target="#qr-list"');
    expect(page).not.toContain(HOSTILE);
    expect(page).toContain('Flyer &lt;img src=x onerror=alert(1)&gt;');

    const second = await other.get('/dashboard/qrcodes?page=2', { 'hx-request': 'true', 'hx-target': 'qr-list' });
    const frag = await second.text();
    expect(frag.startsWith('<section id="qr-list">')).toBe(true);
    expect(frag.match(/<tr id="qr-row-/g)).toHaveLength(4);
    expect(frag).toContain('rel="prev"');

    const found = await (await other.get('/dashboard/qrcodes?search=flyer', { 'hx-request': 'true', 'hx-target': 'qr-list' })).text();
    expect(found.match(/<tr id="qr-row-/g)).toHaveLength(1);
    // typing on in the search box from a search already shown replaces its history entry; a first search does not
    const typed = (current: string) =>
      other.get('/dashboard/qrcodes?search=flye', { 'hx-request': 'true', 'hx-target': 'qr-list', 'hx-trigger': 'qr-search', 'hx-current-url': `${BASE}${current}` });
    expect((await typed('/dashboard/qrcodes?search=fly')).headers.get('hx-replace-url')).toBe('/dashboard/qrcodes?search=flye');
    expect((await typed('/dashboard/qrcodes')).headers.get('hx-replace-url')).toBeNull();
    const none = await (await other.get(`/dashboard/qrcodes?search=${encodeURIComponent('<script>nothing</script>')}`)).text();
    expect(none).toContain('No QR codes match “&lt;script&gt;nothing&lt;/script&gt;”.');
  });
});

describe('the designer', () => {
  test('offers every option, the user’s own links (escaped) and enabled colours on a plan that has them', async () => {
    const body = await (await pro.get('/dashboard/qrcodes/new')).text();
    for (const field of ['name', 'type', 'content', 'link_id', 'foreground_color', 'background_color', 'margin', 'size', 'error_correction']) {
      expect(body).toContain(`<label for="qr-${field}">`);
    }
    for (const type of ['url', 'text', 'email', 'sms', 'phone']) expect(body).toContain(`<option value="${type}"`);
    for (const level of ['L', 'M', 'Q', 'H']) expect(body).toContain(`<option value="${level}"`);
    expect(body).toContain('hx-post="/dashboard/qrcodes/preview" hx-trigger="input changed delay:250ms" hx-target="#qr-preview"');
    // not a live region: it is redrawn after every pause in the typing
    expect(body).toContain('<div id="qr-preview">');
    expect(body).toContain(`<option value="${link.id}">`);
    expect(body).not.toContain(HOSTILE);
    expect(body).toMatch(/<input type="color" id="qr-foreground_color" name="foreground_color" value="#000000" aria-describedby/);
    expect((await (await other.get('/dashboard/qrcodes/new')).text()).includes(`<option value="${link.id}">`)).toBe(false);
  });

  test('a plan without QR colours shows them disabled with an explanation; the core refuses forced colours', async () => {
    const body = await (await free.get('/dashboard/qrcodes/new')).text();
    expect(body).toMatch(/id="qr-foreground_color" name="foreground_color" value="#000000" disabled/);
    expect(body).toContain('Custom QR colours come with the Pro and Enterprise plans.');
    const res = await free.post('/dashboard/qrcodes', design({ foreground_color: '#ff0000' }));
    expect(res.status).toBe(422);
    expect(await res.text()).toContain('<p class="field-error" id="qr-err-foreground_color" data-error-slot role="alert">Custom QR colours require a Pro or Enterprise plan.</p>');
    // the background alone is refused too
    const bg = await free.post('/dashboard/qrcodes', design({ background_color: '#00ff00' }));
    expect(bg.status).toBe(422);
    expect(await bg.text()).toContain('Custom QR colours require a Pro or Enterprise plan.');
    const ok = await free.post('/dashboard/qrcodes', (({ foreground_color, background_color, ...rest }) => rest)(design()));
    expect(ok.status).toBe(303);
  });

  test('?link_id= preselects a short link and shows its code straight away', async () => {
    const body = await (await pro.get(`/dashboard/qrcodes/new?link_id=${link.id}`)).text();
    expect(body).toContain(`<option value="${link.id}" selected>`);
    expect(body).toContain(`${BASE}/${link.code}</textarea>`);
    expect(body).toMatch(/<div class="qr-image" role="img" aria-label="Preview of the QR code"><svg/);
  });
});

describe('the live preview', () => {
  test('renders our SVG and clears every error slot out of band', async () => {
    const res = await pro.post('/dashboard/qrcodes/preview', design({ foreground_color: '#112233', size: '200' }), { 'x-csrf-token': pro.csrf, 'hx-request': 'true' });
    expect(res.status).toBe(200);
    const body = await res.text();
    expect(body).toMatch(/^<div class="qr-image" role="img" aria-label="Preview of the QR code"><svg[^>]*width="200"/);
    expect(body).toContain('#112233');
    expect(body).toContain('<p class="field-error" id="qr-err-content" data-error-slot hx-swap-oob="true"></p>');
    expect(body).toContain('<p class="hint" id="qr-content-hint" hx-swap-oob="true">The full address');
  });

  test('a field the core refuses is shown next to it, as a message read with the field rather than an alert mid-typing; the hint follows the type', async () => {
    const cases: [Record<string, string>, string, string][] = [
      [{ size: '5000' }, 'size', 'The size must be between 100 and 1000.'],
      [{ margin: '11' }, 'margin', 'The margin must be between 0 and 10.'],
      [{ margin: 'abc' }, 'margin', 'The margin must be an integer.'],
      [{ error_correction: 'Z' }, 'error_correction', 'The selected error correction is invalid.'],
      [{ type: 'fax' }, 'type', 'The selected type is invalid.'],
      [{ foreground_color: 'red' }, 'foreground_color', 'The foreground color format is invalid (use #RRGGBB).'],
      [{ link_id: String(link.id + 1000) }, 'link_id', 'The selected link id is invalid.'],
    ];
    for (const [over, field, message] of cases) {
      const body = await (await pro.post('/dashboard/qrcodes/preview', design(over))).text();
      // "5" on the way to "500" is refused: an alert would interrupt the typing with it
      expect(body).toContain(`<p class="field-error" id="qr-err-${field}" data-error-slot hx-swap-oob="true">${message}</p>`);
      expect(body).not.toContain('role="alert"');
      expect(body).toContain('Fix the highlighted field');
    }
    const sms = await (await pro.post('/dashboard/qrcodes/preview', design({ type: 'sms', content: '+441234' }))).text();
    expect(sms).toContain('id="qr-content-hint" hx-swap-oob="true">A phone number, optionally followed by :message.');
  });

  test('a form still being filled in is not told off: no name still draws, no content asks for it without an alert', async () => {
    const unnamed = await (await pro.post('/dashboard/qrcodes/preview', design({ name: '' }))).text();
    expect(unnamed).toContain('<svg');
    expect(unnamed).not.toContain('role="alert"');
    for (const content of ['', '   ']) {
      const empty = await (await pro.post('/dashboard/qrcodes/preview', design({ name: '', content }))).text();
      expect(empty).toContain('Fill in the content to see a preview.');
      expect(empty).not.toContain('role="alert"');
      expect(empty).toContain('<p class="field-error" id="qr-err-content" data-error-slot hx-swap-oob="true"></p>');
    }
    // saving still says what is missing
    const saved = await pro.post('/dashboard/qrcodes', design({ name: '', content: '' }));
    expect(saved.status).toBe(422);
    expect(await saved.text()).toContain('The name is required.');
  });

  test("another user's link cannot be encoded", async () => {
    const body = await (await other.post('/dashboard/qrcodes/preview', design({ link_id: String(link.id) }))).text();
    expect(body).toContain('The selected link id is invalid.');
  });
});

describe('saving, downloading, deleting', () => {
  let id: number;

  test('create: a plain post redirects to the edit page; htmx gets HX-Location', async () => {
    const res = await pro.post('/dashboard/qrcodes', { ...design({ name: HOSTILE, content: 'tel-ish', link_id: String(link.id) }), _csrf: pro.csrf }, {});
    expect(res.status).toBe(303);
    id = idFrom(res);
    expect(res.headers.get('location')).toBe(`/dashboard/qrcodes/${id}/edit?saved=1`);
    const hx = await pro.post('/dashboard/qrcodes', design({ name: 'Via htmx' }), { 'x-csrf-token': pro.csrf, 'hx-request': 'true' });
    expect(hx.status).toBe(204);
    expect(hxPath(hx)).toMatch(/^\/dashboard\/qrcodes\/\d+\/edit\?saved=1$/);
    // htmx fetches that page as a fragment: it goes into #main, not over the whole body
    expect(JSON.parse(hx.headers.get('hx-location')!).target).toBe('#main');
  });

  test('the edit page shows the saved design, escaped, with PNG and SVG downloads that work', async () => {
    const body = await (await pro.get(`/dashboard/qrcodes/${id}/edit?saved=1`)).text();
    expect(body).toContain('Saved. Download it below');
    expect(body).not.toContain(HOSTILE);
    expect(body).toContain('<h1>&lt;img src=x onerror=alert(1)&gt;</h1>');
    expect(body).toContain(`<option value="${link.id}" selected>`);
    expect(body).toContain(`href="/dashboard/qrcodes/${id}/download/png" download`);
    const png = await pro.get(`/dashboard/qrcodes/${id}/download/png`);
    expect(png.headers.get('content-type')).toBe('image/png');
    expect([...new Uint8Array(await png.arrayBuffer()).slice(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const list = await (await pro.get('/dashboard/qrcodes')).text();
    expect(list).toContain('<span class="badge badge-accent">Counts scans</span>');
  });

  test('update keeps what the person typed when refused (422) and saves when valid', async () => {
    const bad = await pro.post(`/dashboard/qrcodes/${id}`, design({ name: 'Renamed <b>', size: '99' }));
    expect(bad.status).toBe(422);
    const body = await bad.text();
    expect(body).toContain('value="Renamed &lt;b&gt;"');
    expect(body).toMatch(/id="qr-size" name="size" value="99"[^>]*aria-invalid="true"/);
    const ok = await pro.post(`/dashboard/qrcodes/${id}`, design({ name: 'Renamed', size: '640', error_correction: 'H' }));
    expect(ok.status).toBe(303);
    const saved = await t.services.qr.get(pro.actor, id);
    expect([saved.name, saved.size, saved.errorCorrection, saved.linkId]).toEqual(['Renamed', 640, 'H', null]);
  });

  test('content no QR code holds at the chosen level is refused beside the field; nothing is saved', async () => {
    const before = (await t.services.qr.list(pro.actor, { page: 1, perPage: 100 })).total;
    const res = await pro.post('/dashboard/qrcodes', design({ type: 'text', content: '漢'.repeat(430), error_correction: 'H' }));
    expect(res.status).toBe(422);
    const body = await res.text();
    expect(body).toMatch(/<textarea[^>]*id="qr-content"[^>]*aria-invalid="true"/);
    expect(body).toContain('The content is too long for a QR code at error correction H: shorten it or choose a lower error correction.');
    expect((await t.services.qr.list(pro.actor, { page: 1, perPage: 100 })).total).toBe(before);
    const preview = await (await pro.post('/dashboard/qrcodes/preview', design({ type: 'text', content: '漢'.repeat(430), error_correction: 'H' }))).text();
    expect(preview).toContain('too long for a QR code');
  });

  test('a saved code no level can draw (written before capacity was checked) opens with the reason, not an error page', async () => {
    const saved = await t.services.qr.create(pro.actor, { name: 'Legacy', type: 'text', content: 'short', errorCorrection: 'L' });
    t.sqlite.query('UPDATE qr_codes SET content = ? WHERE id = ?').run('漢'.repeat(1000), saved.id);
    const edit = await pro.get(`/dashboard/qrcodes/${saved.id}/edit`);
    expect(edit.status).toBe(200);
    expect(await edit.text()).toContain('The content of this QR code is too long to draw; edit it to shorten it.');
    expect((await pro.get('/dashboard/qrcodes')).status).toBe(200);
    expect((await pro.get(`/dashboard/qrcodes/${saved.id}/download/svg`)).status).toBe(422);
    // fixing it from the designer works
    expect((await pro.post(`/dashboard/qrcodes/${saved.id}`, design({ name: 'Legacy', type: 'text', content: 'short again', error_correction: 'L' }))).status).toBe(303);
    expect((await pro.get(`/dashboard/qrcodes/${saved.id}/download/svg`)).status).toBe(200);
  });

  test("another user's QR code is 404 everywhere", async () => {
    expect((await other.get(`/dashboard/qrcodes/${id}/edit`)).status).toBe(404);
    expect((await other.post(`/dashboard/qrcodes/${id}`, design())).status).toBe(404);
    expect((await other.post(`/dashboard/qrcodes/${id}/delete`, {})).status).toBe(404);
    expect((await other.get(`/dashboard/qrcodes/${id}/download/png`)).status).toBe(404);
    expect((await other.get('/dashboard/qrcodes/nope/edit')).status).toBe(404);
  });

  test('a post without the CSRF token is refused and changes nothing', async () => {
    const before = (await t.services.qr.list(pro.actor, { page: 1, perPage: 100 })).total;
    const res = await pro.post('/dashboard/qrcodes', design(), {});
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('did not come from this site');
    expect((await pro.post(`/dashboard/qrcodes/${id}/delete`, {}, { 'x-csrf-token': 'forged' })).status).toBe(403);
    expect((await t.services.qr.list(pro.actor, { page: 1, perPage: 100 })).total).toBe(before);
  });

  test('delete: from a list row (htmx) the list it was on is redrawn (count, empty state); a plain post goes back to the list', async () => {
    const me = await signIn('pro');
    const made = [];
    for (let i = 0; i < 2; i++) made.push(idFrom(await me.post('/dashboard/qrcodes', design({ name: `Mine ${i}` }))));
    const outside = idFrom(await me.post('/dashboard/qrcodes', design({ name: 'Elsewhere' })));
    const fromList = (qrId: number, current = `${BASE}/dashboard/qrcodes?search=Mine`) =>
      me.post(`/dashboard/qrcodes/${qrId}/delete`, {}, { 'x-csrf-token': me.csrf, 'hx-request': 'true', 'hx-target': `qr-row-${qrId}`, 'hx-current-url': current });
    const first = await fromList(made[0]!);
    expect(first.status).toBe(200);
    expect([first.headers.get('hx-retarget'), first.headers.get('hx-reswap')]).toEqual(['#qr-list', 'outerHTML']);
    // the row is gone from under the focus: a toast says which code went (the JSON escapes the quotes)
    expect(JSON.parse(first.headers.get('hx-trigger')!)).toEqual({ toast: { message: 'The QR code “Mine 0” was deleted.' } });
    const rest = await first.text();
    expect(rest).toContain('Page 1 of 1 · 1 QR code<');
    expect(rest).toContain(`id="qr-row-${made[1]}"`);
    expect(rest).not.toContain(`id="qr-row-${made[0]}"`);
    // the search it was made from is kept; the last one gone leaves the empty state, not a stale bar
    expect(rest).not.toContain(`id="qr-row-${outside}"`);
    const last = await (await fromList(made[1]!)).text();
    expect(last).toContain('class="empty-state"');
    expect(last).not.toContain('Page 1 of 1');
    expect((await me.get(`/dashboard/qrcodes/${made[0]}/edit`)).status).toBe(404);
    // a hand-made HX-Current-URL that does not parse: the list as a fresh visit shows it, not a 500
    const odd = await fromList(outside, 'http://[');
    expect(odd.status).toBe(200);
    const another = idFrom(await me.post('/dashboard/qrcodes', design()));
    const plain = await me.post(`/dashboard/qrcodes/${another}/delete`, { _csrf: me.csrf }, {});
    expect(plain.status).toBe(303);
    expect(plain.headers.get('location')).toBe('/dashboard/qrcodes?deleted=1');
    // from the designer (htmx, no row): a whole new page, whose title and history entry are the list's
    const inDesigner = idFrom(await me.post('/dashboard/qrcodes', design()));
    const fromDesigner = await me.post(`/dashboard/qrcodes/${inDesigner}/delete`, {}, { 'x-csrf-token': me.csrf, 'hx-request': 'true' });
    expect([fromDesigner.status, fromDesigner.headers.get('hx-trigger'), fromDesigner.headers.get('hx-location')]).toEqual([204, '{"replaceLocation":"/dashboard/qrcodes?deleted=1"}', null]);
    expect(await (await me.get('/dashboard/qrcodes?deleted=1')).text()).toContain('QR code deleted.');
  });

  test('the designer for a link deleted meanwhile (a stale tab, a bookmark) or not one’s own says so and shows the code unlinked', async () => {
    const me = await signIn('pro');
    const older = (await t.services.links.create(me.actor, { destination: 'https://example.com/older', title: 'Older' })).link;
    const newer = (await t.services.links.create(me.actor, { destination: 'https://example.com/newer', title: 'Newer' })).link;
    const gone = (await t.services.links.create(me.actor, { destination: 'https://example.com/gone', title: 'Gone' })).link;
    await t.services.links.remove(me.actor, gone.id);
    for (const id of [gone.id, link.id]) {
      const page = await (await me.get(`/dashboard/qrcodes/new?link_id=${id}`)).text();
      expect(page).toContain('The short link you chose no longer exists.');
      const picker = /<select id="qr-link_id"[^>]*>([\s\S]*?)<\/select>/.exec(page)![1]!;
      // "Not linked" first and chosen, then the newest link first: never an unrelated link picked for the person
      expect([...picker.matchAll(/<option value="([^"]*)"( selected)?/g)].map((m) => `${m[1]}${m[2] ? '*' : ''}`)).toEqual(['*', String(newer.id), String(older.id)]);
    }
    // a saved code whose link was deleted since
    const qr = idFrom(await me.post('/dashboard/qrcodes', design({ link_id: String(newer.id), content: '' })));
    await t.services.links.remove(me.actor, newer.id);
    const edit = await (await me.get(`/dashboard/qrcodes/${qr}/edit`)).text();
    expect(edit).toContain('The short link this code counted its scans through no longer exists.');
    expect(edit).toContain('<option value="" selected>');
  });

  test('Cancel returns to the dashboard page the designer was opened from, also after a refused save; anything else leads to the list', async () => {
    const cancel = (page: string) => /<a href="([^"]*)" class="button secondary">Cancel<\/a>/.exec(page)?.[1];
    const fromRow = await (await pro.get(`/dashboard/qrcodes/new?link_id=${link.id}`, { referer: `${BASE}/dashboard?q=linked&page=2` })).text();
    expect(cancel(fromRow)).toBe('/dashboard?q=linked&amp;page=2');
    // a banner's marker in the page it came from is not carried back
    const fromCreated = await (await pro.get('/dashboard/qrcodes/new', { referer: `${BASE}/dashboard?created=abc&q=x` })).text();
    expect(cancel(fromCreated)).toBe('/dashboard?q=x');
    const fromAnalytics = await (await pro.get('/dashboard/qrcodes/new', { referer: `${BASE}/dashboard/links/${link.id}/analytics?range=7d` })).text();
    expect(cancel(fromAnalytics)).toBe(`/dashboard/links/${link.id}/analytics?range=7d`);
    for (const referer of ['https://evil.example/dashboard', `${BASE}/dashboard/keys`, 'http://[', '']) {
      expect([referer, cancel(await (await pro.get('/dashboard/qrcodes/new', { referer })).text())]).toEqual([referer, '/dashboard/qrcodes']);
    }
    const refused = await pro.post('/dashboard/qrcodes', { ...design({ name: '' }), back: `/dashboard/links/${link.id}/analytics` });
    expect(refused.status).toBe(422);
    expect(cancel(await refused.text())).toBe(`/dashboard/links/${link.id}/analytics`);
  });

  test('picking a short link is enough: with no content typed, the content is the short URL (preview and save)', async () => {
    const me = await signIn('pro');
    const own = (await t.services.links.create(me.actor, { destination: 'https://example.com/picked' })).link;
    const form = design({ name: 'Picked', type: 'text', content: '', link_id: String(own.id) });
    const preview = await (await me.post('/dashboard/qrcodes/preview', form, { 'x-csrf-token': me.csrf, 'hx-request': 'true' })).text();
    expect(preview).toContain('<svg');
    const saved = await me.post('/dashboard/qrcodes', form);
    expect(saved.status).toBe(303);
    const qr = await t.services.qr.get(me.actor, idFrom(saved));
    expect(qr).toMatchObject({ type: 'url', content: `${BASE}/${own.code}`, linkId: own.id });
    // a content and name the page filled in for one link, then another link picked: they follow the new link
    const other = (await t.services.links.create(me.actor, { destination: 'https://example.com/other' })).link;
    const switched = await me.post('/dashboard/qrcodes', design({ name: `QR code for /${own.code}`, type: 'url', content: `${BASE}/${own.code}`, link_id: String(other.id) }));
    expect(await t.services.qr.get(me.actor, idFrom(switched))).toMatchObject({ name: `QR code for /${other.code}`, content: `${BASE}/${other.code}`, linkId: other.id });
    // content the person typed is theirs: kept
    const typed = await me.post('/dashboard/qrcodes', design({ name: 'Mine', content: 'https://example.com/my-fallback', link_id: String(other.id) }));
    expect(await t.services.qr.get(me.actor, idFrom(typed))).toMatchObject({ name: 'Mine', content: 'https://example.com/my-fallback' });
    // nothing to fall back on without a link: content stays required
    const refused = await me.post('/dashboard/qrcodes', design({ name: 'Nothing', content: '' }));
    expect(refused.status).toBe(422);
  });

  test('the list says "Counts scans" only while the linked short link exists', async () => {
    const me = await signIn('pro');
    const own = (await t.services.links.create(me.actor, { destination: 'https://example.com/counted' })).link;
    const qrId = idFrom(await me.post('/dashboard/qrcodes', design({ name: 'Linked poster', link_id: String(own.id) })));
    const badge = async () => {
      const list = await (await me.get('/dashboard/qrcodes')).text();
      const row = list.slice(list.indexOf(`id="qr-row-${qrId}"`), list.indexOf('</tr>', list.indexOf(`id="qr-row-${qrId}"`)));
      return row.includes('Counts scans');
    };
    expect(await badge()).toBe(true);
    await t.services.links.remove(me.actor, own.id);
    expect(await badge()).toBe(false);
  });

  test('a linked short link older than the picker’s 100 newest is still offered, so saving keeps it', async () => {
    const id = idFrom(await pro.post('/dashboard/qrcodes', design({ link_id: String(link.id) })));
    for (let i = 0; i < 100; i++) await t.services.links.create(pro.actor, { destination: `https://example.com/filler/${i}`, title: `Filler ${i}` });
    const body = await (await pro.get(`/dashboard/qrcodes/${id}/edit`)).text();
    expect(body).toContain(`<option value="${link.id}" selected>`);
  });
});

describe('a plan that loses QR colours', () => {
  const coloured = () => design({ name: 'Red on green', foreground_color: '#ff0000', background_color: '#00ff00' });
  const withoutColours = (fields: Record<string, string>) => (({ foreground_color, background_color, ...rest }) => rest)(fields);
  const colours = (svg: string) => [/<path fill="(#[0-9A-F]{6})"/.exec(svg)?.[1], /<path stroke="(#[0-9A-F]{6})"/.exec(svg)?.[1]];

  /** carol on pro saves a red-on-green code; an admin then moves her to free */
  async function downgradedWithCode() {
    const carol = await signIn('pro');
    const id = idFrom(await carol.post('/dashboard/qrcodes', coloured()));
    await t.services.users.update(carol.user.id, { plan: 'free' });
    return { carol, id };
  }

  test('renaming the code (the colour inputs disabled, so not sent) keeps its colours, in the download and in the designer', async () => {
    const { carol, id } = await downgradedWithCode();
    const res = await carol.post(`/dashboard/qrcodes/${id}`, withoutColours({ ...coloured(), name: 'Renamed poster' }), { 'x-csrf-token': carol.csrf });
    expect(res.status).toBe(303);
    const page = await (await carol.get(`/dashboard/qrcodes/${id}/edit`)).text();
    expect(page).toContain('<h1>Renamed poster</h1>');
    expect(colours(await (await carol.get(`/dashboard/qrcodes/${id}/download/svg`)).text())).toEqual(['#00FF00', '#FF0000']);
    expect(page).toMatch(/id="qr-foreground_color" name="foreground_color" value="#ff0000" disabled/);
    expect(page).toMatch(/id="qr-background_color" name="background_color" value="#00ff00" disabled/);
    expect(page).toContain('This code keeps the colours it was saved with; your plan (free) cannot change them.');
  });

  test('the live preview of the code being edited shows its own colours, not the defaults', async () => {
    const { carol, id } = await downgradedWithCode();
    const page = await (await carol.get(`/dashboard/qrcodes/${id}/edit`)).text();
    const previewUrl = /hx-post="([^"]+)" hx-trigger="input changed delay:250ms"/.exec(page)![1]!;
    const res = await carol.post(previewUrl, withoutColours(design({ name: 'Renamed', content: 'https://example.com/menu2' })), { 'x-csrf-token': carol.csrf, 'hx-request': 'true' });
    expect(res.status).toBe(200);
    expect(colours(await res.text())).toEqual(['#00FF00', '#FF0000']);
  });

  test('a refused save shows the code again with its own colours; new colours are still refused', async () => {
    const { carol, id } = await downgradedWithCode();
    const blank = await carol.post(`/dashboard/qrcodes/${id}`, withoutColours(design({ name: '' })), { 'x-csrf-token': carol.csrf });
    expect(blank.status).toBe(422);
    expect(await blank.text()).toMatch(/id="qr-foreground_color" name="foreground_color" value="#ff0000" disabled/);
    const blue = await carol.post(`/dashboard/qrcodes/${id}`, design({ foreground_color: '#0000ff', background_color: '#00ff00' }), { 'x-csrf-token': carol.csrf });
    expect(blue.status).toBe(422);
    expect(await blue.text()).toContain('<p class="field-error" id="qr-err-foreground_color" data-error-slot role="alert">Custom QR colours require a Pro or Enterprise plan.</p>');
    expect(colours(await (await carol.get(`/dashboard/qrcodes/${id}/download/svg`)).text())).toEqual(['#00FF00', '#FF0000']);
  });
});
