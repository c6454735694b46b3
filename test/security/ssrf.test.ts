/**
 * SSRF: a destination is chosen by whoever creates a link, and the server
 * fetches destinations (Open Graph previews) and arbitrary URLs (LinkShrink
 * unshorten). Shown here:
 *   - every route that takes a destination (five dialects, the web form, the
 *     dashboard's form, edit and CSV import) refuses private, loopback,
 *     link-local and reserved hosts in every spelling — IPv4 and IPv6
 *     literals, decimal/octal/hex IPv4, IPv4-mapped/NAT64/6to4 IPv6, and the
 *     names that always mean "this machine" — and stores nothing;
 *   - the fetcher refuses names that *resolve* to such addresses (an
 *     injected resolver plays DNS), for the OG fetch on create and for
 *     unshorten, without the transport ever being asked to connect;
 *   - a redirect from an allowed server to an internal address is not
 *     followed: a real local server plays the public site and its /secret is
 *     never reached, whatever spelling the Location uses.
 * Nothing here leaves the machine: public names resolve to a documentation
 * address and the injected transport forwards them to 127.0.0.1.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { createMetaFetcher } from '../../src/fetcher/og.ts';
import { createSafeFetcher, type FetchImpl } from '../../src/fetcher/safe-fetch.ts';
import { createUnshortener } from '../../src/fetcher/unshorten.ts';
import { isPrivateAddress } from '../../src/fetcher/ip-ranges.ts';
import { isPrivateHost } from '../../src/links/url-policy.ts';
import type { TestApp } from '../helpers/make-test-app.ts';
import { cookieOf, securityApp, send, signIn, type Browser } from './security-kit.ts';

/** Destinations that must never be stored, and never fetched. */
const PRIVATE_URLS = [
  'http://127.0.0.1/',
  'http://127.0.0.1:8080/admin',
  'http://127.1/',
  'http://127.0.1/',
  'http://0.0.0.0/',
  'http://0/',
  'http://10.0.0.1/',
  'http://172.16.0.1/',
  'http://192.168.1.1/',
  'http://100.64.0.1/',
  'http://169.254.169.254/latest/meta-data/',
  'http://224.0.0.1/',
  'http://255.255.255.255/',
  'http://2130706433/', // decimal 127.0.0.1
  'http://017700000001/', // octal
  'http://0x7f000001/', // hex
  'http://0x7f.0x0.0x0.0x1/',
  'http://0177.0.0.01/',
  'http://0xa9fea9fe/', // hex 169.254.169.254
  'http://127.0.0.1./',
  'http://①②⑦.0.0.1/', // IDNA maps these digits to 127.0.0.1
  'http://１２７.０.０.１/',
  'http://127。0。0。1/',
  'http://%31%32%37.0.0.1/',
  'http://[::1]/',
  'http://[::]/',
  'http://[0:0:0:0:0:0:0:1]/',
  'http://[fd00::1]/',
  'http://[fe80::1]/',
  'http://[fec0::1]/',
  'http://[ff02::1]/',
  'http://[::ffff:127.0.0.1]/', // IPv4-mapped
  'http://[::ffff:7f00:1]/',
  'http://[::ffff:a9fe:a9fe]/',
  'http://[64:ff9b::7f00:1]/', // NAT64 of loopback
  'http://[2002:7f00:1::]/', // 6to4 of loopback
  'http://[::127.0.0.1]/', // IPv4-compatible
  'http://[2001:db8::1]/',
  'http://localhost/',
  'http://LOCALHOST./',
  'http://LocalHost。/',
  'http://localhost:3000/',
  'http://api.localhost/',
  'http://printer.local/',
  'http://metadata.google.internal/computeMetadata/v1/',
  'http://localhost.localdomain/',
  'http://ip6-localhost/', // Debian's /etc/hosts
  'http://IP6-LOOPBACK./',
  'http://localhost6.localdomain6/', // Red Hat's
  'http://localhost4/',
  'https://user:pass@127.0.0.1/',
  'http://example.com@127.0.0.1/',
];

// the injected DNS: names an attacker could register, pointing inside
// the guard treats documentation ranges as reserved, so the stand-in is a real public address (never contacted)
const PUBLIC = '93.184.215.14';
const DNS: Record<string, string[]> = {
  'public.test': [PUBLIC],
  'loopback.test': ['127.0.0.1'],
  'v6loopback.test': ['::1'],
  'mapped.test': ['::ffff:127.0.0.1'],
  'metadata.test': ['169.254.169.254'],
  'lan.test': ['192.168.0.10'],
  'mixed.test': [PUBLIC, '10.0.0.5'], // one bad answer is enough to refuse
};

