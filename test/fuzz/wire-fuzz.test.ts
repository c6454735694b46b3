/**
 * Below fetch(): raw HTTP/1.1 request lines written to a real socket on
 * 127.0.0.1, so that what a fetch client would normalise away (dot segments,
 * bytes that are not UTF-8, NUL escapes, absolute-form targets, 100 kB
 * paths) reaches the server as sent — through Bun's native router and the
 * redirect fast path that app.handle() never sees. Property: every answer is
 * an HTTP response below 500 (or the parser refusing the connection), and the
 * server keeps answering /healthz.
 *
 * WIRE_FUZZ_RUNS random targets (default 300) on top of the fixed list.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import fc from 'fast-check';
import { makeTestApp, type TestApp } from '../helpers/make-test-app.ts';

const RUNS = Number(process.env.WIRE_FUZZ_RUNS ?? 300);
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined;

let t: TestApp;
let port = 0;
let codes: string[] = [];
let tried = 0;

beforeAll(async () => {
  t = await makeTestApp({ env: { ANONYMOUS_LINKS: 'true' } });
  t.app.listen({ port: 0, hostname: '127.0.0.1' });
  port = t.app.server!.port!;
  const u = await t.user('pro');
  const actor = await t.services.users.actorFor(u.user);
  for (const mode of ['direct', 'bridge', 'preview'] as const) {
    codes.push((await t.services.links.create(actor, { destination: 'https://example.com/w', redirectMode: mode, metadata: 'none' })).link.code);
  }
  codes.push((await t.services.links.create(actor, { destination: 'https://example.com/p', password: 'pw', metadata: 'none' })).link.code);
});

afterAll(async () => {
  console.log(`wire fuzz: ${tried} raw requests`);
  await t.app.stop(true);
  await t.close();
});

/** Writes bytes, reads until the server closes; '' when it closes without answering. Bounded by a timeout. */
function exchange(bytes: Uint8Array): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error('no answer within 5 s')), 5000);
    const done = () => {
      clearTimeout(timer);
      resolve(text);
    };
    Bun.connect({
      hostname: '127.0.0.1',
      port,
      socket: {
        open(socket) {
          socket.write(bytes);
        },
        data(_socket, chunk) {
          text += new TextDecoder('latin1').decode(chunk);
        },
        close: done,
        end: done,
        error: done,
      },
    }).catch(reject);
  });
}

const latin1 = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0) & 0xff);

async function send(method: string, target: string, body = ''): Promise<number | null> {
  tried++;
  const framing = body ? `Content-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\n` : '';
  const answer = await exchange(latin1(`${method} ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: Mozilla/5.0 Chrome/126.0\r\nConnection: close\r\n${framing}\r\n${body}`));
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(answer);
  return m ? Number(m[1]) : null;
}

const FIXED = (c: string) => [
  '/', `/${c}`, `/${c}?`, `/${c}?qr=1&proceed=1`, `/${c}?qr=1&qr=2`, `/${c}/`, `/${c}//`, `/${c}%00`, `/${c}%2F..`, `/${c};x`, `/${c}#frag`,
  '/%00', '/%', '/%zz', '/%C0%AF', '/%E0%A4%A', '/%FF%FE', '/\xff\xfe', '/é', '/..', '/../../etc/passwd', '/a/../b', '/./', '//x', '///',
  '/%2e%2e/%2e%2e/etc/passwd', '/..%2F..%2Fetc', `/${'a'.repeat(100_000)}`, `/${'%41'.repeat(20_000)}`, '*', 'http://evil.example/abc',
  `http://127.0.0.1/${c}`, '/s/%00', `/s/${c}`, '/s/..%2F', '/preview/%zz', `/preview/${c}`, '/api/v1/qr/%00.png', `/api/v1/qr/${c}.png%00`,
  '/api/v1/expand/%FF', '/api/v1/links/%00', '/api/v1/links/1e309', '/v1/client/short-links/%2e%2e', '/api/links/%00', '/dashboard/%00',
  '/public/../../../../etc/passwd', '/public/%2e%2e/%2e%2e/package.json', '/public/css/%00.css', '/favicon.ico/..', '/openapi.json%00',
  `/${c}%09`, '/\x7f', '/%7F',
  // not here: a raw tab or space in the target splits the request line itself, and Bun's parser
  // answers that framing error (505) before any of shrinkray's code runs
];

describe('raw request lines on a real socket', () => {
  test('a fixed list of hostile targets, by GET, HEAD and POST: never a 5xx, never a hang', async () => {
    const failures: string[] = [];
    for (const c of codes) {
      for (const target of FIXED(c)) {
        for (const method of ['GET', 'HEAD', 'POST']) {
          const status = await send(method, target, method === 'POST' ? 'password=pw&csrf_token=x' : '');
          if (status !== null && status >= 500) failures.push(`${method} ${target.slice(0, 80)} → ${status}`);
        }
      }
    }
    expect(failures).toEqual([]);
  }, 120_000);

  test('random targets (printable, high and percent-encoded bytes) mixed with real codes', async () => {
    const segment = fc.oneof(
      fc.constantFrom(...codes, 's', 'preview', 'api', 'v1', 'public', '..', '.', '', '%00', '%', '%ff', 'qr', 'expand', 'links'),
      fc.string({ unit: fc.integer({ min: 0x21, max: 0xff }).filter((b) => b !== 0x7f).map((b) => String.fromCharCode(b)), maxLength: 40 }),
      fc.uint8Array({ maxLength: 12 }).map((bytes) => [...bytes].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('')),
    );
    const target = fc.tuple(fc.array(segment, { minLength: 1, maxLength: 5 }), fc.option(fc.string({ maxLength: 30 }).map((q) => q.replace(/[\s\u0000-\u001f]/g, '')))).map(
      ([segs, q]) => `/${segs.join('/')}${q === null ? '' : `?${q}`}`.replace(/[\s#]/g, ''),
    );
    const out = await fc.check(
      fc.asyncProperty(target, fc.constantFrom('GET', 'HEAD'), async (path, method) => {
        const status = await send(method, path);
        if (status !== null && status >= 500) throw new Error(`${method} ${path} → ${status}`);
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    );
    if (out.failed) throw new Error(`FUZZ_SEED=${out.seed}: ${String(out.errorInstance)}`);
  }, 120_000);

  test('the server is still answering', async () => {
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    const res = await fetch(`http://127.0.0.1:${port}/${codes[0]}`, { redirect: 'manual' });
    expect(res.status).toBe(302);
  });
});
