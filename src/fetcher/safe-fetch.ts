/**
 * The only way shrinkray reaches out to other servers (Open Graph previews,
 * unshortening). A link's destination is chosen by whoever creates the link,
 * so every fetch is treated as an SSRF attempt until proven otherwise: http(s)
 * only, every hop's host resolved and refused if any address is not public,
 * redirects followed by hand so each Location is judged the same way, one
 * deadline for the whole operation, and bodies read as a stream and cut.
 *
 * Connections go to the address that was checked, not to a second lookup of
 * the name: the URL's host is replaced by the IP and the name travels in the
 * Host header and, for https, as the TLS server name (Bun's fetch sends it as
 * SNI and verifies the certificate against it), so a name that answers a
 * public address to the check and a private one a moment later (DNS
 * rebinding) gains nothing. Residual risk: the system resolver's answer is
 * trusted as given, and a public address that the network itself routes back
 * inside (hairpin NAT, an HTTP(S)_PROXY from the environment, which now sees
 * an IP, so NO_PROXY entries by name no longer match) is beyond what an
 * address check can see.
 */
import { lookup } from 'node:dns/promises';
import pkg from '../../package.json' with { type: 'json' };
import { DomainError } from '../errors.ts';
import { isIpLiteral, isLocalHostname, isPrivateAddress } from './ip-ranges.ts';

export type FetchFailReason =
  | 'private'
  | 'scheme'
  | 'timeout'
  | 'not_html'
  | 'too_many_redirects'
  | 'network'
  | 'dns'
  | 'status';

export interface RedirectHop {
  url: string;
  statusCode: number;
}

/** The transport, injectable so tests can play a remote host without touching the internet. */
export type FetchImpl = (url: string, init: BunFetchRequestInit) => Promise<Response>;

export interface SafeFetcherOptions {
  allowPrivateTargets: boolean;
  timeoutMs?: number;
  maxBytes?: number;
  maxRedirects?: number;
  resolve?: (host: string) => Promise<string[]>;
  fetchImpl?: FetchImpl;
}

export interface HtmlPage {
  finalUrl: string;
  status: number;
  html: string;
  chain: RedirectHop[];
  /** True when the body was longer than maxBytes and only its start was kept. */
  truncated: boolean;
}

export interface RedirectTrace {
  finalUrl: string;
  chain: RedirectHop[];
  status: number;
}

// the running version, so a site's owner reading their logs knows which one fetched
export const USER_AGENT = `shrinkray/${pkg.version} (+link preview)`;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const HTML_TYPES = new Set(['text/html', 'application/xhtml+xml']);

const fail = (reason: FetchFailReason, message: string, extra: Record<string, unknown> = {}) =>
  new DomainError('FETCH_FAILED', message, { reason, ...extra });

const systemResolve = async (host: string) => (await lookup(host, { all: true })).map((a) => a.address);