let t: TestApp;
let auth: Record<string, string> = {};
let admin: Browser;
let linkId = 0;
let linkCode = '';
let lnkzId = 0;
const transportCalls: string[] = [];
let secretHits = 0;
let localServer: ReturnType<typeof Bun.serve>;

/** The transport the fetcher is given: only the public stand-in is reachable, and it is our local server. */
const transport: FetchImpl = async (url, init) => {
  transportCalls.push(url);
  const u = new URL(url);
  if (u.hostname !== PUBLIC) throw new Error(`the guard let ${u.hostname} through`);
  return fetch(`http://127.0.0.1:${localServer.port}${u.pathname}${u.search}`, { ...init, redirect: 'manual' });
};

const resolve = async (host: string) => {
  const answer = DNS[host];
  if (!answer) throw new Error(`NXDOMAIN ${host}`);
  return answer;
};

const fetcher = () => createSafeFetcher({ allowPrivateTargets: false, resolve, fetchImpl: transport, timeoutMs: 3000 });

beforeAll(async () => {
  localServer = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    fetch(req) {
      const url = new URL(req.url);
      if (url.pathname === '/secret' || url.pathname.startsWith('/latest')) {
        secretHits++;
        return new Response('<html><head><meta property="og:title" content="internal secret"></head></html>', { headers: { 'content-type': 'text/html' } });
      }
      if (url.pathname === '/r') return new Response(null, { status: 302, headers: { location: url.searchParams.get('to') ?? '/' } });
      return new Response('<html><head><meta property="og:title" content="Public page"></head></html>', { headers: { 'content-type': 'text/html' } });
    },
  });
  t = await securityApp({ fetchMeta: createMetaFetcher(fetcher()), env: { ANONYMOUS_LINKS: 'true' } });
  t.services.unshorten = createUnshortener(fetcher());
  await t.services.plans.update('enterprise', { rateLimitPerMinute: 1_000_000 });
  const u = await t.user('enterprise', 'admin');
  auth = u.auth;
  admin = await signIn(t, u.email, u.password);
  const made = await send(t, 'POST', '/api/v1/links', { headers: auth, json: { original_url: 'https://example.com/start', title: 'start' } });
  const link = (await made.json()) as { id: number; short_code: string };
  linkId = link.id;
  linkCode = link.short_code;
  const lz = await send(t, 'POST', '/api/v1/urls', { headers: auth, json: { url: 'https://example.com/lnkz' } });
  lnkzId = ((await lz.json()) as { data: { id: number } }).data.id;
});

afterAll(async () => {
  localServer?.stop(true);
  await t?.close();
});

/** Stored destinations, previews and schedules: none may name a private host. */
function storedPrivateHosts(): string[] {
  const db = t.services.db.sqlite;
  const urls = [
    ...db.query<{ u: string | null }, []>('SELECT destination AS u FROM links UNION ALL SELECT thumbnail_url FROM links UNION ALL SELECT destination FROM link_schedules').all().map((r) => r.u),
  ].filter((u): u is string => u !== null);
  return urls.filter((u) => {
    try {
      return isPrivateHost(new URL(u).hostname);
    } catch {
      return false;
    }
  });
}

interface CreateRoute {
  name: string;
  /** sends dest; resolves true when the route refused it the way its dialect documents */
  refuses(dest: string): Promise<boolean>;
}

const refusedWith = (statuses: number[]) => async (res: Response) => statuses.includes(res.status);
const shrtlnkForm = async () => {
  const home = await send(t, 'GET', '/', { headers: { accept: 'text/html' } });
  return { cookie: cookieOf(home), token: /<meta name="csrf-token" content="([^"]+)">/.exec(await home.text())![1]! };
};

