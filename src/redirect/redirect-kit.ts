/**
 * What the redirect handlers share: code validation, the click hand-off to the
 * recorder, the redirects counter and the 302 itself. Built once per app, so
 * nothing here is allocated per request that could be allocated up front.
 */
import type { AppDeps } from '../http/app-deps.ts';
import { clickFacts } from '../http/click-facts.ts';
import { referrerDomain } from '../clicks/visitor.ts';
import { clientIp } from '../http/client-ip.ts';
import type { ServerLike } from '../http/context.ts';
import { isReservedCode, isValidCodeShape } from '../links/codes.ts';
import type { RedirectTarget } from '../links/links.types.ts';
import { createSignedTokens } from '../http/signed-token.ts';

/** What a redirect answer was, as counted in shrinkray_redirects_total. */
export type RedirectKind = 'direct' | 'bridge' | 'preview' | 'password' | 'not_found';

/** Markers a short URL may carry; none is forwarded to the destination. */
export const QR = 1; // ?qr=1: the URL a dynamic QR code encodes, so the click counts as a scan
// ?proceed=TOKEN: the visitor has seen the preview page (and given the password, if any), which signed it
// for this code; go straight on. Unsigned, anyone could share a link that skips a forced preview
export const PROCEED = 2;
export const PREVIEWING = 8; // ?preview=1 on the password form of /preview/CODE: once unlocked, show the preview
export const CARRIES_REFERRER = 16; // ?ref=HOST: where the visit came from, carried through one of our pages (referrerToCarry)
/**
 * Not a marker but the route: ShrtLnk documents GET /s/{code} among its API
 * calls ("increments clicks by 1"), so a script calling it (curl, requests) is
 * counted there, as LinkShrink's expand counts it; unfurlers and crawlers never are.
 */
export const SCRIPTS_COUNT = 4;

export function flagsOf(url: string): number {
  const q = url.indexOf('?');
  if (q === -1) return 0; // the common case parses nothing
  const params = new URLSearchParams(url.slice(q + 1));
  return (params.get('qr') === '1' ? QR : 0) | (params.get('proceed') ? PROCEED : 0) | (params.get('preview') === '1' ? PREVIEWING : 0) | (params.has('ref') ? CARRIES_REFERRER : 0);
}

/**
 * The password form's action for `code`: the markers it must carry back (a scan stays a scan; a form from
 * /preview/ shows the preview), and where the visitor came from (`ref`, see carriedReferrer).
 */
export function unlockAction(code: string, flags: number, ref: string | null = null): string {
  const markers = [flags & QR ? 'qr=1' : '', flags & PREVIEWING ? 'preview=1' : '', ref ? `ref=${ref}` : ''].filter(Boolean).join('&');
  return `/${code}${markers ? `?${markers}` : ''}`;
}

/**
 * A click counted after one of our pages (the password form, the preview's Proceed) arrives with that page
 * as its Referer: the referrer of the visit is the one the first request brought. Its domain travels in
 * `?ref=` (a host name and nothing else: the page's URL is shown in the visitor's address bar), read back
 * by carriedReferrer. Like any Referer it is the visitor's to send or forge.
 */
export const referrerToCarry = (request: Request): string | null =>
  // already carried here (the form sent back to /preview/ when its password went meanwhile)
  carriedHost(request.url) ?? hostName(referrerDomain(request.headers.get('referer')));

/**
 * A host name a URL parser reads back unchanged, or null: the pattern alone lets through what no URL
 * holds (1.2.3.256, 99999999999), which would fail wherever it is made into one.
 */
function hostName(host: string | null): string | null {
  if (host === null || host.length > 253 || !/^[a-z0-9-]+(\.[a-z0-9-]+)*$/.test(host)) return null;
  try {
    return new URL(`https://${host}/`).hostname === host ? host : null;
  } catch {
    return null;
  }
}

/** The host carried in `?ref=` (null when there is none, or it is no host name). */
export function carriedHost(url: string): string | null {
  const q = url.indexOf('?');
  return q === -1 ? null : hostName(new URLSearchParams(url.slice(q + 1)).get('ref'));
}

/** A carried host as the click's referrer (whose domain is all the click keeps). */
export const referrerOf = (host: string | null): string | null => (host === null ? null : `https://${host}/`);

/** The referrer carried in `?ref=` as a URL for the click (null: the visit came without one). */
export const carriedReferrer = (url: string): string | null => referrerOf(carriedHost(url));

/** The ?proceed= token of a URL ('' when there is none). */
export const proceedTokenOf = (url: string): string => new URLSearchParams(url.slice(url.indexOf('?') + 1)).get('proceed') ?? '';

// Location must be a byte string; a destination with non-ASCII characters
// (IDN hosts, unescaped paths) is sent in its serialised, percent-encoded form.
const NOT_HEADER_SAFE = /[^\x21-\x7e]/;
function locationOf(destination: string): string | null {
  if (!NOT_HEADER_SAFE.test(destination)) return destination;
  try {
    return new URL(destination).href;
  } catch {
    return null;
  }
}

