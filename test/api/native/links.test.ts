/**
 * Minilnk links API, from seeds/minilnk-api.txt: every documented request
 * sent as written (base URL replaced) and its response shape pinned.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { BASE, makeTestApp, type TestApp } from '../../helpers/make-test-app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await makeTestApp();
});
afterAll(() => t.close());

const LINK_KEYS = [
  'alias', 'created_at', 'description', 'domain_id', 'expires_at', 'id', 'is_active', 'original_url', 'password_protected',
  'short_code', 'short_url', 'title', 'total_clicks', 'unique_clicks', 'updated_at', 'user_id',
].sort();
const LARAVEL_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

describe('happy path (documented examples)', () => {
  test('POST /links with alias and title answers 201 with the documented object', async () => {
    const u = await t.user('pro');
    const res = await t.request('POST', '/api/v1/links', {
      headers: u.auth,
      body: { original_url: 'https://news.ycombinator.com', alias: 'hnnews', title: 'Hacker News' },
    });
    expect(res.status).toBe(201);
    const body = await res.json();
    expect(Object.keys(body).sort()).toEqual(LINK_KEYS);
    expect(body).toMatchObject({
      user_id: u.user.id,
      domain_id: null,
      original_url: 'https://news.ycombinator.com',
      short_code: 'hnnews',
      alias: 'hnnews',
      title: 'Hacker News',
      description: null,
      total_clicks: 0,
      unique_clicks: 0,
      is_active: true,
      short_url: `${BASE}/hnnews`,
    });
    expect(body.id).toBeInteger();
    expect(body.created_at).toMatch(LARAVEL_DATE);
  });

  test('a generated code is 7 alphanumeric characters and alias is null', async () => {
    const u = await t.user('pro');
    const body = await (await t.request('POST', '/api/v1/links', { headers: u.auth, body: { original_url: 'https://example.com/a', title: 'A' } })).json();
    expect(body.short_code).toMatch(/^[A-Za-z0-9]{7}$/);
    expect(body.alias).toBeNull();
  });

  test('without a title the title is fetched from the page (falls back to the host name)', async () => {
    const withMeta = await makeTestApp({ fetchMeta: async () => ({ title: 'Fetched <Title>', description: null, image: null }) });
    try {
      const u = await withMeta.user('pro');
      const body = await (await withMeta.request('POST', '/api/v1/links', { headers: u.auth, body: { original_url: 'https://example.org/page' } })).json();
      expect(body.title).toBe('Fetched <Title>');
    } finally {
      await withMeta.close();
    }
    const u = await t.user('pro');
    const body = await (await t.request('POST', '/api/v1/links', { headers: u.auth, body: { original_url: 'https://example.net/x' } })).json();
    expect(body.title).toBe('example.net');
  });

  test('GET /links/{id} returns the link; PUT updates it; DELETE soft-deletes it', async () => {
    const u = await t.user('pro');
    const created = await (await t.request('POST', '/api/v1/links', { headers: u.auth, body: { original_url: 'https://news.ycombinator.com', alias: 'hnfeed', title: 'Hacker News' } })).json();

    const got = await t.request('GET', `/api/v1/links/${created.id}`, { headers: u.auth });
    expect(got.status).toBe(200);
    expect(await got.json()).toEqual(created);

    const put = await t.request('PUT', `/api/v1/links/${created.id}`, {
      headers: u.auth,
      body: { original_url: 'https://news.ycombinator.com/news', title: 'Hacker News Feed' },
    });
    expect(put.status).toBe(200);
    const updated = await put.json();
    expect(updated).toMatchObject({ id: created.id, short_code: 'hnfeed', original_url: 'https://news.ycombinator.com/news', title: 'Hacker News Feed' });
    expect(Object.keys(updated).sort()).toEqual(LINK_KEYS);
    // left out, the title stays; sent as "", blank or null (null to Laravel), it is cleared
    const same = await (await t.request('PUT', `/api/v1/links/${created.id}`, { headers: u.auth, body: { original_url: 'https://news.ycombinator.com/news' } })).json();
    expect(same.title).toBe('Hacker News Feed');
    for (const title of ['', '   ', null]) {
      await t.request('PUT', `/api/v1/links/${created.id}`, { headers: u.auth, body: { original_url: 'https://news.ycombinator.com/news', title: 'again' } });
      const cleared = await (await t.request('PUT', `/api/v1/links/${created.id}`, { headers: u.auth, body: { original_url: 'https://news.ycombinator.com/news', title } })).json();
      expect(cleared.title).toBeNull();
    }

    const redirect = await t.request('GET', '/hnfeed');
    expect(redirect.headers.get('location')).toBe('https://news.ycombinator.com/news');

    const del = await t.request('DELETE', `/api/v1/links/${created.id}`, { headers: u.auth });
    expect(del.status).toBe(200);
    expect(await del.json()).toEqual({ message: 'Link deleted successfully.' });
    expect((await t.request('GET', `/api/v1/links/${created.id}`, { headers: u.auth })).status).toBe(404);
    expect((await t.request('GET', '/hnfeed')).status).toBe(404);
    // the code stays taken after a soft delete, for anyone but its owner
    const other = await t.user('pro');
    const hijack = await t.request('POST', '/api/v1/links', { headers: other.auth, body: { original_url: 'https://evil.example', alias: 'hnfeed' } });
    expect(hijack.status).toBe(422);
    expect((await t.request('GET', '/hnfeed')).status).toBe(404);
    // a rename onto it is refused the same way (Minilnk's PUT has no alias; the core's update does)
    const otherActor = await t.services.users.actorFor(other.user);
    const theirs = (await t.services.links.create(otherActor, { destination: 'https://evil.example/2', title: 'x' })).link;
    await expect(t.services.links.update(otherActor, theirs, { code: 'hnfeed' })).rejects.toMatchObject({ code: 'CODE_TAKEN' });
    const again = await t.request('POST', '/api/v1/links', { headers: u.auth, body: { original_url: 'https://news.ycombinator.com/best', alias: 'hnfeed' } });
    expect(again.status).toBe(201);
    expect((await again.json()).id).not.toBe(created.id);
    expect((await t.request('GET', '/hnfeed')).headers.get('location')).toBe('https://news.ycombinator.com/best');
  });

  test('expires_at takes the dates Laravel\'s date rule reads: an HTTP date, slashes, a named month', async () => {
    const u = await t.user('pro');
    const sent = ['Thu, 15 Jan 2099 10:00:00 GMT', '01/15/2099 10:00', '15 January 2099 10:00', '2099/01/15 12:00 +02:00'];
    for (const expires_at of sent) {
      const res = await t.request('POST', '/api/v1/links', { headers: u.auth, body: { original_url: 'https://example.com/dated', expires_at } });
      expect([expires_at, res.status, (await res.json()).expires_at]).toEqual([expires_at, 201, '2099-01-15T10:00:00.000000Z']);
    }
  });

  test('PATCH updates as PUT does, original_url required as in PUT (Laravel routes both to the update)', async () => {
    const u = await t.user('pro');
    const created = await (await t.request('POST', '/api/v1/links', { headers: u.auth, body: { original_url: 'https://example.com/before-patch' } })).json();
    const res = await t.request('PATCH', `/api/v1/links/${created.id}`, { headers: u.auth, body: { original_url: 'https://example.com/after-patch', title: 'Patched' } });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id: created.id, original_url: 'https://example.com/after-patch', title: 'Patched' });
    const missing = await t.request('PATCH', `/api/v1/links/${created.id}`, { headers: u.auth, body: { title: 'No URL' } });
    expect(missing.status).toBe(422);
    expect((await missing.json()).errors.original_url).toBeDefined();
  });

  test('PUT with password, then remove_password; expires_at, then remove_expiration', async () => {
    const u = await t.user('pro');
    const created = await (await t.request('POST', '/api/v1/links', { headers: u.auth, body: { original_url: 'https://example.com/p', title: 'P' } })).json();
    const future = new Date(Date.now() + 86_400_000).toISOString();
    let res = await t.request('PUT', `/api/v1/links/${created.id}`, { headers: u.auth, body: { original_url: 'https://example.com/p', password: 's3cret', expires_at: future } });
    let body = await res.json();
    expect(body.password_protected).toBe(true);
    expect(body.expires_at).toMatch(LARAVEL_DATE);
    expect((await t.request('GET', `/${created.short_code}`)).status).toBe(200); // password form, not a redirect
    // only password itself keeps its spaces (TrimStrings' exceptions): " 1 " is 1 here as anywhere
    res = await t.request('PUT', `/api/v1/links/${created.id}`, { headers: u.auth, body: { original_url: 'https://example.com/p', remove_password: ' 1 ', remove_expiration: ' 1 ' } });
    body = await res.json();
    expect(body.password_protected).toBe(false);
    expect(body.expires_at).toBeNull();
    expect((await t.request('GET', `/${created.short_code}`)).status).toBe(302);
  });

  test('GET /links paginates 15 per page, newest first, with the Laravel paginator body', async () => {
    const u = await t.user('pro');
    for (let i = 0; i < 17; i++) {
      await t.request('POST', '/api/v1/links', { headers: u.auth, body: { original_url: `https://example.com/${i}`, title: `Item ${i}` } });
    }
    const page1 = await (await t.request('GET', '/api/v1/links', { headers: u.auth })).json();
    expect(page1).toMatchObject({ current_page: 1, from: 1, to: 15, per_page: 15, last_page: 2, total: 17 });
    expect(page1.first_page_url).toBe(`${BASE}/api/v1/links?page=1`);
    expect(page1.next_page_url).toBe(`${BASE}/api/v1/links?page=2`);
    expect(page1.data).toHaveLength(15);
    expect(page1.data[0].title).toBe('Item 16');
    const page2 = await (await t.request('GET', '/api/v1/links?page=2', { headers: u.auth })).json();
    expect(page2).toMatchObject({ current_page: 2, from: 16, to: 17, prev_page_url: `${BASE}/api/v1/links?page=1`, next_page_url: null });
    expect(page2.data.map((l: { title: string }) => l.title)).toEqual(['Item 1', 'Item 0']);
    const junkPage = await (await t.request('GET', '/api/v1/links?page=abc', { headers: u.auth })).json();
    expect(junkPage.current_page).toBe(1);
    const empty = await (await t.request('GET', '/api/v1/links?page=9', { headers: u.auth })).json();
    expect(empty).toMatchObject({ current_page: 9, data: [], from: null, to: null, total: 17 });
  });

  test('a long list gets Laravel\'s page window: the current page is always there and active, gaps are "..."', async () => {
    const u = await t.user('pro');
    const insert = t.services.db.sqlite.prepare("INSERT INTO links (code, is_alias, destination, user_id, source, created_at, updated_at) VALUES (?, 0, 'https://example.com/many', ?, 'api', ?, ?)");
    t.services.db.sqlite.transaction(() => {
      for (let i = 0; i < 800; i++) insert.run(`many${u.user.id}x${i}`, u.user.id, i, i);
    })();
    const labels = async (page: number) => {
      const body = await (await t.request('GET', `/api/v1/links?page=${page}`, { headers: u.auth })).json();
      expect(body.last_page).toBe(54);
      const links = body.links as { url: string | null; label: string; active: boolean }[];
      expect(links.filter((l) => l.active).map((l) => l.label)).toEqual([String(page)]);
      for (const l of links) if (/^\d+$/.test(l.label)) expect(l.url).toBe(`${BASE}/api/v1/links?page=${l.label}`);
      return links.map((l) => l.label);
    };
    const [prev, next] = ['&laquo; Previous', 'Next &raquo;'];
    expect(await labels(1)).toEqual([prev, ...Array.from({ length: 10 }, (_, i) => String(i + 1)), '...', '53', '54', next]);
    expect(await labels(20)).toEqual([prev, '1', '2', '...', '17', '18', '19', '20', '21', '22', '23', '...', '53', '54', next]);
    expect(await labels(54)).toEqual([prev, '1', '2', '...', ...Array.from({ length: 10 }, (_, i) => String(45 + i)), next]);
  });

  test('GET /links?search matches title, original url and short code (documented example)', async () => {
    const u = await t.user('pro');
    await t.request('POST', '/api/v1/links', { headers: u.auth, body: { original_url: 'https://github.com/google', alias: 'goglhb', title: 'Google GitHub Profile' } });
    await t.request('POST', '/api/v1/links', { headers: u.auth, body: { original_url: 'https://example.com/z', title: 'Something on GitHub' } });
    await t.request('POST', '/api/v1/links', { headers: u.auth, body: { original_url: 'https://example.com/y', alias: 'githubby', title: 'code match' } });
    await t.request('POST', '/api/v1/links', { headers: u.auth, body: { original_url: 'https://example.com/q', title: 'unrelated' } });
    const res = await t.request('GET', '/api/v1/links?search=github', { headers: { ...u.auth, accept: 'application/json' } });
    const body = await res.json();
    expect(body.total).toBe(3);
    expect(body.data.map((l: { short_code: string }) => l.short_code)).toContain('goglhb');
    expect(body.first_page_url).toBe(`${BASE}/api/v1/links?page=1`); // as in the document's example
    const wild = await (await t.request('GET', '/api/v1/links?search=%25', { headers: u.auth })).json();
    expect(wild.total).toBe(0); // % is a literal, not a wildcard
  });

  test('search ignores case beyond ASCII (über finds Über) and takes *, ?, [, _ literally', async () => {
    const u = await t.user('pro');
    const titles = ['Éclair Über Müller', 'Straße [beta] *new*', 'a_b?c', 'plain', 'ΟΔΟΣΤΡΩΜΑ ΑΘΗΝΑ'];
    for (const title of titles) await t.request('POST', '/api/v1/links', { headers: u.auth, body: { original_url: 'https://example.com/s', title } });
    const search = async (q: string) =>
      ((await (await t.request('GET', `/api/v1/links?search=${encodeURIComponent(q)}`, { headers: u.auth })).json()).data as { title: string }[]).map((l) => l.title);
    for (const q of ['über', 'ÜBER', 'éclair', 'MÜLLER', 'müller']) expect([q, await search(q)]).toEqual([q, ['Éclair Über Müller']]);
    // a term ending in Σ lowers to final ς, the title's inner Σ to σ: the same letter
    for (const q of ['ΟΔΟΣ', 'οδος', 'Οδοσ', 'ΟΔΟΣΤ']) expect([q, await search(q)]).toEqual([q, ['ΟΔΟΣΤΡΩΜΑ ΑΘΗΝΑ']]);
    for (const q of ['STRASSE'.slice(0, 4), 'straße', '[BETA]', '*new*', 'a_b?c']) expect((await search(q)).length).toBe(1);
    for (const q of ['*', '?', '[', 'a?b', 'a*c', 'a%b']) expect([q, await search(q)]).toEqual([q, q === '*' ? ['Straße [beta] *new*'] : q === '?' ? ['a_b?c'] : q === '[' ? ['Straße [beta] *new*'] : []]);
  });
});

describe('validation errors (422 Laravel body, 400 bad payload)', () => {
  const cases: [string, Record<string, unknown>, string, string][] = [
    ['missing original_url', {}, 'original_url', 'The original url field is required.'],
    ['not a URL', { original_url: 'not a url' }, 'original_url', 'The original url field must be a valid URL.'],
    ['ftp scheme', { original_url: 'ftp://example.com/file' }, 'original_url', 'The original url field must be a URL starting with http:// or https://.'],
    ['too long', { original_url: `https://example.com/${'a'.repeat(2040)}` }, 'original_url', 'The original url field must not be greater than 2048 characters.'],
    ['loopback', { original_url: 'http://127.0.0.1/admin' }, 'original_url', 'The original url field points to a private or loopback address, which is not allowed.'],
    ['loopback in decimal', { original_url: 'http://2130706433/' }, 'original_url', 'The original url field points to a private or loopback address, which is not allowed.'],
    ['localhost', { original_url: 'http://localhost:8080/' }, 'original_url', 'The original url field points to a private or loopback address, which is not allowed.'],
    ['IPv6 loopback', { original_url: 'http://[::1]/' }, 'original_url', 'The original url field points to a private or loopback address, which is not allowed.'],
    ['original_url wrong type', { original_url: 42 }, 'original_url', 'The original url field must be a string.'],
    ['alias too short', { original_url: 'https://a.example', alias: 'ab' }, 'alias', 'The alias field must be at least 3 characters.'],
    ['alias too long', { original_url: 'https://a.example', alias: 'a'.repeat(21) }, 'alias', 'The alias field must not be greater than 20 characters.'],
    ['alias not alpha_num', { original_url: 'https://a.example', alias: 'my-link' }, 'alias', 'The alias field must only contain letters and numbers.'],
    ['title too long', { original_url: 'https://a.example', title: 'x'.repeat(256) }, 'title', 'The title field must not be greater than 255 characters.'],
    ['expires_at not a date', { original_url: 'https://a.example', expires_at: 'tomorrow' }, 'expires_at', 'The expires at field must be a valid date.'],
    ['expires_at in the past', { original_url: 'https://a.example', expires_at: '2020-01-01 00:00:00' }, 'expires_at', 'The expires at field must be a date after now.'],
  ];
  for (const [name, body, field, message] of cases) {
    test(`POST /links: ${name}`, async () => {
      const u = await t.user('pro');
      const res = await t.request('POST', '/api/v1/links', { headers: u.auth, body });
      expect(res.status).toBe(422);
      const json = await res.json();
      expect(json.errors[field]).toEqual([message]);
      expect(json.message).toStartWith(message);
    });
  }

  test('several errors at once are all reported, with Laravel’s summary message', async () => {
    const u = await t.user('pro');
    const res = await t.request('POST', '/api/v1/links', { headers: u.auth, body: { alias: 'a', title: 5 } });
    const json = await res.json();
    expect(Object.keys(json.errors).sort()).toEqual(['alias', 'original_url', 'title']);
    expect(json.message).toBe('The original url field is required. (and 2 more errors)');
  });

  test('"after now" is judged on the core\'s clock (pinned here), on create and on update', async () => {
    const year = 365 * 86_400_000;
    const behind = await makeTestApp({ now: () => Date.now() - year });
    try {
      const u = await behind.user('pro');
      // half a year ago is still ahead of a clock a year behind
      const expires_at = new Date(Date.now() - year / 2).toISOString();
      const created = await behind.request('POST', '/api/v1/links', { headers: u.auth, body: { original_url: 'https://a.example', expires_at } });
      expect(created.status).toBe(201);
      const { id } = await created.json();
      const updated = await behind.request('PUT', `/api/v1/links/${id}`, { headers: u.auth, body: { original_url: 'https://b.example', expires_at } });
      expect(updated.status).toBe(200);
    } finally {
      await behind.close();
    }
  });

  test('alias already taken, and reserved words, are 422 on alias', async () => {
    const u = await t.user('pro');
    await t.request('POST', '/api/v1/links', { headers: u.auth, body: { original_url: 'https://a.example', alias: 'takenone' } });
    for (const alias of ['takenone', 'dashboard', 'API', 'healthz']) {
      const res = await t.request('POST', '/api/v1/links', { headers: u.auth, body: { original_url: 'https://b.example', alias } });
      expect(res.status).toBe(422);
      expect((await res.json()).errors.alias).toEqual(['The alias has already been taken.']);
    }
  });

  test('malformed JSON and non-object bodies are 400', async () => {
    const u = await t.user('pro');
    for (const raw of ['{"original_url":', '[1,2]', '"x"', 'null']) {
      const res = await t.request('POST', '/api/v1/links', { headers: { ...u.auth, 'content-type': 'application/json' }, raw });
      expect(res.status).toBe(400);
      expect(typeof (await res.json()).message).toBe('string');
    }
  });

  test('PUT requires original_url and validates the booleans', async () => {
    const u = await t.user('pro');
    const created = await (await t.request('POST', '/api/v1/links', { headers: u.auth, body: { original_url: 'https://a.example', title: 'x' } })).json();
    const res = await t.request('PUT', `/api/v1/links/${created.id}`, { headers: u.auth, body: { title: 'no url', remove_password: 'maybe' } });
    expect(res.status).toBe(422);
    const json = await res.json();
    expect(json.errors.original_url).toEqual(['The original url field is required.']);
    expect(json.errors.remove_password).toEqual(['The remove password field must be true or false.']);
  });

  test('an oversized body is refused with 400 and nothing is created', async () => {
    const u = await t.user('pro');
    const res = await t.request('POST', '/api/v1/links', { headers: u.auth, body: { original_url: 'https://a.example', title: 'x'.repeat(2_000_000) } });
    expect(res.status).toBe(400);
    const list = await (await t.request('GET', '/api/v1/links', { headers: u.auth })).json();
    expect(list.total).toBe(0);
  });
});

describe('plan gates (403)', () => {
  test('a plan without custom aliases, passwords or expiry gets 403 for each', async () => {
    await t.services.plans.update('pro', {}); // sanity: plan exists
    const u = await t.user('pro');
    await t.services.plans.update('pro', { customAlias: false, password: false, expiry: false });
    try {
      for (const body of [
        { original_url: 'https://a.example', alias: 'gated1' },
        { original_url: 'https://a.example', password: 'pw' },
        { original_url: 'https://a.example', expires_at: new Date(Date.now() + 3_600_000).toISOString() },
      ]) {
        const res = await t.request('POST', '/api/v1/links', { headers: u.auth, body });
        expect(res.status).toBe(403);
        expect((await res.json()).message).toContain('Pro or Enterprise');
      }
    } finally {
      await t.services.plans.update('pro', { customAlias: true, password: true, expiry: true });
    }
  });

  test('an edit cannot add what the plan lacks: PUT with a password or an expiry on the free plan is 403, the link unchanged', async () => {
    // the free plan with API access, its features still off (a plan an admin may well set up)
    await t.services.plans.update('free', { apiAccess: true });
    try {
      const u = await t.user('free');
      const created = await t.request('POST', '/api/v1/links', { headers: u.auth, body: { original_url: 'https://example.com/plain', title: 'Plain' } });
      expect(created.status).toBe(201);
      const { id, short_code } = await created.json();
      for (const [extra, message] of [
        [{ password: 's3cret' }, 'Password-protected links require a Pro or Enterprise plan.'],
        [{ expires_at: new Date(Date.now() + 86_400_000).toISOString() }, 'Link expiration dates require a Pro or Enterprise plan.'],
      ] as const) {
        const res = await t.request('PUT', `/api/v1/links/${id}`, { headers: u.auth, body: { original_url: 'https://example.com/plain', ...extra } });
        expect([Object.keys(extra)[0], res.status, await res.json()]).toEqual([Object.keys(extra)[0], 403, { message }]);
      }
      expect(t.services.db.sqlite.query('SELECT password_hash, expires_at FROM links WHERE id = ?').get(id)).toEqual({ password_hash: null, expires_at: null });
      expect((await t.request('GET', `/${short_code}`)).status).toBe(302);
    } finally {
      await t.services.plans.update('free', { apiAccess: false });
    }
  });

  test('the link limit of the plan answers 403 and creates nothing more', async () => {
    const u = await t.user('enterprise');
    await t.services.plans.update('enterprise', { maxLinks: 2 });
    try {
      for (let i = 0; i < 2; i++) {
        expect((await t.request('POST', '/api/v1/links', { headers: u.auth, body: { original_url: `https://a.example/${i}`, title: 't' } })).status).toBe(201);
      }
      const res = await t.request('POST', '/api/v1/links', { headers: u.auth, body: { original_url: 'https://a.example/3', title: 't' } });
      expect(res.status).toBe(403);
      expect((await res.json()).message).toContain('link limit');
    } finally {
      await t.services.plans.update('enterprise', { maxLinks: null });
    }
  });
});

describe('ownership', () => {
  test("another user's link id answers 404 on every route and is not changed", async () => {
    const owner = await t.user('pro');
    const other = await t.user('pro');
    const created = await (await t.request('POST', '/api/v1/links', { headers: owner.auth, body: { original_url: 'https://owner.example', title: 'mine' } })).json();
    const id = created.id;
    expect((await t.request('GET', `/api/v1/links/${id}`, { headers: other.auth })).status).toBe(404);
    expect((await t.request('PUT', `/api/v1/links/${id}`, { headers: other.auth, body: { original_url: 'https://evil.example' } })).status).toBe(404);
    expect((await t.request('DELETE', `/api/v1/links/${id}`, { headers: other.auth })).status).toBe(404);
    expect((await t.request('GET', `/api/v1/links/${id}/analytics`, { headers: other.auth })).status).toBe(404);
    const list = await (await t.request('GET', '/api/v1/links', { headers: other.auth })).json();
    expect(list.data.find((l: { id: number }) => l.id === id)).toBeUndefined();
    const still = await (await t.request('GET', `/api/v1/links/${id}`, { headers: owner.auth })).json();
    expect(still.original_url).toBe('https://owner.example');
  });

  test('non-numeric and huge ids are 404, not errors', async () => {
    const u = await t.user('pro');
    for (const id of ['abc', '-1', '0', '1.5', '99999999999999999999', '%00']) {
      expect((await t.request('GET', `/api/v1/links/${id}`, { headers: u.auth })).status).toBe(404);
    }
  });
});

describe("this shortener's own short links as destinations (Minilnk: 422 for a \"loopback warning\")", () => {
  test('are refused on create and update, in every dialect; other pages of the site and other hosts are fine', async () => {
    const own = await makeTestApp({ env: { BASE_URL: 'https://sho.rt', ANONYMOUS_LINKS: 'true' } });
    try {
      const u = await own.user('pro');
      const make = (original_url: string) => own.request('POST', '/api/v1/links', { headers: u.auth, body: { original_url } });
      const a = await (await make('https://example.com/')).json();
      for (const url of [a.short_url, `https://SHO.RT/${a.short_code}/`, `https://sho.rt/s/${a.short_code}`, `https://sho.rt/preview/${a.short_code}?x=1`, `https://sho.rt./${a.short_code}`, 'https://sho.rt/never-made']) {
        const res = await make(url);
        expect([url, res.status]).toEqual([url, 422]);
        expect((await res.json()).errors.original_url).toEqual(['The original url field is a short link of this site; use its destination instead.']);
      }
      for (const url of ['https://sho.rt/', 'https://sho.rt/dashboard/links', 'https://sho.rt:8443/abc', 'https://other.sho.rt/abc']) {
        expect([url, (await make(url)).status]).toEqual([url, 201]);
      }
      // an update cannot close a loop either
      const b = await (await make('https://example.com/b')).json();
      const put = await own.request('PUT', `/api/v1/links/${b.id}`, { headers: u.auth, body: { original_url: a.short_url } });
      expect(put.status).toBe(422);
      // ShrtLnk reports a refused destination its own way
      const shrt = await own.request('POST', '/api/links', { body: { original_url: `sho.rt/${a.short_code}` }, headers: { 'x-forwarded-for': '203.0.113.77' } });
      expect([shrt.status, await shrt.json()]).toEqual([422, { success: false, message: 'Invalid URL' }]);
    } finally {
      await own.close();
    }
  });
});