const CREATE_ROUTES: CreateRoute[] = [
  { name: 'native POST /api/v1/links', refuses: async (d) => refusedWith([422])(await send(t, 'POST', '/api/v1/links', { headers: auth, json: { original_url: d } })) },
  { name: 'native PUT /api/v1/links/{id}', refuses: async (d) => refusedWith([422])(await send(t, 'PUT', `/api/v1/links/${linkId}`, { headers: auth, json: { original_url: d } })) },
  { name: 'LinkShrink POST /api/v1/shorten', refuses: async (d) => refusedWith([400])(await send(t, 'POST', '/api/v1/shorten', { headers: auth, json: { url: d } })) },
  {
    name: 'LinkShrink POST /api/v1/shorten/bulk',
    refuses: async (d) => {
      const res = await send(t, 'POST', '/api/v1/shorten/bulk', { headers: auth, json: { urls: [d] } });
      const body = (await res.json()) as { data?: { success: boolean }[] };
      return res.status === 400 || (res.status === 207 && body.data?.[0]?.success === false);
    },
  },
  {
    name: 'LinkShrink POST /api/v1/shorten/utm',
    refuses: async (d) => refusedWith([400])(await send(t, 'POST', '/api/v1/shorten/utm', { headers: auth, json: { url: d, utm_source: 's', utm_medium: 'm', utm_campaign: 'c' } })),
  },
  { name: 'Linx.ly POST /v1/client/short-links', refuses: async (d) => refusedWith([422])(await send(t, 'POST', '/v1/client/short-links', { headers: auth, json: { destination_url: d } })) },
  {
    name: 'Linx.ly POST schedules[].destination_url',
    refuses: async (d) =>
      refusedWith([422])(
        await send(t, 'POST', '/v1/client/short-links', {
          headers: auth,
          json: { destination_url: 'https://example.com/s', schedules: [{ start_at: '2030-01-01 00:00:00', end_at: null, destination_url: d }] },
        }),
      ),
  },
  { name: 'Linx.ly PUT /v1/client/short-links/{code}', refuses: async (d) => refusedWith([422])(await send(t, 'PUT', `/v1/client/short-links/${linkCode}`, { headers: auth, json: { destination_url: d } })) },
  { name: 'lnkz POST /api/v1/urls', refuses: async (d) => refusedWith([422])(await send(t, 'POST', '/api/v1/urls', { headers: auth, json: { url: d } })) },
  { name: 'lnkz POST /api/v1/urls/bulk', refuses: async (d) => refusedWith([422])(await send(t, 'POST', '/api/v1/urls/bulk', { headers: auth, json: [{ url: 'https://example.com/ok' }, { url: d }] })) },
  { name: 'lnkz PUT /api/v1/urls/{id}', refuses: async (d) => refusedWith([422])(await send(t, 'PUT', `/api/v1/urls/${lnkzId}`, { headers: auth, json: { url: d } })) },
  { name: 'ShrtLnk POST /api/links', refuses: async (d) => refusedWith([422])(await send(t, 'POST', '/api/links', { headers: auth, json: { original_url: d } })) },
  {
    name: 'ShrtLnk POST /api/links thumbnail_url',
    refuses: async (d) => refusedWith([422])(await send(t, 'POST', '/api/links', { headers: auth, json: { original_url: 'https://example.com/thumb', thumbnail_url: d, page_title: 'x' } })),
  },
  { name: 'ShrtLnk PATCH /api/links/{code}', refuses: async (d) => refusedWith([422])(await send(t, 'PATCH', `/api/links/${linkCode}`, { headers: auth, json: { original_url: d } })) },
  {
    name: 'ShrtLnk POST /shorten (web, anonymous)',
    refuses: async (d) => {
      const f = await shrtlnkForm();
      return refusedWith([422])(await send(t, 'POST', '/shorten', { headers: { cookie: f.cookie, 'x-csrf-token': f.token }, json: { original_url: d } }));
    },
  },
  {
    name: 'dashboard POST /dashboard/links/new',
    refuses: async (d) => refusedWith([422])(await send(t, 'POST', '/dashboard/links/new', { ip: admin.ip, headers: { cookie: admin.cookie }, form: { url: d, _csrf: admin.csrf } })),
  },
  {
    name: 'dashboard POST /dashboard/links/{id}/edit',
    refuses: async (d) => refusedWith([422])(await send(t, 'POST', `/dashboard/links/${linkId}/edit`, { ip: admin.ip, headers: { cookie: admin.cookie }, form: { url: d, _csrf: admin.csrf } })),
  },
  {
    name: 'dashboard POST /dashboard/links/import',
    refuses: async (d) => {
      const res = await send(t, 'POST', '/dashboard/links/import', { ip: admin.ip, headers: { cookie: admin.cookie }, form: { csv: `url\n${d}\n`, _csrf: admin.csrf } });
      return res.status < 500; // per-row results; what matters is that nothing private was stored (checked below)
    },
  },
];

describe('destinations: every create and edit route refuses internal hosts in every spelling', () => {
  test('the guard sees through every spelling (url-policy)', () => {
    for (const u of PRIVATE_URLS) expect([u, isPrivateHost(new URL(u).hostname)]).toEqual([u, true]);
  });

  for (const route of CREATE_ROUTES) {
    test(route.name, async () => {
      const accepted: string[] = [];
      for (const dest of PRIVATE_URLS) if (!(await route.refuses(dest))) accepted.push(dest);
      expect(accepted).toEqual([]);
      expect(storedPrivateHosts()).toEqual([]);
    });
  }

  test('ShrtLnk normalisation cannot smuggle one in without a scheme', async () => {
    for (const raw of ['127.0.0.1/x', 'localhost:8080', '[::1]/', '2130706433', '0x7f000001/a']) {
      const res = await send(t, 'POST', '/api/links', { headers: auth, json: { original_url: raw } });
      expect([raw, res.status]).toEqual([raw, 422]);
    }
    expect(storedPrivateHosts()).toEqual([]);
  });

  test('control: a public destination is accepted by the same routes', async () => {
    const res = await send(t, 'POST', '/api/v1/links', { headers: auth, json: { original_url: 'https://example.com/fine' } });
    expect(res.status).toBe(201);
  });
});

