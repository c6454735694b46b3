import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { Server } from 'bun';
import { DomainError } from '../../src/errors.ts';
import { isIpLiteral, isLocalHostname, isPrivateAddress } from '../../src/fetcher/ip-ranges.ts';
import { createMetaFetcher, decodeEntities, extractPageMeta } from '../../src/fetcher/og.ts';
import { createSafeFetcher, decodeHtml, type FetchImpl, USER_AGENT } from '../../src/fetcher/safe-fetch.ts';
import pkg from '../../package.json' with { type: 'json' };
import { cutAt } from '../../src/text.ts';
import { createUnshortener } from '../../src/fetcher/unshorten.ts';

// Every request in this file goes to the 127.0.0.1 server below or to an
// injected fetchImpl; the guard tests inject a transport that fails the test
// if it is ever called, so a broken guard cannot reach the network either.

const page = (head: string, body = '') => `<!doctype html><html><head>${head}</head><body>${body}</body></html>`;
const html = (s: string, status = 200) => new Response(s, { status, headers: { 'content-type': 'text/html; charset=utf-8' } });
const redirect = (location: string, status = 302) => new Response(null, { status, headers: { location } });

let server: Server<unknown>;
let base: string;
const hits = new Map<string, number>();
const seen: { path: string; method: string; host: string | null; ua: string | null }[] = [];

beforeAll(() => {
  server = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    async fetch(req) {
      const { pathname } = new URL(req.url);
      hits.set(pathname, (hits.get(pathname) ?? 0) + 1);
      seen.push({ path: pathname, method: req.method, host: req.headers.get('host'), ua: req.headers.get('user-agent') });
      switch (pathname) {
        case '/og':
          return html(page('<meta property="og:title" content="Tom &amp; Jerry &#39;s &#x2764;"><meta property="og:image" content="/img/cover.png">'));
        case '/a':
          return redirect('/b', 302);
        case '/b':
          return redirect(`${base}/c`, 301);
        case '/c':
          return html(page('<title>Final</title>'));
        case '/loop':
          return redirect('/loop');
        case '/head-405':
          return req.method === 'HEAD' ? new Response(null, { status: 405 }) : redirect('/c', 307);
        case '/head-503':
          return req.method === 'HEAD' ? new Response(null, { status: 503, headers: { 'retry-after': '120' } }) : redirect('/c', 301);
        case '/head-429':
          return req.method === 'HEAD' ? new Response(null, { status: 429 }) : redirect('/c', 301);
        case '/head-403':
          return req.method === 'HEAD' ? new Response(null, { status: 403 }) : redirect('/c', 301);
        case '/missing':
          return html(page('<title>Not Found</title>'), 404);
        case '/json':
          return Response.json({ title: 'nope' });
        case '/no-type':
          return new Response(new Blob(['<title>x</title>']).stream());
        case '/slow':
          await Bun.sleep(5000);
          return html(page('<title>late</title>'));
        case '/big':
          return bigPage();
        case '/latin1':
          return new Response(new Uint8Array([...new TextEncoder().encode('<title>Caf'), 0xe9, ...new TextEncoder().encode('</title>')]), {
            headers: { 'content-type': 'text/html; charset=iso-8859-1' },
          });
        default:
          return html(page(`<title>host=${req.headers.get('host')}</title>`));
      }
    },
  });
  base = `http://127.0.0.1:${server.port}`;
});

afterAll(() => server.stop(true));

const FIVE_MB = 5 * 1024 * 1024;
function bigPage(): Response {
  const head = new TextEncoder().encode(page('<meta property="og:title" content="Big page">', ''));
  const filler = new Uint8Array(64 * 1024).fill(0x61);
  let sent = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent === 0) controller.enqueue(head);
      if (sent >= FIVE_MB) return controller.close();
      controller.enqueue(filler);
      sent += filler.byteLength;
    },
  });
  return new Response(stream, { headers: { 'content-type': 'text/html' } });
}

async function failure(p: Promise<unknown>): Promise<DomainError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(DomainError);
    return e as DomainError;
  }
  throw new Error('expected the promise to reject');
}

async function expectReason(p: Promise<unknown>, reason: string) {
  const e = await failure(p);
  expect(e.code).toBe('FETCH_FAILED');
  expect(e.meta.reason).toBe(reason);
  return e;
}