export function createSafeFetcher(opts: SafeFetcherOptions) {
  const timeoutMs = opts.timeoutMs ?? 3000;
  const maxBytes = opts.maxBytes ?? 1_000_000;
  const maxRedirects = opts.maxRedirects ?? 10;
  const resolve = opts.resolve ?? systemResolve;
  const fetchImpl: FetchImpl = opts.fetchImpl ?? ((url, init) => fetch(url, init));

  /** Returns the addresses to connect to, IPv4 first since many hosts lack an IPv6 route. */
  async function checkTarget(url: URL): Promise<string[]> {
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw fail('scheme', `Refusing to fetch a ${url.protocol} URL.`);
    const host = url.hostname;
    if (!opts.allowPrivateTargets && isLocalHostname(host)) throw fail('private', `Refusing to fetch the local host ${host}.`);
    let addresses: string[];
    if (isIpLiteral(host)) {
      addresses = [host.replace(/^\[|\]$/g, '')];
    } else {
      try {
        addresses = await resolve(host);
      } catch (e) {
        throw fail('dns', `Could not resolve ${host}.`, { cause: String(e) });
      }
      if (addresses.length === 0) throw fail('dns', `Could not resolve ${host}.`);
    }
    const blocked = addresses.find((a) => isPrivateAddress(a));
    if (!opts.allowPrivateTargets && blocked !== undefined) {
      throw fail('private', `Refusing to fetch ${host}: it resolves to a non-public address.`, { address: blocked });
    }
    return [...addresses.filter((a) => !a.includes(':')), ...addresses.filter((a) => a.includes(':'))];
  }

  /**
   * HEAD only saves the body: a server that refuses it (405, 501, but also the 400, 403 or 404 of
   * shorteners that route GET alone) is asked again as a browser would ask. Not after a 429 or a
   * 5xx: a server that is overloaded or down is not asked twice, and its status is the answer.
   */
  const refusesHead = (status: number) => status === 501 || (status >= 400 && status < 500 && status !== 429);

  /** One request for one hop, pinned to the checked addresses; the next address is tried only if connecting fails. */
  async function send(url: URL, addresses: string[], method: 'GET' | 'HEAD', accept: string, signal: AbortSignal) {
    const literal = isIpLiteral(url.hostname);
    let lastError: unknown;
    for (const ip of literal ? [url.hostname] : addresses) {
      const target = new URL(url);
      target.hostname = ip.includes(':') ? `[${ip}]` : ip;
      // a zone id (fe80::1%eth0) cannot live in a URL; skip rather than let fetch look the name up again
      if (!literal && target.hostname === url.hostname) continue;
      const init: BunFetchRequestInit = {
        method,
        redirect: 'manual',
        signal,
        headers: { host: url.host, 'user-agent': USER_AGENT, accept },
      };
      if (url.protocol === 'https:' && !literal) init.tls = { serverName: url.hostname };
      try {
        return await fetchImpl(target.href, init);
      } catch (e) {
        if (signal.aborted) throw e;
        lastError = e;
      }
    }
    throw fail('network', `Could not connect to ${url.host}.`, { cause: String(lastError) });
  }

  /** Follows redirects by hand so every hop passes checkTarget; returns the first non-redirect response. */
  async function walk(start: string, method: 'GET' | 'HEAD', accept: string, signal: AbortSignal) {
    let url = parseHttpUrl(start);
    const chain: RedirectHop[] = [];
    for (;;) {
      const addresses = await checkTarget(url);
      let res = await send(url, addresses, method, accept, signal);
      if (method === 'HEAD' && refusesHead(res.status)) {
        discard(res);
        res = await send(url, addresses, 'GET', accept, signal);
      }
      const location = REDIRECT_STATUSES.has(res.status) ? res.headers.get('location') : null;
      if (location === null) return { url, res, chain };
      discard(res);
      chain.push({ url: url.href, statusCode: res.status });
      if (chain.length > maxRedirects) {
        throw fail('too_many_redirects', `Gave up after ${maxRedirects} redirects.`, { hops: chain.length });
      }
      url = nextUrl(location, url);
    }
  }

  /** Runs op under one deadline; anything that is not already a DomainError becomes one. */
  async function withDeadline<T>(op: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    try {
      // the race also covers DNS lookups and injected transports, which ignore the signal
      return await raceAbort(op(controller.signal), controller.signal);
    } catch (e) {
      if (e instanceof DomainError) throw e;
      if (controller.signal.aborted) throw timeoutError(timeoutMs);
      throw fail('network', 'The remote server could not be reached.', { cause: String(e) });
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    /**
     * GETs an HTML page. A body over maxBytes is cut and its start kept (the
     * head, where Open Graph tags live, comes first), flagged by `truncated`.
     * Throws FETCH_FAILED with meta.reason private | scheme | timeout | dns |
     * network | too_many_redirects | status (non-2xx) | not_html.
     */
    fetchHtml(url: string): Promise<HtmlPage> {
      return withDeadline(async (signal) => {
        const { url: final, res, chain } = await walk(url, 'GET', 'text/html,application/xhtml+xml;q=0.9,*/*;q=0.1', signal);
        if (res.status < 200 || res.status > 299) {
          discard(res);
          throw fail('status', `The page answered ${res.status}.`, { status: res.status });
        }
        const contentType = res.headers.get('content-type') ?? '';
        const mediaType = contentType.split(';')[0]!.trim().toLowerCase();
        if (!HTML_TYPES.has(mediaType)) {
          discard(res);
          throw fail('not_html', `Expected an HTML page, got ${mediaType || 'no content type'}.`, { contentType: mediaType });
        }
        const { bytes, truncated } = await readCapped(res, maxBytes);
        return { finalUrl: final.href, status: res.status, html: decodeHtml(bytes, contentType), chain, truncated };
      });
    },

    /**
     * Traces a URL's redirects without reading any body: HEAD each hop (GET
     * when the server answers HEAD with an error), recording every redirect. Any final
     * status is returned as is. Throws FETCH_FAILED with meta.reason private |
     * scheme | timeout | dns | network | too_many_redirects.
     */
    followRedirects(url: string): Promise<RedirectTrace> {
      return withDeadline(async (signal) => {
        const { url: final, res, chain } = await walk(url, 'HEAD', '*/*', signal);
        discard(res);
        return { finalUrl: final.href, chain, status: res.status };
      });
    },
  };
}

export type SafeFetcher = ReturnType<typeof createSafeFetcher>;

function parseHttpUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw fail('scheme', 'Not a valid http(s) URL.');
  }
  return url;
}

