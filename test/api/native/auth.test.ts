/** Minilnk authentication, plan access and rate limits. */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { makeTestApp, type TestApp } from '../../helpers/make-test-app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await makeTestApp();
});
afterAll(() => t.close());

describe('the three documented ways to send a key', () => {
  test('Authorization: Bearer, X-API-Key and ?api_key all work', async () => {
    const u = await t.user('pro');
    expect((await t.request('GET', '/api/v1/links', { headers: { authorization: `Bearer ${u.key}` } })).status).toBe(200);
    expect((await t.request('GET', '/api/v1/links', { headers: { 'x-api-key': u.key } })).status).toBe(200);
    expect((await t.request('GET', `/api/v1/links?api_key=${encodeURIComponent(u.key)}`)).status).toBe(200);
  });
});

describe('401', () => {
  const routes: [string, string][] = [
    ['GET', '/api/v1/links'],
    ['POST', '/api/v1/links'],
    ['GET', '/api/v1/links/1'],
    ['PUT', '/api/v1/links/1'],
    ['DELETE', '/api/v1/links/1'],
    ['GET', '/api/v1/links/1/analytics'],
    ['GET', '/api/v1/qrcodes'],
    ['POST', '/api/v1/qrcodes'],
    ['GET', '/api/v1/qrcodes/1'],
    ['DELETE', '/api/v1/qrcodes/1'],
    ['GET', '/dashboard/qrcodes/1/download/svg'],
  ];
  for (const [method, path] of routes) {
    test(`${method} ${path} without a key, and with a wrong key`, async () => {
      const none = await t.request(method, path, { body: {} });
      expect(none.status).toBe(401);
      expect(await none.json()).toEqual({ message: 'Unauthenticated.' });
      expect((await t.request(method, path, { headers: { authorization: 'Bearer sr_wrong' }, body: {} })).status).toBe(401);
    });
  }

  test('a revoked key stops working at once', async () => {
    const u = await t.user('pro');
    const [k] = await t.services.keys.list(u.user.id);
    await t.services.keys.revoke(u.user.id, k!.id);
    expect((await t.request('GET', '/api/v1/links', { headers: u.auth })).status).toBe(401);
  });

  test('a deactivated user’s key stops working', async () => {
    const u = await t.user('pro');
    await t.services.users.update(u.user.id, { isActive: false });
    expect((await t.request('GET', '/api/v1/links', { headers: u.auth })).status).toBe(401);
  });

  test('the key is stored hashed, never in clear', async () => {
    const u = await t.user('pro');
    const rows = t.services.db.sqlite.query('SELECT * FROM api_keys').all();
    expect(JSON.stringify(rows)).not.toContain(u.key);
  });
});

describe('403: free plan has no API access ("Premium Required")', () => {
  test('every route answers 403 with a message naming the plan', async () => {
    const u = await t.user('free');
    const res = await t.request('GET', '/api/v1/links', { headers: u.auth });
    expect(res.status).toBe(403);
    expect((await res.json()).message).toContain('free');
    expect((await t.request('POST', '/api/v1/links', { headers: u.auth, body: { original_url: 'https://a.example' } })).status).toBe(403);
  });
});

describe('429: per-key per-minute limits of the plan', () => {
  test('the 61st request of a 60/min plan is 429 with Retry-After, per key', async () => {
    await t.services.plans.update('enterprise', { rateLimitPerMinute: 5 });
    try {
      const a = await t.user('enterprise');
      const b = await t.user('enterprise');
      for (let i = 0; i < 5; i++) expect((await t.request('GET', '/api/v1/links', { headers: a.auth })).status).toBe(200);
      const limited = await t.request('GET', '/api/v1/links', { headers: a.auth });
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(Number(limited.headers.get('retry-after'))).toBeLessThanOrEqual(120);
      expect(await limited.json()).toEqual({ message: 'Too Many Attempts.' });
      // another key has its own window
      expect((await t.request('GET', '/api/v1/links', { headers: b.auth })).status).toBe(200);
    } finally {
      await t.services.plans.update('enterprise', { rateLimitPerMinute: 300 });
    }
  });

  test('every answer to a keyed request reports its budget as Laravel does (X-RateLimit-Limit / -Remaining), a refusal with -Reset; no key, no budget', async () => {
    await t.services.plans.update('enterprise', { rateLimitPerMinute: 3 });
    try {
      const a = await t.user('enterprise');
      const rate = (res: Response) => [res.status, res.headers.get('x-ratelimit-limit'), res.headers.get('x-ratelimit-remaining')];
      expect(rate(await t.request('GET', '/api/v1/links', { headers: a.auth }))).toEqual([200, '3', '2']);
      // an error after authentication still counted the request
      expect(rate(await t.request('GET', '/api/v1/links/999999', { headers: a.auth }))).toEqual([404, '3', '1']);
      expect(rate(await t.request('POST', '/api/v1/links', { headers: a.auth, body: { original_url: 'nope' } }))).toEqual([422, '3', '0']);
      const before = Date.now();
      const limited = await t.request('GET', '/api/v1/links', { headers: a.auth });
      expect(rate(limited)).toEqual([429, '3', '0']);
      const reset = Number(limited.headers.get('x-ratelimit-reset'));
      const retryAfter = Number(limited.headers.get('retry-after'));
      expect(reset).toBeGreaterThanOrEqual(Math.floor(before / 1000) + retryAfter);
      expect(reset).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000) + retryAfter + 1);
      const anonymous = await t.request('GET', '/api/v1/links');
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get('x-ratelimit-limit')).toBeNull();
    } finally {
      await t.services.plans.update('enterprise', { rateLimitPerMinute: 300 });
    }
  });

  test('the seeded plans follow the document: 60 / 120 / 300 per minute', async () => {
    const plans = await t.services.plans.list();
    expect(plans.map((p) => [p.name, p.rateLimitPerMinute, p.apiAccess, p.maxLinks])).toEqual([
      ['free', 60, false, 100],
      ['pro', 120, true, 10_000],
      ['enterprise', 300, true, null],
    ]);
  });
});