const open = (extra: Partial<Parameters<typeof createSafeFetcher>[0]> = {}) => createSafeFetcher({ allowPrivateTargets: true, ...extra });

/** A transport that must never be reached: proves the guard refused before connecting. */
const unreachable: FetchImpl = (url) => {
  throw new Error(`guard let a request through to ${url}`);
};

describe('extractPageMeta', () => {
  test('reads og:title, decodes entities and makes a relative og:image absolute', () => {
    const meta = extractPageMeta(
      page(
        `<title>Fallback</title>
         <meta property="og:title" content="  Fish &amp; Chips &lt;3 &quot;Best&quot; &#39;ever&#39; &#x263A; &#9731;  ">
         <meta name="description" content="A   multi
           line description">
         <meta property="og:image" content="/img/a.png?x=1&amp;y=2">`,
      ),
      'https://example.org/blog/post',
    );
    expect(meta).toEqual({
      title: 'Fish & Chips <3 "Best" \'ever\' ☺ ☃',
      description: 'A multi line description',
      image: 'https://example.org/img/a.png?x=1&y=2',
    });
  });

  test('falls back from og:title to twitter:title to <title>', () => {
    const base = 'https://example.org/';
    expect(extractPageMeta(page('<meta name="twitter:title" content="Tw"><title>T</title>'), base).title).toBe('Tw');
    expect(extractPageMeta(page('<title>\n  Plain   &amp; simple\n</title>'), base).title).toBe('Plain & simple');
    expect(extractPageMeta(page('<meta property="og:title" content="   "><title>T</title>'), base).title).toBe('T');
    expect(extractPageMeta('<p>no head at all</p>', base)).toEqual({ title: null, description: null, image: null });
  });

  test('og:description wins over meta description; twitter:image used when og:image is absent', () => {
    const meta = extractPageMeta(
      page('<meta name="description" content="plain"><meta property="og:description" content="og"><meta name="twitter:image" content="pic.jpg">'),
      'https://example.org/dir/page.html',
    );
    expect(meta.description).toBe('og');
    expect(meta.image).toBe('https://example.org/dir/pic.jpg');
  });

  test('drops non-http images and honours <base href>', () => {
    expect(extractPageMeta(page('<meta property="og:image" content="javascript:alert(1)">'), 'https://e.org/').image).toBeNull();
    expect(extractPageMeta(page('<meta property="og:image" content="data:image/png;base64,AAAA">'), 'https://e.org/').image).toBeNull();
    expect(extractPageMeta(page('<base href="https://cdn.e.org/assets/"><meta property="og:image" content="i.png">'), 'https://e.org/').image).toBe(
      'https://cdn.e.org/assets/i.png',
    );
    expect(extractPageMeta(page('<meta property="og:image" content="//cdn.e.org/i.png">'), 'http://e.org/').image).toBe('http://cdn.e.org/i.png');
  });

  test('ignores markup inside comments and scripts, and copes with quoted > and odd attribute order', () => {
    const meta = extractPageMeta(
      page(
        `<!-- <meta property="og:title" content="commented"> -->
         <script>var s = '<meta property="og:title" content="scripted">';</script>
         <META content="a > b" PROPERTY='og:title'/>`,
      ),
      'https://e.org/',
    );
    expect(meta.title).toBe('a > b');
  });

  test('caps title at 500 and description at 1000 characters', () => {
    const meta = extractPageMeta(page(`<title>${'t'.repeat(800)}</title><meta name="description" content="${'d'.repeat(3000)}">`), 'https://e.org/');
    expect(meta.title).toHaveLength(500);
    expect(meta.description).toHaveLength(1000);
  });

  test('a cut title or description ends between characters as a reader sees them, never in half an emoji or before an accent', () => {
    const family = '👨‍👩‍👧'; // 5 code points, one character on screen
    const meta = extractPageMeta(page(`<title>a${'😀'.repeat(300)}</title><meta name="description" content="b${'e\u0301'.repeat(600)}">`), 'https://e.org/');
    expect(meta.title).toBe(`a${'😀'.repeat(300)}`); // 301 characters: within 500, kept whole
    expect(meta.description).toBe(`b${'e\u0301'.repeat(499)}`); // 999 code points: the 1000th would part e from its accent
    expect(cutAt(`x${family}`, 3)).toBe('x');
    expect(cutAt(`${'😀'.repeat(3)}`, 2)).toBe('😀😀');
    expect(cutAt('plain', 10)).toBe('plain');
  });

  test('a page’s encoding is found as a browser finds it: byte order mark first, then declarations, then UTF-8 or windows-1252', () => {
    const utf16le = new Uint8Array([0xff, 0xfe, ...[...'<title>Grüße</title>'].flatMap((c) => [c.charCodeAt(0) & 0xff, c.charCodeAt(0) >> 8])]);
    expect(decodeHtml(utf16le, 'text/html')).toBe('<title>Grüße</title>');
    const bomUtf8 = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode('<meta charset="windows-1252"><title>Grüße 日本</title>')]);
    expect(decodeHtml(bomUtf8, 'text/html; charset=windows-1252')).toContain('<title>Grüße 日本</title>');
    const latin1 = new Uint8Array([...new TextEncoder().encode('<title>Caf'), 0xe9, ...new TextEncoder().encode('</title>')]);
    expect(decodeHtml(latin1, 'text/html')).toBe('<title>Café</title>');
    // a UTF-8 page cut mid-character is still read as UTF-8
    const cut = new TextEncoder().encode('<title>日本</title>é').slice(0, -1);
    expect(decodeHtml(cut, 'text/html')).toStartWith('<title>日本</title>');
    expect(decodeHtml(latin1, 'text/html; charset=no-such-charset')).toBe('<title>Café</title>');
  });

  test('decodes entities in one pass', () => {
    expect(decodeEntities('&amp;lt; &#0; &unknown; &#39 &AMP;')).toBe("&lt; \ufffd &unknown; ' &");
  });
});