function nextUrl(location: string, current: URL): URL {
  let next: URL;
  try {
    next = new URL(location, current);
  } catch {
    throw fail('scheme', 'The server redirected to an invalid URL.');
  }
  // browsers carry the fragment across a redirect that names none (Fetch spec, "HTTP-redirect fetch")
  if (!next.hash && current.hash) next.hash = current.hash;
  return next;
}

const timeoutError = (ms: number) => fail('timeout', `The remote server did not answer within ${ms} ms.`);

function raceAbort<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new Error('aborted'));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** Drops a body we will not read, so the connection is released instead of drained. */
function discard(res: Response): void {
  res.body?.cancel().catch(() => {});
}

/** Reads at most maxBytes; stops pulling from the socket as soon as the cap is reached. */
async function readCapped(res: Response, maxBytes: number): Promise<{ bytes: Uint8Array; truncated: boolean }> {
  const reader = res.body?.getReader();
  if (!reader) return { bytes: new Uint8Array(0), truncated: false };
  const chunks: Uint8Array[] = [];
  let size = 0;
  let truncated = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      const room = maxBytes - size;
      if (value.byteLength >= room) {
        chunks.push(value.subarray(0, room));
        size += room;
        // an exact fit may or may not be the end; claiming a cut is the safe side
        truncated = true;
        break;
      }
      chunks.push(value);
      size += value.byteLength;
    }
  } finally {
    reader.cancel().catch(() => {});
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const c of chunks) {
    bytes.set(c, offset);
    offset += c.byteLength;
  }
  return { bytes, truncated };
}

/**
 * The page's text, its encoding found as a browser finds it (WHATWG
 * "determine the character encoding", simplified): a byte order mark wins
 * over everything, then the header's charset, then a <meta charset> near the
 * top; with none, UTF-8 when the bytes are UTF-8, else windows-1252 (what
 * undeclared pages of the Latin-1 era are). A body cut at maxBytes may end in
 * half a character: streaming decode does not count that against UTF-8.
 */
export function decodeHtml(bytes: Uint8Array, contentType: string): string {
  const bom = bomOf(bytes);
  if (bom) return new TextDecoder(bom.encoding).decode(bytes.subarray(bom.length));
  const fromHeader = /charset\s*=\s*["']?([\w.:-]+)/i.exec(contentType)?.[1];
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 2048));
  // a page cannot declare UTF-16 in itself: bytes read far enough to find the tag are not UTF-16 (HTML spec)
  const fromMeta = /<meta[^>]+charset\s*=\s*["']?([\w.:-]+)/i.exec(head)?.[1]?.replace(/^utf-16(?:[bl]e)?$/i, 'utf-8');
  const declared = fromHeader ?? fromMeta;
  if (declared) {
    try {
      return new TextDecoder(declared).decode(bytes);
    } catch {
      // an unknown label: as if none were given
    }
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: true });
  } catch {
    return new TextDecoder('windows-1252').decode(bytes);
  }
}

function bomOf(b: Uint8Array): { encoding: string; length: number } | null {
  if (b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) return { encoding: 'utf-8', length: 3 };
  if (b[0] === 0xfe && b[1] === 0xff) return { encoding: 'utf-16be', length: 2 };
  if (b[0] === 0xff && b[1] === 0xfe) return { encoding: 'utf-16le', length: 2 };
  return null;
}
