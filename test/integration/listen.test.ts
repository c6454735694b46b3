/**
 * The server listens before its app is built (src/listen.ts): redirects are
 * answered at once, every other request waits for the app, and an app that
 * cannot be built fails the start instead of leaving requests hanging.
 */
import { afterEach, expect, test } from 'bun:test';
import { listen, whenIdle, type Listening } from '../../src/listen.ts';
import { BROWSER_UA } from '../helpers/binary.ts';
import { makeTestApp, type TestApp } from '../helpers/make-test-app.ts';

let t: TestApp | undefined;
let running: Listening | undefined;
afterEach(async () => {
  await running?.server.stop(true);
  await running?.app.catch(() => undefined);
  await t?.close();
  t = running = undefined;
});

const options = { port: 0, host: '127.0.0.1', maxBodyBytes: 1024 * 1024 };
const base = (l: Listening) => `http://127.0.0.1:${l.server.port}`;
/** A server listening while its app build waits for release(). */
function listenWithAppHeld(app: TestApp): { l: Listening; release: () => void } {
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  running = listen(app.services, options, async () => {
    await held;
    return import('../../src/app.ts');
  });
  return { l: running, release };
}
const within = <T>(p: Promise<T>, ms: number) => Promise.race([p, Bun.sleep(ms).then(() => 'still waiting' as const)]);

test('a redirect is answered while the app is still being built; other routes wait for it, then see the client', async () => {
  t = await makeTestApp();
  const actor = await t.services.users.actorFor((await t.user('pro')).user);
  const { link } = await t.services.links.create(actor, { destination: 'https://example.com/early' });
  const scanned = (await t.services.links.create(actor, { destination: 'https://example.com/scanned' })).link;
  const { l, release } = listenWithAppHeld(t);

  const hop = await fetch(`${base(l)}/${link.code}`, { redirect: 'manual', headers: { 'user-agent': BROWSER_UA } });
  expect([hop.status, hop.headers.get('location')]).toEqual([302, 'https://example.com/early']);
  // a scan (?qr=1) is declined by the fast path: the full app answers it, once there is one
  const scan = fetch(`${base(l)}/${scanned.code}?qr=1`, { redirect: 'manual', headers: { 'user-agent': BROWSER_UA } });
  const health = fetch(`${base(l)}/healthz`);
  expect(await within(health, 300)).toBe('still waiting');

  release();
  await l.app;
  expect((await health).status).toBe(200);
  expect((await scan).status).toBe(302);
  await t.flush();
  const counted = (id: number) => t!.services.db.sqlite.query('SELECT total_clicks AS total, unique_clicks AS uniques FROM link_counters WHERE link_id = ?').get(id);
  expect(counted(link.id)).toEqual({ total: 1, uniques: 1 });
  // the app's click came with the client's address: without one there is no visitor, so no unique
  expect(counted(scanned.id)).toEqual({ total: 1, uniques: 1 });
});

test('an app that cannot be built fails the start, and the requests that waited for it get a 503', async () => {
  t = await makeTestApp();
  running = listen(t.services, options, async () => {
    await Bun.sleep(100);
    throw new Error('cannot build the app');
  });
  const waiting = fetch(`${base(running)}/healthz`);
  expect(running.app).rejects.toThrow('cannot build the app');
  const res = await waiting;
  expect(res.status).toBe(503);
  expect(await res.text()).toBe('The server could not start.');
});

test('a password-protected direct link is declined by the fast path: the password form, before and after the build, never the destination', async () => {
  t = await makeTestApp();
  const actor = await t.services.users.actorFor((await t.user('pro')).user);
  const { link } = await t.services.links.create(actor, { destination: 'https://example.com/behind-a-password', password: 'open sesame', metadata: 'none' });
  const { l, release } = listenWithAppHeld(t);
  const visit = () => fetch(`${base(l)}/${link.code}`, { redirect: 'manual', headers: { 'user-agent': BROWSER_UA } });
  // while the app is being built the visit waits for it, as any route the fast path declines
  const early = visit();
  const answeredEarly = await within(early, 300);
  release();
  await l.app;
  expect(answeredEarly).toBe('still waiting');
  for (const res of [await early, await visit()]) {
    expect([res.status, res.headers.get('location')]).toEqual([200, null]);
    const page = await res.text();
    expect(page).toContain('name="password"');
    expect(page).not.toContain('behind-a-password');
  }
  await t.flush();
  expect(t.sqlite.query('SELECT total_clicks AS total FROM link_counters WHERE link_id = ?').get(link.id) ?? { total: 0 }).toEqual({ total: 0 });
});

test('/metrics counts the redirects the fast path answers by their method, and shows the flush counters from the start', async () => {
  t = await makeTestApp();
  const actor = await t.services.users.actorFor((await t.user('pro')).user);
  const { link } = await t.services.links.create(actor, { destination: 'https://example.com/counted' });
  running = listen(t.services, options, async () => import('../../src/app.ts'));
  await running.app;
  const metrics = async () => (await (await fetch(`${base(running!)}/metrics`)).text()).split('\n');
  const before = await metrics();
  // a scraper sees 0 before the first flush, not a missing series
  expect(before).toContain('shrinkray_clicks_flushed_total 0');
  expect(before).toContain('shrinkray_click_flush_errors_total 0');
  for (const method of ['GET', 'GET', 'HEAD']) {
    const res = await fetch(`${base(running)}/${link.code}`, { method, redirect: 'manual', headers: { 'user-agent': BROWSER_UA } });
    expect([method, res.status]).toEqual([method, 302]);
  }
  await t.flush();
  const after = await metrics();
  expect(after).toContain('shrinkray_http_requests_total{method="GET",route="/:code",status="302"} 2');
  expect(after).toContain('shrinkray_http_requests_total{method="HEAD",route="/:code",status="302"} 1');
});