describe('safe fetcher: happy paths (private targets allowed for the local test server)', () => {
  test('fetchHtml returns the page, and createMetaFetcher turns it into meta', async () => {
    const result = await open().fetchHtml(`${base}/og`);
    expect(result.status).toBe(200);
    expect(result.chain).toEqual([]);
    expect(result.truncated).toBe(false);
    expect(seen.at(-1)?.ua).toBe(USER_AGENT);
    expect(USER_AGENT).toBe(`shrinkray/${pkg.version} (+link preview)`);
    expect(await createMetaFetcher(open())(`${base}/og`)).toEqual({
      title: "Tom & Jerry 's ❤",
      description: null,
      image: `${base}/img/cover.png`,
    });
  });

  test('records a 2-hop redirect chain (fetchHtml and followRedirects)', async () => {
    const expected = [
      { url: `${base}/a`, statusCode: 302 },
      { url: `${base}/b`, statusCode: 301 },
    ];
    const pageResult = await open().fetchHtml(`${base}/a`);
    expect(pageResult.finalUrl).toBe(`${base}/c`);
    expect(pageResult.chain).toEqual(expected);
    expect(pageResult.html).toContain('<title>Final</title>');

    seen.length = 0;
    const trace = await open().followRedirects(`${base}/a`);
    expect(trace).toEqual({ finalUrl: `${base}/c`, chain: expected, status: 200 });
    expect(seen.map((s) => s.method)).toEqual(['HEAD', 'HEAD', 'HEAD']);
  });

  test('followRedirects falls back to GET when HEAD is refused', async () => {
    const trace = await open().followRedirects(`${base}/head-405`);
    expect(trace.chain).toEqual([{ url: `${base}/head-405`, statusCode: 307 }]);
    expect(trace.finalUrl).toBe(`${base}/c`);
  });

  test('followRedirects asks again with GET when HEAD answers another error (a shortener that routes GET alone)', async () => {
    seen.length = 0;
    const trace = await open().followRedirects(`${base}/head-403`);
    expect(trace).toEqual({ finalUrl: `${base}/c`, chain: [{ url: `${base}/head-403`, statusCode: 301 }], status: 200 });
    expect(seen.map((s) => s.method)).toEqual(['HEAD', 'GET', 'HEAD']);
  });

  test('followRedirects does not ask again a server that is down or overloaded: its 5xx or 429 is the answer', async () => {
    for (const path of ['/head-503', '/head-429']) {
      seen.length = 0;
      const trace = await open().followRedirects(`${base}${path}`);
      expect(trace).toEqual({ finalUrl: `${base}${path}`, chain: [], status: path === '/head-503' ? 503 : 429 });
      expect(seen.map((s) => s.method)).toEqual(['HEAD']);
    }
  });

  test('followRedirects reports a non-2xx destination instead of failing', async () => {
    expect(await open().followRedirects(`${base}/missing`)).toEqual({ finalUrl: `${base}/missing`, chain: [], status: 404 });
  });

  test('a redirect loop stops after 10 redirects with too_many_redirects', async () => {
    hits.delete('/loop');
    const e = await expectReason(open().fetchHtml(`${base}/loop`), 'too_many_redirects');
    expect(e.meta.hops).toBe(11);
    expect(hits.get('/loop')).toBe(11); // the first request plus 10 followed redirects, then stop
    await expectReason(open().followRedirects(`${base}/loop`), 'too_many_redirects');
  });

  test('connects to the resolved address, sending the name only as Host', async () => {
    const resolved: string[] = [];
    const fetcher = open({
      resolve: async (host) => {
        resolved.push(host);
        return ['127.0.0.1'];
      },
    });
    const result = await fetcher.fetchHtml(`http://shop.localhost:${server.port}/echo`);
    expect(resolved).toEqual(['shop.localhost']);
    expect(result.finalUrl).toBe(`http://shop.localhost:${server.port}/echo`);
    expect(result.html).toContain(`host=shop.localhost:${server.port}`);
  });

  test('https keeps the name for SNI and certificate checks while connecting to the checked IP', async () => {
    const calls: { url: string; init: BunFetchRequestInit }[] = [];
    const fetcher = createSafeFetcher({
      allowPrivateTargets: false,
      resolve: async () => ['2606:2800:220:1:248:1893:25c8:1946', '93.184.216.34'],
      fetchImpl: async (url, init) => {
        calls.push({ url, init });
        return html(page('<title>ok</title>'));
      },
    });
    await fetcher.fetchHtml('https://allowed.test/path?q=1');
    expect(calls).toHaveLength(1);
    expect(calls[0]!.url).toBe('https://93.184.216.34/path?q=1'); // IPv4 first
    expect(calls[0]!.init.tls?.serverName).toBe('allowed.test');
    expect(new Headers(calls[0]!.init.headers).get('host')).toBe('allowed.test');
    expect(calls[0]!.init.redirect).toBe('manual');
  });

  test('a body over maxBytes is cut: the first maxBytes are kept and still parsed', async () => {
    const result = await open({ maxBytes: 100_000 }).fetchHtml(`${base}/big`);
    expect(result.truncated).toBe(true);
    expect(result.html.length).toBeLessThanOrEqual(100_000);
    expect(result.html.length).toBeGreaterThan(90_000);
    expect(extractPageMeta(result.html, result.finalUrl).title).toBe('Big page');
  });

  test('honours the charset of the Content-Type header', async () => {
    expect((await open().fetchHtml(`${base}/latin1`)).html).toBe('<title>Café</title>');
  });
});

