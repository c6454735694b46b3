/**
 * A key is checked before a request's body is read, and a slow client may
 * take up to the idle timeout to send it: a key revoked (or its plan losing
 * API access) while the body is on its way must not create anything when it
 * arrives, on any dialect's keyed write route.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { heldRequest } from '../helpers/held-request.ts';
import { makeTestApp, type TestApp } from '../helpers/make-test-app.ts';

let t: TestApp;
beforeAll(async () => (t = await makeTestApp({ env: { ANONYMOUS_LINKS: 'true' } })));
afterAll(() => t.close());

const json = { 'content-type': 'application/json' };
const ROUTES: [dialect: string, path: string, body: unknown][] = [
  ['Minilnk', '/api/v1/links', { original_url: 'https://example.com/late' }],
  ['LinkShrink', '/api/v1/shorten', { url: 'https://example.com/late' }],
  ['Linx.ly', '/v1/client/short-links', { destination_url: 'https://example.com/late' }],
  ['ShrtLnk', '/api/links', { original_url: 'https://example.com/late' }],
  ['lnkz bulk', '/api/v1/urls/bulk', [{ url: 'https://example.com/late' }, { url: 'https://example.com/later' }]],
];
const linksOf = (userId: number) => t.sqlite.query('SELECT count(*) AS n FROM links WHERE user_id = ?').get(userId);

async function whileUploading(path: string, body: unknown, meanwhile: (u: Awaited<ReturnType<TestApp['user']>>) => Promise<unknown>) {
  const u = await t.user('pro');
  const held = heldRequest(path, { ...u.auth, ...json }, JSON.stringify(body));
  const answering = t.app.handle(held.request);
  await held.reading; // the key was accepted; the body is on its way
  await meanwhile(u);
  held.release();
  return { res: await answering, userId: u.user.id };
}

test('a key revoked while the body is sent creates nothing, on every dialect', async () => {
  for (const [dialect, path, body] of ROUTES) {
    const { res, userId } = await whileUploading(path, body, async (u) => {
      const [key] = await t.services.keys.list(u.user.id);
      await t.services.keys.revoke(u.user.id, key!.id);
    });
    expect([dialect, res.status, res.headers.get('content-type')]).toEqual([dialect, 401, 'application/json; charset=utf-8']);
    expect([dialect, linksOf(userId)]).toEqual([dialect, { n: 0 }]);
  }
});

test('a plan that lost API access while the body was sent refuses it as that dialect refuses a free key, and a deactivated user is refused too', async () => {
  const admin = await t.services.users.actorFor((await t.user('enterprise', 'admin')).user);
  const free = await t.user('free');
  for (const [dialect, path, body] of ROUTES) {
    const refused = await t.request('POST', path, { headers: free.auth, body });
    expect([dialect, refused.status >= 400]).toEqual([dialect, true]);
    const downgraded = await whileUploading(path, body, (u) => t.services.userAdmin.change(admin, u.user.id, { plan: 'free' }));
    expect([dialect, downgraded.res.status, await downgraded.res.json(), linksOf(downgraded.userId)]).toEqual([dialect, refused.status, await refused.json(), { n: 0 }]);
    const deactivated = await whileUploading(path, body, (u) => t.services.userAdmin.setActive(admin, u.user.id, false));
    expect([dialect, deactivated.res.status, linksOf(deactivated.userId)]).toEqual([dialect, 401, { n: 0 }]);
  }
});

test('a key left alone while the body is sent creates as usual', async () => {
  for (const [dialect, path, body] of ROUTES) {
    const { res, userId } = await whileUploading(path, body, () => Bun.sleep(5));
    expect([dialect, res.status < 300, (linksOf(userId) as { n: number }).n > 0]).toEqual([dialect, true, true]);
  }
});