describe('names that resolve inside: the OG fetch on create', () => {
  test('a link to a name resolving to an internal address is stored but never fetched; the title falls back to the host', async () => {
    for (const host of ['loopback.test', 'v6loopback.test', 'mapped.test', 'metadata.test', 'lan.test', 'mixed.test']) {
      const before = transportCalls.length;
      const res = await send(t, 'POST', '/api/v1/links', { headers: auth, json: { original_url: `http://${host}/secret` } });
      expect(res.status).toBe(201);
      expect(((await res.json()) as { title: string }).title).toBe(host);
      expect(transportCalls.length).toBe(before);
    }
    expect(secretHits).toBe(0);
  });

  test('control: a public name is fetched (through the injected transport) and its og:title used', async () => {
    const res = await send(t, 'POST', '/api/v1/links', { headers: auth, json: { original_url: 'http://public.test/page' } });
    expect(((await res.json()) as { title: string }).title).toBe('Public page');
    expect(transportCalls.at(-1)).toStartWith(`http://${PUBLIC}/page`);
  });
});

const REDIRECT_TARGETS = (port: number) => [
  `http://127.0.0.1:${port}/secret`,
  `http://127.1:${port}/secret`,
  `http://localhost:${port}/secret`,
  `http://[::1]:${port}/secret`,
  `http://[::ffff:127.0.0.1]:${port}/secret`,
  `http://2130706433:${port}/secret`,
  `http://0x7f000001:${port}/secret`,
  `http://017700000001:${port}/secret`,
  `http://loopback.test:${port}/secret`,
  `http://mixed.test:${port}/secret`,
  `//127.0.0.1:${port}/secret`,
  'http://169.254.169.254/latest/meta-data/',
  'http://metadata.test/latest/meta-data/',
];

describe('redirects from an allowed server to an internal one', () => {
  test('unshorten (GET /api/v1/unshorten and services.unshorten) stops at the hop, 400, and never reaches /secret', async () => {
    for (const target of REDIRECT_TARGETS(localServer.port!)) {
      const start = `http://public.test/r?to=${encodeURIComponent(target)}`;
      const res = await send(t, 'GET', `/api/v1/unshorten?url=${encodeURIComponent(start)}`, { headers: auth });
      expect([target, res.status]).toEqual([target, 400]);
      expect(((await res.json()) as { error: string }).error).toBe('Failed to unshorten URL');
      await expect(t.services.unshorten(start)).rejects.toMatchObject({ code: 'FETCH_FAILED', meta: { reason: 'private' } });
    }
    expect(secretHits).toBe(0);
    for (const call of transportCalls) expect(isPrivateAddress(new URL(call).hostname)).toBe(false);
  });

  test('the OG fetcher stops at the same hops: no title from the internal page', async () => {
    const og = createMetaFetcher(fetcher());
    for (const target of REDIRECT_TARGETS(localServer.port!)) {
      expect(await og(`http://public.test/r?to=${encodeURIComponent(target)}`)).toBeNull();
    }
    expect(secretHits).toBe(0);
  });

  test('unshorten refuses internal URLs given directly, in every spelling, before connecting', async () => {
    const before = transportCalls.length;
    for (const u of [...PRIVATE_URLS, 'http://loopback.test/', 'http://mapped.test/', 'http://lan.test/']) {
      const res = await send(t, 'GET', `/api/v1/unshorten?url=${encodeURIComponent(u)}`, { headers: auth });
      expect([u, res.status]).toEqual([u, 400]);
    }
    expect(transportCalls.length).toBe(before);
  });

  test('control: a redirect to a public page is followed', async () => {
    const res = await send(t, 'GET', `/api/v1/unshorten?url=${encodeURIComponent('http://public.test/r?to=http%3A%2F%2Fpublic.test%2Fdone')}`, { headers: auth });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { data: { destinationUrl: string; redirectCount: number } };
    expect(body.data).toMatchObject({ destinationUrl: 'http://public.test/done', redirectCount: 1 });
  });

  test('the anonymous caller cannot use unshorten as an open proxy either (key or ANONYMOUS_LINKS, same guard)', async () => {
    const res = await send(t, 'GET', `/api/v1/unshorten?url=${encodeURIComponent(`http://127.0.0.1:${localServer.port}/secret`)}`);
    expect(res.status).toBe(400);
    expect((await res.json()).error).toBe('Failed to unshorten URL');
    expect(secretHits).toBe(0);
  });
});