test('the build waits for the redirects in progress: on a later turn once there are none, or after its longest wait', async () => {
  let busy = true;
  let idle = false;
  const waited = whenIdle(() => busy, 10_000).then(() => (idle = true));
  for (let turn = 0; turn < 20; turn++) await new Promise((resolve) => setImmediate(resolve));
  expect(idle).toBe(false);
  busy = false;
  await waited;
  expect(idle).toBe(true);

  // never idle (a flood of redirects at start-up): it gives up waiting after maxMs
  const started = performance.now();
  await whenIdle(() => true, 30);
  expect(performance.now() - started).toBeGreaterThanOrEqual(29);

  // nothing in progress: one turn, so what is already waiting at the socket is read first
  let yielded = false;
  setImmediate(() => (yielded = true));
  await whenIdle(() => false, 10_000);
  expect(yielded).toBe(true);
});

test('a redirect that came in before the build holds it until answered (a visitor retrying during a restart is not kept waiting behind it)', async () => {
  t = await makeTestApp();
  const actor = await t.services.users.actorFor((await t.user('pro')).user);
  const { link } = await t.services.links.create(actor, { destination: 'https://example.com/first' });
  let buildStarted = false;
  let buildStartedAtArrival: boolean | null = null;
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const links = t.services.links;
  const resolve = links.resolve.bind(links);
  // the redirect's lookup, held: it is in progress for as long as this test wants
  links.resolve = async (code) => {
    buildStartedAtArrival ??= buildStarted;
    await gate;
    return resolve(code);
  };
  running = listen(t.services, options, async () => {
    buildStarted = true;
    return import('../../src/app.ts');
  });
  const visitor = Bun.spawn(
    [process.execPath, '-e', `const r = await fetch('${base(running)}/${link.code}', { redirect: 'manual', headers: { 'user-agent': ${JSON.stringify(BROWSER_UA)} } }); console.log(r.status, r.headers.get('location'))`],
    { stdout: 'pipe', stderr: 'ignore' },
  );
  // this thread busy, as a starting server is: the visitor's request is already waiting when the loop turns
  Bun.sleepSync(1500);
  const until = Date.now() + 5000;
  while (buildStartedAtArrival === null && Date.now() < until) await Bun.sleep(1);
  expect(buildStartedAtArrival as boolean | null).toBe(false);
  // turns later, its lookup still in progress: the build has not taken the thread (it would wait 50 ms at most)
  expect(buildStarted).toBe(false);
  release();
  expect((await new Response(visitor.stdout).text()).trim()).toBe('302 https://example.com/first');
  await running.app;
  expect(buildStarted).toBe(true);
});

/** One request written to the socket as given; the whole answer as text. */
async function raw(l: Listening, request: string): Promise<string> {
  const { connect } = await import('node:net');
  return new Promise((resolve, reject) => {
    let answer = '';
    const socket = connect(l.server.port!, '127.0.0.1', () => socket.end(request));
    socket.on('data', (b) => (answer += b));
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
  });
}
const statusOf = (answer: string) => Number(answer.slice(9, 12));

test('a request without a Host (HTTP/1.0, health checkers) is answered as if sent to BASE_URL; a malformed Host is a 400, never a 500', async () => {
  t = await makeTestApp();
  const u = await t.user('pro');
  const actor = await t.services.users.actorFor(u.user);
  const { link } = await t.services.links.create(actor, { destination: 'https://example.com/no-host' });
  running = listen(t.services, options);
  await running.app;
  const l = running;
  expect(statusOf(await raw(l, 'GET /healthz HTTP/1.0\r\n\r\n'))).toBe(200);
  // routed by its own path (it was read as /links, a 404 page), and with the key it carries
  const list = await raw(l, `GET /api/v1/links HTTP/1.0\r\nAuthorization: Bearer ${u.key}\r\n\r\n`);
  expect([statusOf(list), list.includes('"no-host"') || list.includes('https://example.com/no-host')]).toEqual([200, true]);
  // pages that read their own URL (a 500 before)
  for (const path of ['/login', '/dashboard', '/dashboard/links.csv']) {
    const answer = await raw(l, `GET ${path} HTTP/1.0\r\n\r\n`);
    expect([path, statusOf(answer) < 500]).toEqual([path, true]);
  }
  expect(statusOf(await raw(l, 'GET /login HTTP/1.1\r\nHost:\r\nConnection: close\r\n\r\n'))).toBe(200);
  // a body comes along with the copy
  const body = JSON.stringify({ original_url: 'https://example.com/posted-without-host' });
  const posted = await raw(l, `POST /api/v1/links HTTP/1.0\r\nAuthorization: Bearer ${u.key}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
  expect([statusOf(posted), posted.includes('posted-without-host')]).toEqual([201, true]);
  // a short link, its click counted with the visitor's address (so as a unique visitor)
  const hop = await raw(l, `GET /${link.code} HTTP/1.0\r\nUser-Agent: ${BROWSER_UA}\r\n\r\n`);
  expect([statusOf(hop), /\r\nlocation: (\S+)/i.exec(hop)?.[1]]).toEqual([302, 'https://example.com/no-host']);
  await t.flush();
  expect(t.sqlite.query('SELECT total_clicks AS total, unique_clicks AS uniques FROM link_counters WHERE link_id = ?').get(link.id)).toEqual({ total: 1, uniques: 1 });
  for (const host of ['a:b:c', 'a b', '[::1']) {
    const answer = await raw(l, `GET /api/v1/links?api_key=${u.key} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
    expect([host, statusOf(answer)]).toEqual([host, 400]);
  }
});
