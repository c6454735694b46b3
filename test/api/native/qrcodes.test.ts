/** Minilnk QR codes API, from seeds/minilnk-api.txt. */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import fc from 'fast-check';
import { BASE, makeTestApp, type TestApp } from '../../helpers/make-test-app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await makeTestApp();
});
afterAll(() => t.close());

const QR_KEYS = [
  'background_color', 'content', 'created_at', 'download_png_url', 'download_svg_url', 'error_correction', 'foreground_color',
  'id', 'is_dynamic', 'link_id', 'margin', 'name', 'preview_svg', 'size', 'type', 'user_id',
].sort();

async function linkFor(u: Awaited<ReturnType<TestApp['user']>>, alias: string) {
  return (await t.request('POST', '/api/v1/links', { headers: u.auth, body: { original_url: 'https://news.ycombinator.com', alias, title: 'HN' } })).json();
}

describe('happy path', () => {
  test('POST /qrcodes (documented example) answers 201 with a dynamic QR object and defaults', async () => {
    const u = await t.user('pro');
    const link = await linkFor(u, 'hnqr1');
    const res = await t.request('POST', '/api/v1/qrcodes', {
      headers: u.auth,
      body: { name: 'HN Dynamic QR', type: 'url', content: `${BASE}/hnqr1`, error_correction: 'H', link_id: link.id },
    });
    expect(res.status).toBe(201);
    const qr = await res.json();
    expect(Object.keys(qr).sort()).toEqual(QR_KEYS);
    expect(qr).toMatchObject({
      user_id: u.user.id,
      link_id: link.id,
      name: 'HN Dynamic QR',
      content: `${BASE}/hnqr1`,
      type: 'url',
      foreground_color: '#000000',
      background_color: '#FFFFFF',
      margin: 4,
      size: 300,
      error_correction: 'H',
      is_dynamic: true,
      download_svg_url: `${BASE}/dashboard/qrcodes/${qr.id}/download/svg`,
      download_png_url: `${BASE}/dashboard/qrcodes/${qr.id}/download/png`,
    });
    expect(qr.preview_svg).toStartWith('<svg');
    expect(qr.preview_svg).toContain('</svg>');
  });

  test('GET /qrcodes lists with search; GET /qrcodes/{id}; DELETE leaves the link alone', async () => {
    const u = await t.user('pro');
    const link = await linkFor(u, 'hnqr2');
    const a = await (await t.request('POST', '/api/v1/qrcodes', { headers: u.auth, body: { name: 'Hacker News QR', type: 'url', content: 'https://example.com', error_correction: 'M', link_id: link.id } })).json();
    await t.request('POST', '/api/v1/qrcodes', { headers: u.auth, body: { name: 'Phone card', type: 'phone', content: '+1 555 0100', error_correction: 'L' } });
    const all = await (await t.request('GET', '/api/v1/qrcodes', { headers: u.auth })).json();
    expect(all.total).toBe(2);
    expect(all.current_page).toBe(1);
    const found = await (await t.request('GET', '/api/v1/qrcodes?search=hacker', { headers: u.auth })).json();
    expect(found.total).toBe(1);
    expect(found.data[0].id).toBe(a.id);
    const cafe = await (await t.request('POST', '/api/v1/qrcodes', { headers: u.auth, body: { name: 'Ärzte Café', type: 'text', content: 'x', error_correction: 'L' } })).json();
    for (const q of ['ärzte', 'CAFÉ']) {
      expect((await (await t.request('GET', `/api/v1/qrcodes?search=${encodeURIComponent(q)}`, { headers: u.auth })).json()).data.map((c: { id: number }) => c.id)).toEqual([cafe.id]);
    }
    await t.request('DELETE', `/api/v1/qrcodes/${cafe.id}`, { headers: u.auth });
    const one = await t.request('GET', `/api/v1/qrcodes/${a.id}`, { headers: u.auth });
    expect(one.status).toBe(200);
    expect((await one.json()).name).toBe('Hacker News QR');
    const del = await t.request('DELETE', `/api/v1/qrcodes/${a.id}`, { headers: u.auth });
    expect(await del.json()).toEqual({ message: 'QR Code deleted successfully.' });
    expect((await t.request('GET', `/api/v1/qrcodes/${a.id}`, { headers: u.auth })).status).toBe(404);
    expect((await t.request('GET', `/api/v1/links/${link.id}`, { headers: u.auth })).status).toBe(200);
  });

  test('search pages through the matches newest first with their total, in any case and script (final sigma too), the term taken literally', async () => {
    const u = await t.user('pro');
    const make = async (name: string) => (await (await t.request('POST', '/api/v1/qrcodes', { headers: u.auth, body: { name, type: 'text', content: 'x', error_correction: 'L' } })).json()).id as number;
    const posters: number[] = [];
    for (let i = 0; i < 20; i++) posters.push(await make(`Poster ${i}`));
    await make('Flyer');
    const sigma = await make('χάρτης οδος');
    const literal = await make('50%_off [a]*');
    const search = async (q: string, page = 1) => (await (await t.request('GET', `/api/v1/qrcodes?search=${encodeURIComponent(q)}&page=${page}`, { headers: u.auth })).json()) as { total: number; data: { id: number }[] };
    const second = await search('POSTER', 2);
    expect(second.total).toBe(20);
    expect(second.data.map((q) => q.id)).toEqual(posters.slice(0, 5).reverse());
    expect((await search('ΟΔΟΣ')).data.map((q) => q.id)).toEqual([sigma]);
    expect((await search('%_OFF [A]*')).data.map((q) => q.id)).toEqual([literal]);
    expect((await search('0_o')).total).toBe(0);
    // another user's codes never match
    expect((await (await t.request('GET', '/api/v1/qrcodes?search=poster', { headers: (await t.user('pro')).auth })).json()).total).toBe(0);
  });

  test('scans count with source qr until the QR code is deleted; then the printed code still redirects, counted as the link', async () => {
    const u = await t.user('pro');
    const link = await linkFor(u, 'hnqr9');
    const qr = await (await t.request('POST', '/api/v1/qrcodes', { headers: u.auth, body: { name: 'Flyer', type: 'url', content: link.short_url, error_correction: 'M', link_id: link.id } })).json();
    const scan = () => t.request('GET', '/hnqr9?qr=1', { headers: { 'user-agent': 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148 Safari/604.1' } });
    const sources = async () => {
      await t.flush();
      return (await (await t.request('GET', `/api/v1/links/${link.id}/analytics`, { headers: u.auth })).json()).breakdown.sources;
    };
    expect((await scan()).status).toBe(302);
    expect(await sources()).toEqual([{ source: 'qr', count: 1 }]);

    expect((await t.request('DELETE', `/api/v1/qrcodes/${qr.id}`, { headers: u.auth })).status).toBe(200);
    const after = await scan();
    expect([after.status, after.headers.get('location')]).toEqual([302, 'https://news.ycombinator.com']);
    expect(await sources()).toEqual(expect.arrayContaining([{ source: 'qr', count: 1 }, { source: 'link', count: 1 }]));
  });

  test("a deleted link's QR codes go with its code when the owner takes it back: scans count as scans of the new link", async () => {
    const u = await t.user('pro');
    const old = await linkFor(u, 'hnqr10');
    const qr = await (await t.request('POST', '/api/v1/qrcodes', { headers: u.auth, body: { name: 'Poster', type: 'url', content: old.short_url, error_correction: 'M', link_id: old.id } })).json();
    expect((await t.request('DELETE', `/api/v1/links/${old.id}`, { headers: u.auth })).status).toBe(200);
    const again = await (await t.request('POST', '/api/v1/links', { headers: u.auth, body: { original_url: 'https://lobste.rs', alias: 'hnqr10' } })).json();
    expect(again.id).not.toBe(old.id);
    expect((await (await t.request('GET', `/api/v1/qrcodes/${qr.id}`, { headers: u.auth })).json()).link_id).toBe(again.id);

    const scan = await t.request('GET', '/hnqr10?qr=1', { headers: { 'user-agent': 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148 Safari/604.1' } });
    expect([scan.status, scan.headers.get('location')]).toEqual([302, 'https://lobste.rs']);
    await t.flush();
    const analytics = await (await t.request('GET', `/api/v1/links/${again.id}/analytics`, { headers: u.auth })).json();
    expect(analytics.breakdown.sources).toEqual([{ source: 'qr', count: 1 }]);
  });

  test('a link renamed to its owner\'s deleted code takes that code\'s QR codes too', async () => {
    const u = await t.user('pro');
    const old = await linkFor(u, 'hnqr11');
    const qr = await (await t.request('POST', '/api/v1/qrcodes', { headers: u.auth, body: { name: 'Sticker', type: 'url', content: old.short_url, error_correction: 'M', link_id: old.id } })).json();
    await t.request('DELETE', `/api/v1/links/${old.id}`, { headers: u.auth });
    const other = await linkFor(u, 'hnqr12');
    // Minilnk's PUT does not change an alias; the dashboard's edit form and other dialects do, through this
    const actor = await t.services.users.actorFor(u.user);
    const current = await t.services.links.get(actor, other.id);
    expect((await t.services.links.update(actor, current, { code: 'hnqr11' })).code).toBe('hnqr11');
    expect((await (await t.request('GET', `/api/v1/qrcodes/${qr.id}`, { headers: u.auth })).json()).link_id).toBe(other.id);
  });

  test('download URLs answer to the API key with SVG and PNG images', async () => {
    const u = await t.user('pro');
    const qr = await (await t.request('POST', '/api/v1/qrcodes', { headers: u.auth, body: { name: 'dl', type: 'text', content: 'hello', error_correction: 'Q', size: 200 } })).json();
    const svg = await t.request('GET', new URL(qr.download_svg_url).pathname, { headers: u.auth });
    expect(svg.status).toBe(200);
    expect(svg.headers.get('content-type')).toBe('image/svg+xml');
    expect(await svg.text()).toStartWith('<svg');
    const png = await t.request('GET', `${new URL(qr.download_png_url).pathname}?api_key=${encodeURIComponent(u.key)}`);
    expect(png.status).toBe(200);
    expect(png.headers.get('content-type')).toBe('image/png');
    const bytes = new Uint8Array(await png.arrayBuffer());
    expect([...bytes.slice(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47]);
    // PNG width is at bytes 16..19
    expect(new DataView(bytes.buffer).getUint32(16)).toBe(200);
    expect((await t.request('GET', `/dashboard/qrcodes/${qr.id}/download/gif`, { headers: u.auth })).status).toBe(404);
  });

  test('custom colours on a plan with QR colours', async () => {
    const u = await t.user('pro');
    const res = await t.request('POST', '/api/v1/qrcodes', { headers: u.auth, body: { name: 'c', type: 'url', content: 'https://a.example', error_correction: 'M', foreground_color: '#ff0000', background_color: '#00ff00', margin: 0, size: 1000 } });
    expect(res.status).toBe(201);
    const qr = await res.json();
    expect(qr).toMatchObject({ foreground_color: '#FF0000', background_color: '#00FF00', margin: 0, size: 1000 });
    expect(qr.preview_svg.toLowerCase()).toContain('#ff0000');
  });
});

describe('errors', () => {
  test('required fields and ranges answer 422 with Laravel messages', async () => {
    const u = await t.user('pro');
    const res = await t.request('POST', '/api/v1/qrcodes', { headers: u.auth, body: { margin: 11, size: 99, foreground_color: 'red', type: 'fax' } });
    expect(res.status).toBe(422);
    const { errors } = await res.json();
    expect(errors).toEqual({
      name: ['The name field is required.'],
      type: ['The selected type is invalid.'],
      content: ['The content field is required.'],
      foreground_color: ['The foreground color field format is invalid.'],
      margin: ['The margin field must be between 0 and 10.'],
      size: ['The size field must be between 100 and 1000.'],
      error_correction: ['The error correction field is required.'],
    });
  });

  test('a QR code of a paused or expired link stays dynamic: its image still encodes the short URL', async () => {
    const u = await t.user('pro');
    const link = await linkFor(u, 'pausedqr');
    const body = { name: 'Sticker', type: 'url', content: 'https://example.org/', error_correction: 'M' };
    const dynamic = await (await t.request('POST', '/api/v1/qrcodes', { headers: u.auth, body: { ...body, link_id: link.id } })).json();
    const fixed = await (await t.request('POST', '/api/v1/qrcodes', { headers: u.auth, body })).json();
    expect(dynamic.preview_svg).not.toBe(fixed.preview_svg);
    const actor = await t.services.users.actorFor(u.user);
    await t.services.links.update(actor, await t.services.links.get(actor, link.id), { isActive: false });
    const paused = await (await t.request('GET', `/api/v1/qrcodes/${dynamic.id}`, { headers: u.auth })).json();
    expect(paused).toMatchObject({ is_dynamic: true, preview_svg: dynamic.preview_svg });
    // once the link is deleted the image falls back to the content, and says so
    await t.services.links.remove(actor, link.id);
    const orphan = await (await t.request('GET', `/api/v1/qrcodes/${dynamic.id}`, { headers: u.auth })).json();
    expect(orphan).toMatchObject({ is_dynamic: false, preview_svg: fixed.preview_svg });
    const listed = await (await t.request('GET', '/api/v1/qrcodes', { headers: u.auth })).json();
    expect(listed.data.find((q: { id: number }) => q.id === dynamic.id).is_dynamic).toBe(false);
  });

  test('content over 1000 characters and an unknown link_id are 422', async () => {
    const u = await t.user('pro');
    const long = await t.request('POST', '/api/v1/qrcodes', { headers: u.auth, body: { name: 'n', type: 'text', content: 'x'.repeat(1001), error_correction: 'L' } });
    expect((await long.json()).errors.content).toEqual(['The content field must not be greater than 1000 characters.']);
    const other = await t.user('pro');
    const foreign = await linkFor(other, 'foreignqr');
    const res = await t.request('POST', '/api/v1/qrcodes', { headers: u.auth, body: { name: 'n', type: 'url', content: 'https://a.example', error_correction: 'L', link_id: foreign.id } });
    expect(res.status).toBe(422);
    expect((await res.json()).errors.link_id).toEqual(['The selected link id is invalid.']);
    // no link has id 0 or below: Laravel's exists rule says the same as for a link that is not yours
    for (const link_id of [0, -3]) {
      const none = await t.request('POST', '/api/v1/qrcodes', { headers: u.auth, body: { name: 'n', type: 'url', content: 'https://a.example', error_correction: 'L', link_id } });
      expect(none.status).toBe(422);
      expect((await none.json()).errors).toEqual({ link_id: ['The selected link id is invalid.'] });
    }
  });

  test('one 422 names every field at fault, the link and the capacity checks included (Laravel validates all rules at once)', async () => {
    const u = await t.user('pro');
    const foreign = await linkFor(await t.user('pro'), 'allatonce');
    const res = await t.request('POST', '/api/v1/qrcodes', {
      headers: u.auth,
      body: { name: 'n', type: 'text', content: 'я'.repeat(700), error_correction: 'H', size: 5000, link_id: foreign.id },
    });
    expect(res.status).toBe(422);
    const body = await res.json();
    expect(body.errors).toEqual({
      content: ['The content field is too long for a QR code at error correction H: shorten it or choose a lower error correction.'],
      size: ['The size field must be between 100 and 1000.'],
      link_id: ['The selected link id is invalid.'],
    });
    expect(body.message).toBe('The content field is too long for a QR code at error correction H: shorten it or choose a lower error correction. (and 2 more errors)');
    expect((await (await t.request('GET', '/api/v1/qrcodes', { headers: u.auth })).json()).total).toBe(0);
  });

  test('content within 1000 characters that no QR code holds at the chosen level is 422 and stores nothing', async () => {
    const u = await t.user('pro');
    const post = (content: string, error_correction: string) =>
      t.request('POST', '/api/v1/qrcodes', { headers: u.auth, body: { name: 'big', type: 'text', content, error_correction } });
    for (const [content, level] of [['я'.repeat(700), 'H'], ['漢'.repeat(430), 'H'], ['漢'.repeat(1000), 'L']] as const) {
      const res = await post(content, level);
      expect(res.status).toBe(422);
      const hint = level === 'L' ? 'shorten it' : 'shorten it or choose a lower error correction';
      expect((await res.json()).errors).toEqual({ content: [`The content field is too long for a QR code at error correction ${level}: ${hint}.`] });
    }
    expect((await (await t.request('GET', '/api/v1/qrcodes', { headers: u.auth })).json()).total).toBe(0);
    // the same text fits at a lower level
    const ok = await post('я'.repeat(700), 'L');
    expect(ok.status).toBe(201);
    expect((await ok.json()).preview_svg).toStartWith('<svg');
  });

  test('property: any content within the limits is either stored with a drawable image or refused on content, never a 5xx', async () => {
    const u = await t.user('pro');
    const unit = fc.constantFrom('a', '1', 'я', '漢', '😀', ' ', '\u0000');
    let stored = 0;
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(
        // a short mix of units repeated to 1–1000 characters (fast-check alone keeps arrays short)
        fc.tuple(fc.array(unit, { minLength: 1, maxLength: 6 }), fc.integer({ min: 1, max: 1000 })).map(([mix, n]) => [...`x${mix.join('').repeat(n)}`].slice(0, 1000).join('')), // whole characters: half an emoji is refused as a body
        fc.constantFrom('url', 'text', 'email', 'sms', 'phone'),
        fc.constantFrom('L', 'M', 'Q', 'H'),
        async (content, type, level) => {
          const res = await t.request('POST', '/api/v1/qrcodes', { headers: u.auth, body: { name: 'p', type, content, error_correction: level } });
          const body = await res.json();
          if (res.status === 201) {
            stored++;
            expect(body.preview_svg).toStartWith('<svg');
            const png = await t.request('GET', `/dashboard/qrcodes/${body.id}/download/png`, { headers: u.auth });
            expect(png.status).toBe(200);
          } else {
            refused++;
            expect(res.status).toBe(422);
            expect(Object.keys(body.errors)).toEqual(['content']);
          }
        },
      ),
      { numRuns: 60 },
    );
    expect(stored).toBeGreaterThan(0);
    expect(refused).toBeGreaterThan(0);
  });

  test('name and content limits count characters, not UTF-16 units', async () => {
    const u = await t.user('pro');
    const res = await t.request('POST', '/api/v1/qrcodes', { headers: u.auth, body: { name: '😀'.repeat(255), type: 'text', content: '😀'.repeat(600), error_correction: 'L' } });
    expect(res.status).toBe(201);
    const qr = await res.json();
    expect(qr.name).toBe('😀'.repeat(255));
    const found = await (await t.request('GET', `/api/v1/qrcodes?search=${encodeURIComponent('😀'.repeat(255))}`, { headers: u.auth })).json();
    expect(found.data.map((q: { id: number }) => q.id)).toEqual([qr.id]);
    const tooLong = await t.request('POST', '/api/v1/qrcodes', { headers: u.auth, body: { name: '😀'.repeat(256), type: 'text', content: '😀'.repeat(1001), error_correction: 'L' } });
    expect((await tooLong.json()).errors).toEqual({
      name: ['The name field must not be greater than 255 characters.'],
      content: ['The content field must not be greater than 1000 characters.'],
    });
  });

  test('a saved code no level can draw (written before capacity was checked) never breaks a read', async () => {
    const u = await t.user('pro');
    const good = await (await t.request('POST', '/api/v1/qrcodes', { headers: u.auth, body: { name: 'good', type: 'text', content: 'fine', error_correction: 'H' } })).json();
    const old = await (await t.request('POST', '/api/v1/qrcodes', { headers: u.auth, body: { name: 'old', type: 'text', content: 'x', error_correction: 'H' } })).json();
    const tight = await (await t.request('POST', '/api/v1/qrcodes', { headers: u.auth, body: { name: 'tight', type: 'text', content: 'y', error_correction: 'H' } })).json();
    t.sqlite.query('UPDATE qr_codes SET content = ? WHERE id = ?').run('漢'.repeat(1000), old.id);
    t.sqlite.query('UPDATE qr_codes SET content = ? WHERE id = ?').run('я'.repeat(700), tight.id);

    const list = await t.request('GET', '/api/v1/qrcodes', { headers: u.auth });
    expect(list.status).toBe(200);
    const byName = Object.fromEntries((await list.json()).data.map((q: { name: string; preview_svg: string | null }) => [q.name, q.preview_svg]));
    expect(byName.old).toBeNull();
    expect(byName.good).toStartWith('<svg');
    // too big for its saved level H but not for L: drawn at the strongest level that holds it
    expect(byName.tight).toStartWith('<svg');
    expect((await (await t.request('GET', `/dashboard/qrcodes/${tight.id}/download/png`, { headers: u.auth })).status)).toBe(200);

    expect((await (await t.request('GET', `/api/v1/qrcodes/${old.id}`, { headers: u.auth })).json()).preview_svg).toBeNull();
    for (const format of ['svg', 'png']) {
      const res = await t.request('GET', `/dashboard/qrcodes/${old.id}/download/${format}`, { headers: u.auth });
      expect(res.status).toBe(422);
      expect((await res.json()).errors.content).toEqual(['The content of this QR code is too long to draw; edit it to shorten it.']);
    }
    expect((await t.request('DELETE', `/api/v1/qrcodes/${old.id}`, { headers: u.auth })).status).toBe(200);
    expect(good.id).toBeGreaterThan(0);
  });

  test('colour customisation without the plan feature is 403', async () => {
    const u = await t.user('pro');
    await t.services.plans.update('pro', { qrColors: false });
    try {
      const res = await t.request('POST', '/api/v1/qrcodes', { headers: u.auth, body: { name: 'c', type: 'url', content: 'https://a.example', error_correction: 'M', foreground_color: '#123456' } });
      expect(res.status).toBe(403);
      // default colours stay allowed
      const ok = await t.request('POST', '/api/v1/qrcodes', { headers: u.auth, body: { name: 'c', type: 'url', content: 'https://a.example', error_correction: 'M', foreground_color: '#000000' } });
      expect(ok.status).toBe(201);
    } finally {
      await t.services.plans.update('pro', { qrColors: true });
    }
  });

  test('a background colour alone is a colour too: 403 on a plan without QR colours, nothing made', async () => {
    // the free plan with API access, QR colours still off
    await t.services.plans.update('free', { apiAccess: true });
    try {
      const u = await t.user('free');
      const body = { name: 'bg', type: 'url', content: 'https://a.example', error_correction: 'M' };
      const res = await t.request('POST', '/api/v1/qrcodes', { headers: u.auth, body: { ...body, background_color: '#FF0000' } });
      expect([res.status, await res.json()]).toEqual([403, { message: 'Custom QR colours require a Pro or Enterprise plan.' }]);
      expect((t.sqlite.query('SELECT COUNT(*) AS n FROM qr_codes WHERE user_id = ?').get(u.user.id) as { n: number }).n).toBe(0);
      // the default background stays allowed, in any case
      const ok = await t.request('POST', '/api/v1/qrcodes', { headers: u.auth, body: { ...body, background_color: '#ffffff' } });
      expect(ok.status).toBe(201);
    } finally {
      await t.services.plans.update('free', { apiAccess: false });
    }
  });

  test("another user's QR code is 404 everywhere, downloads included", async () => {
    const a = await t.user('pro');
    const b = await t.user('pro');
    const qr = await (await t.request('POST', '/api/v1/qrcodes', { headers: a.auth, body: { name: 'mine', type: 'text', content: 'x', error_correction: 'L' } })).json();
    expect((await t.request('GET', `/api/v1/qrcodes/${qr.id}`, { headers: b.auth })).status).toBe(404);
    expect((await t.request('DELETE', `/api/v1/qrcodes/${qr.id}`, { headers: b.auth })).status).toBe(404);
    expect((await t.request('GET', `/dashboard/qrcodes/${qr.id}/download/png`, { headers: b.auth })).status).toBe(404);
    expect((await t.request('GET', `/api/v1/qrcodes/${qr.id}`, { headers: a.auth })).status).toBe(200);
  });
});