describe('safe fetcher: failures', () => {
  test('a slow server is aborted at the deadline with reason timeout', async () => {
    const started = performance.now();
    await expectReason(open({ timeoutMs: 300 }).fetchHtml(`${base}/slow`), 'timeout');
    // well under the server's 5 s: the deadline ended it, not the answer (loose, for a loaded CI machine)
    expect(performance.now() - started).toBeLessThan(4000);
  });

  test('a hanging DNS lookup also counts against the deadline', async () => {
    const fetcher = createSafeFetcher({ allowPrivateTargets: false, timeoutMs: 200, resolve: () => new Promise(() => {}), fetchImpl: unreachable });
    await expectReason(fetcher.followRedirects('http://slow-dns.test/'), 'timeout');
  });

  test('non-HTML content types are refused', async () => {
    const e = await expectReason(open().fetchHtml(`${base}/json`), 'not_html');
    expect(e.meta.contentType).toBe('application/json');
    await expectReason(open().fetchHtml(`${base}/no-type`), 'not_html');
  });

  test('a non-2xx page is refused with reason status', async () => {
    const e = await expectReason(open().fetchHtml(`${base}/missing`), 'status');
    expect(e.meta.status).toBe(404);
  });

  test('only http and https are fetched', async () => {
    const fetcher = createSafeFetcher({ allowPrivateTargets: true, fetchImpl: unreachable });
    await expectReason(fetcher.fetchHtml('ftp://example.org/file'), 'scheme');
    await expectReason(fetcher.fetchHtml('file:///etc/passwd'), 'scheme');
    await expectReason(fetcher.followRedirects('not a url'), 'scheme');
  });

  test('a refused connection is reported as network', async () => {
    const closed = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: () => new Response('') });
    const port = closed.port;
    closed.stop(true);
    await expectReason(open().fetchHtml(`http://127.0.0.1:${port}/`), 'network');
  });

  test('a failed lookup is reported as dns', async () => {
    const fetcher = createSafeFetcher({
      allowPrivateTargets: false,
      resolve: async () => {
        throw Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' });
      },
      fetchImpl: unreachable,
    });
    await expectReason(fetcher.fetchHtml('http://nowhere.test/'), 'dns');
  });

  test('createMetaFetcher never throws', async () => {
    const meta = createMetaFetcher(createSafeFetcher({ allowPrivateTargets: false, fetchImpl: unreachable }));
    expect(await meta('http://127.0.0.1/')).toBeNull();
    expect(await meta('ftp://x/')).toBeNull();
    expect(await createMetaFetcher(open())(`${base}/json`)).toBeNull();
  });
});