export function createRedirectKit(deps: AppDeps) {
  const { links, recorder, config, metrics } = deps.services;
  const trustProxy = config.trustProxy;
  const redirects = metrics.counter('shrinkray_redirects_total', 'Redirects served.');
  // the same series operations.ts feeds for every other request (Bun's router sends HEAD here too)
  const requests = metrics.counter('shrinkray_http_requests_total', 'HTTP requests by method, matched route pattern and status.');
  const countGet = requests.with({ method: 'GET', route: '/:code', status: 302 });
  const countHead = requests.with({ method: 'HEAD', route: '/:code', status: 302 });
  const requestCounter = (method: string) => (method === 'HEAD' ? countHead() : countGet());
  const counted: Record<RedirectKind, () => void> = {
    direct: redirects.with({ kind: 'direct' }),
    bridge: redirects.with({ kind: 'bridge' }),
    preview: redirects.with({ kind: 'preview' }),
    password: redirects.with({ kind: 'password' }),
    not_found: redirects.with({ kind: 'not_found' }),
  };

  return {
    links,
    config,
    limiter: deps.limiter,
    // the password form's token: bound to the link's code, valid long enough to go and find the password
    tokens: createSignedTokens({ purpose: 'unlock', ttlMs: 2 * 60 * 60 * 1000 }),
    // the preview page's Proceed: bound to the link as the visitor saw it — its id and code, the destination
    // the page showed and the password it has now (a token issued before the destination was edited, a
    // password set or changed, or the code reused by another link, opens nothing). The destination is the
    // one its schedules give at the time (as the page showed it, as Proceed would go): a window opening or
    // closing between the two shows the page again rather than sending the visitor somewhere unseen.
    // Reusable until it expires (15 minutes: long enough to read the page and decide), as a reload would be
    proceed: (() => {
      const signed = createSignedTokens({ purpose: 'proceed', ttlMs: 15 * 60 * 1000 });
      const binding = (code: string, target: RedirectTarget) => `${target.id}\u0000${code}\u0000${links.destinationFor(target)}\u0000${target.passwordHash ?? ''}`;
      return {
        url: (code: string, target: RedirectTarget, flags: number, ref: string | null) =>
          `/${code}?proceed=${signed.issue(binding(code, target))}${flags & QR ? '&qr=1' : ''}${ref ? `&ref=${ref}` : ''}`,
        ok: (code: string, target: RedirectTarget, url: string) => signed.verify(binding(code, target), proceedTokenOf(url)),
      };
    })(),
    requestCounter,

    count(kind: RedirectKind): void {
      counted[kind]();
    },

    /** The code when it could name a link; Elysia hands over null for malformed %-escapes. */
    validCode(raw: unknown): string | null {
      return typeof raw === 'string' && isValidCodeShape(raw) && !isReservedCode(raw) ? raw : null;
    },

    clientIp: (request: Request, server: ServerLike | null) => clientIp({ request, server }, trustProxy),

    /**
     * Queues the click; the recorder writes it later, so this never touches SQLite. `referrer`, when given,
     * stands for the request's Referer (a visit carried through one of our pages: carriedReferrer).
     */
    record(target: RedirectTarget, request: Request, server: ServerLike | null, flags: number, referrer?: string | null): void {
      const click = clickFacts(target.id, request, server, trustProxy, flags & QR ? 'qr' : 'link', (flags & SCRIPTS_COUNT) !== 0);
      if (referrer !== undefined) click.referrer = referrer;
      recorder.record(click);
    },

    /**
     * A direct visit: the 302 to where the link sends visitors now, its click
     * queued (not for HEAD) and counted; null when the destination cannot be a
     * Location. The fast path and the full visit path both answer with this.
     */
    direct(target: RedirectTarget, request: Request, server: ServerLike | null, flags: number, referrer?: string | null): Response | null {
      const res = this.redirect(links.destinationFor(target));
      if (res === null) return null;
      if (request.method !== 'HEAD') this.record(target, request, server, flags, referrer);
      counted.direct();
      return res;
    },

    /**
     * The 302. no-store so that browsers and proxies come back every time and
     * every visit is counted (and a changed destination is followed at once).
     * No Referrer-Policy header: like Shlink and Kutt we leave the Referer to
     * the page that linked here. `unsafe-url` would override that page's own
     * policy and leak its full URL to the destination, even from https to
     * http; a stricter policy would hide referrers the destination's owner
     * legitimately expects to see.
     */
    redirect(destination: string): Response | null {
      const location = locationOf(destination);
      return location === null ? null : new Response(null, { status: 302, headers: { location, 'cache-control': 'private, no-store' } });
    },
  };
}
export type RedirectKit = ReturnType<typeof createRedirectKit>;