describe('safe fetcher: SSRF guard (private targets off)', () => {
  const resolveTable: Record<string, string[]> = {
    'ten.test': ['10.0.0.1'],
    'loop6.test': ['::1'],
    'mixed.test': ['93.184.216.34', '10.0.0.1'],
    'metadata.test': ['169.254.169.254'],
  };
  const guarded = () =>
    createSafeFetcher({
      allowPrivateTargets: false,
      resolve: async (host) => resolveTable[host] ?? [],
      fetchImpl: unreachable,
    });

  test.each([
    'http://127.0.0.1/',
    'http://[::1]/',
    'http://2130706433/',
    'http://0x7f.1/',
    'http://017700000001/',
    'http://[::ffff:127.0.0.1]/',
    'http://169.254.169.254/latest/meta-data/',
    'http://[fd00::1]/',
    'http://0.0.0.0/',
    'http://localhost/',
    'http://LOCALHOST./',
    'http://api.localhost/',
    'http://printer.local/',
    'http://ten.test/',
    'http://loop6.test/',
    'http://mixed.test/',
    'http://metadata.test/',
    'https://ten.test/',
  ])('refuses %s', async (url) => {
    await expectReason(guarded().fetchHtml(url), 'private');
    await expectReason(guarded().followRedirects(url), 'private');
  });

  test('a redirect from an allowed host to 127.0.0.1 is refused before connecting', async () => {
    const calls: { url: string; host: string | null }[] = [];
    const fetcher = createSafeFetcher({
      allowPrivateTargets: false,
      resolve: async (host) => (host === 'allowed.test' ? ['93.184.216.34'] : []),
      fetchImpl: async (url, init) => {
        calls.push({ url, host: new Headers(init.headers).get('host') });
        return redirect(`http://127.0.0.1:${server.port}/`);
      },
    });
    const before = seen.length;
    const e = await expectReason(fetcher.fetchHtml('http://allowed.test/go'), 'private');
    expect(e.meta.address).toBe('127.0.0.1');
    expect(calls).toEqual([{ url: 'http://93.184.216.34/go', host: 'allowed.test' }]);
    expect(calls.some((c) => c.url.includes('127.0.0.1'))).toBe(false);
    expect(seen.length).toBe(before); // the local server never saw a request
  });

  test('a redirect to a name that resolves privately is refused as well', async () => {
    let calls = 0;
    const fetcher = createSafeFetcher({
      allowPrivateTargets: false,
      resolve: async (host) => resolveTable[host] ?? ['93.184.216.34'],
      fetchImpl: async () => {
        calls++;
        return redirect('http://mixed.test/admin', 301);
      },
    });
    await expectReason(fetcher.followRedirects('http://allowed.test/'), 'private');
    expect(calls).toBe(1);
  });
});

describe('createUnshortener', () => {
  test('returns the destination and the chain', async () => {
    const unshorten = createUnshortener(open());
    expect(await unshorten(`${base}/a`)).toEqual({
      originalUrl: `${base}/a`,
      destinationUrl: `${base}/c`,
      redirectChain: [
        { url: `${base}/a`, statusCode: 302 },
        { url: `${base}/b`, statusCode: 301 },
      ],
      redirectCount: 2,
    });
  });

  test('rejects malformed input with VALIDATION and refused targets with FETCH_FAILED', async () => {
    const unshorten = createUnshortener(createSafeFetcher({ allowPrivateTargets: false, fetchImpl: unreachable }));
    for (const bad of ['', 'not a url', 'ftp://example.org/', 42]) {
      const e = await failure(unshorten(bad));
      expect(e.code).toBe('VALIDATION');
      expect(e.meta.field).toBe('url');
    }
    await expectReason(unshorten('http://127.0.0.1/'), 'private');
  });
});

describe('isPrivateAddress', () => {
  const privateCases = [
    ['0.0.0.0', 'this network'],
    ['10.1.2.3', 'RFC 1918'],
    ['100.64.0.1', 'CGNAT'],
    ['100.127.255.255', 'CGNAT end'],
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['169.254.169.254', 'link-local / metadata'],
    ['172.16.0.1', 'RFC 1918'],
    ['172.31.255.255', 'RFC 1918 end'],
    ['192.0.0.8', 'IETF assignments'],
    ['192.0.2.1', 'TEST-NET-1'],
    ['192.168.1.1', 'RFC 1918'],
    ['198.18.0.1', 'benchmarking'],
    ['198.51.100.7', 'TEST-NET-2'],
    ['203.0.113.9', 'TEST-NET-3'],
    ['224.0.0.251', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['240.0.0.1', 'reserved'],
    ['255.255.255.255', 'broadcast'],
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['[::1]', 'bracketed loopback'],
    ['::ffff:127.0.0.1', 'mapped loopback'],
    ['::ffff:7f00:1', 'mapped loopback, hex'],
    ['::ffff:10.0.0.1', 'mapped private'],
    ['::ffff:0:127.0.0.1', 'IPv4-translated'],
    ['::127.0.0.1', 'IPv4-compatible'],
    ['64:ff9b::7f00:1', 'NAT64 of loopback'],
    ['64:ff9b::a9fe:a9fe', 'NAT64 of metadata'],
    ['64:ff9b:1::1', 'local-use NAT64'],
    ['2002:7f00:1::1', '6to4 of loopback'],
    ['2002:c0a8:101::', '6to4 of 192.168.1.1'],
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'Teredo'],
    ['2001:db8::1', 'documentation'],
    ['3fff::1', 'documentation (RFC 9637)'],
    ['2001:10::1', 'ORCHID'],
    ['100::1', 'discard-only'],
    ['fc00::1', 'unique-local'],
    ['fd12:3456:789a::1', 'unique-local'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local with zone'],
    ['febf::1', 'link-local end'],
    ['fec0::1', 'site-local'],
    ['ff02::1', 'multicast'],
    ['ff05::1:3', 'multicast'],
    ['4000::1', 'outside 2000::/3'],
    ['not-an-ip', 'not an address'],
    ['1.2.3', 'short form is not an address'],
  ] as const;
  const publicCases = [
    ['1.1.1.1', 'public'],
    ['8.8.8.8', 'public'],
    ['93.184.216.34', 'public'],
    ['100.63.255.255', 'just below CGNAT'],
    ['100.128.0.0', 'just above CGNAT'],
    ['172.15.255.255', 'just below 172.16/12'],
    ['172.32.0.0', 'just above 172.16/12'],
    ['192.0.3.1', 'just above TEST-NET-1'],
    ['223.255.255.255', 'just below multicast'],
    ['2606:4700:4700::1111', 'public'],
    ['2a00:1450:4001:80e::200e', 'public'],
    ['::ffff:8.8.8.8', 'mapped public'],
    ['64:ff9b::808:808', 'NAT64 of public'],
    ['2002:808:808::1', '6to4 of public'],
  ] as const;

  test.each(privateCases)('%s is not public (%s)', (ip) => {
    expect(isPrivateAddress(ip)).toBe(true);
  });
  test.each(publicCases)('%s is public (%s)', (ip) => {
    expect(isPrivateAddress(ip)).toBe(false);
  });

  test('local names and IP literals', () => {
    expect(['localhost', 'LocalHost.', 'a.localhost', 'nas.local', 'db.internal'].every(isLocalHostname)).toBe(true);
    expect(['example.com', 'localhost.example.com'].some(isLocalHostname)).toBe(false);
    expect(isIpLiteral('[::1]')).toBe(true);
    expect(isIpLiteral('127.0.0.1')).toBe(true);
    expect(isIpLiteral('example.com')).toBe(false);
  });
});
