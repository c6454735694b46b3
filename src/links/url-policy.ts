/**
 * What a link may point at. http and https only, at most 2048 characters,
 * and — unless private targets are allowed (homelab links to internal hosts) —
 * never a private, loopback, link-local or reserved address, nor a name that
 * always means "this machine". WHATWG URL parsing already canonicalises
 * decimal, octal and hex IPv4 spellings, so http://2130706433/ is seen as
 * 127.0.0.1. Names that resolve to private addresses are the fetcher's job
 * (it checks every resolved address); here we judge only what is written.
 */
import { DomainError } from '../errors.ts';
import { charLength } from '../text.ts';
import { isIpLiteral, isLocalHostname, isPrivateAddress } from '../fetcher/ip-ranges.ts';
import { isReservedCode } from './codes.ts';
import type { Utm } from './links.types.ts';

export const MAX_URL_LENGTH = 2048;

export interface UrlPolicy {
  allowPrivateTargets: boolean;
  /** this shortener's host (BASE_URL's): its short links are refused as destinations, see checkDestination */
  shortHost?: string;
}

/** The policy a deployment's configuration sets. */
export const urlPolicyOf = (config: { allowPrivateTargets: boolean; baseUrl: string }): UrlPolicy => ({
  allowPrivateTargets: config.allowPrivateTargets,
  shortHost: new URL(config.baseUrl).host,
});

/** A path this shortener answers with a redirect: /{code}, /s/{code}, /preview/{code} (pages under reserved words are not). */
function isShortLinkPath(pathname: string): boolean {
  const m = /^\/(?:s\/|preview\/)?([^/]+)\/?$/.exec(pathname);
  return m !== null && !isReservedCode(decodeURIComponentSafe(m[1]!));
}

const decodeURIComponentSafe = (s: string) => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};

/**
 * Validates a destination and returns it trimmed. Throws VALIDATION with
 * meta.field = the field name given, and meta.reason one of
 * 'required' | 'string' | 'too_long' | 'invalid' | 'scheme' | 'private' | 'loop'.
 */
export function checkDestination(raw: unknown, policy: UrlPolicy, field = 'url'): string {
  const label = field.replace(/_/g, ' ');
  // as Laravel's required|string: an object or a number was sent, so "required" would mislead
  if (raw !== undefined && raw !== null && typeof raw !== 'string') {
    throw new DomainError('VALIDATION', `The ${label} field must be a string.`, { field, reason: 'string' });
  }
  if (raw === undefined || raw === null || raw.trim() === '') {
    throw new DomainError('VALIDATION', `The ${label} field is required.`, { field, reason: 'required' });
  }
  const value = raw.trim();
  if (charLength(value) > MAX_URL_LENGTH) {
    throw new DomainError('VALIDATION', `The ${label} field must not be greater than ${MAX_URL_LENGTH} characters.`, { field, reason: 'too_long' });
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new DomainError('VALIDATION', `The ${label} field must be a valid URL.`, { field, reason: 'invalid' });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new DomainError('VALIDATION', `The ${label} field must be a URL starting with http:// or https://.`, { field, reason: 'scheme' });
  }
  // Stored as sent and sent back in Location: what WHATWG parsers forgive (https:\\host, https:/host,
  // backslashes read as slashes, control characters dropped) other clients read differently, or not
  // at all; Laravel's url rule refuses them too. So are characters that turn the text around them
  // (bidi controls: 'invoice\u202Egpj.exe' reads 'invoiceexe.jpg' wherever a client shows it), and
  // characters that do not show at all (zero-width space, word joiner, soft hyphen); the zero-width
  // joiners of emoji sequences stay
  if (!url.hostname || /[\s<>"\\\u0000-\u001f\u007f-\u009f\u00ad\u061c\u200b\u200e\u200f\u202a-\u202e\u2060\u2066-\u2069]/.test(value) || !/^https?:\/\/[^/]/i.test(value)) {
    throw new DomainError('VALIDATION', `The ${label} field must be a valid URL.`, { field, reason: 'invalid' });
  }
  if (!policy.allowPrivateTargets && isPrivateHost(url.hostname)) {
    throw new DomainError('VALIDATION', `The ${label} field points to a private or loopback address, which is not allowed.`, {
      field,
      reason: 'private',
    });
  }
  // a short link of this very shortener chains redirects, each counted as a click, and two of them
  // pointing at each other loop until the browser gives up (Minilnk: "loopback warning")
  // a trailing dot names the same host (sho.rt. is sho.rt), and the server answers it alike
  if (policy.shortHost && url.host.replace(/\.(?=:|$)/, '') === policy.shortHost && isShortLinkPath(url.pathname)) {
    throw new DomainError('VALIDATION', `The ${label} field is a short link of this site; use its destination instead.`, { field, reason: 'loop' });
  }
  return value;
}

export function isPrivateHost(hostname: string): boolean {
  if (isLocalHostname(hostname)) return true;
  return isIpLiteral(hostname) && isPrivateAddress(hostname);
}

/** A loop, not /\/+$/: that regex retries from every slash of a long run that does not end the path (quadratic). */
function withoutTrailingSlashes(path: string): string {
  let end = path.length;
  while (end > 0 && path.charCodeAt(end - 1) === 0x2f) end--;
  return path.slice(0, end);
}

/**
 * ShrtLnk-style normalisation: trim, add https:// when no scheme is given,
 * lowercase the host, drop a trailing slash on the path. Returns the input
 * unchanged when it cannot be parsed, so the validator reports it.
 */
export function normalizeUrl(raw: string): string {
  let value = raw.trim();
  // "host:8080/x" has a colon but no scheme; only "scheme://" or a known
  // non-hierarchical scheme counts as already having one
  if (value && !/^[a-z][a-z0-9+.-]*:\/\//i.test(value) && !/^(javascript|data|mailto|vbscript|file|about|blob|tel|sms):/i.test(value)) {
    // a scheme-relative "//host/x" takes https too, not a fourth slash
    value = `https://${value.replace(/^\/\//, '')}`;
  }
  let protocol: string;
  try {
    protocol = new URL(value).protocol;
  } catch {
    return value;
  }
  // Edited as text, not re-serialised: URL's serialisation percent-encodes every non-ASCII
  // character of the path and query (a Cyrillic letter becomes 6 characters), which the
  // documented normalisation does not do and which can push a valid URL past 2048 characters.
  const m = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#\\]*)([^?#]*)(.*)$/is.exec(value);
  if ((protocol !== 'http:' && protocol !== 'https:') || !m) return value;
  const [, scheme, authority, path, rest] = m as unknown as [string, string, string, string, string];
  const at = authority.lastIndexOf('@') + 1;
  const trimmedPath = path.length > 1 ? withoutTrailingSlashes(path) : '';
  // a character at a time: a word-final Σ lowercases to ς in context, a different host from the σ a browser reads
  const host = [...authority.slice(at)].map((c) => c.toLowerCase()).join('');
  return `${scheme.toLowerCase()}${authority.slice(0, at)}${host}${trimmedPath}${rest}`;
}

/**
 * Sets UTM parameters, keeping the destination's own query byte for byte
 * (URLSearchParams would re-encode all of it: %20 to +, a bare `flag` to
 * `flag=`) and its fragment. Like URLSearchParams.set, a parameter already
 * there is replaced where it stands and its repeats dropped; new ones are
 * appended.
 */
export function applyUtm(destination: string, utm: Partial<Record<keyof Utm, string | null>>): string {
  const url = new URL(destination);
  const wanted = new Map<string, string>();
  for (const [key, value] of Object.entries(utm)) if (value) wanted.set(`utm_${key}`, value);
  if (!wanted.size) return url.toString();
  const pair = (key: string) => new URLSearchParams([[key, wanted.get(key)!]]).toString();
  const done = new Set<string>();
  const parts: string[] = [];
  for (const part of url.search.slice(1).split('&')) {
    if (!part) continue;
    const key = paramName(part);
    if (!wanted.has(key)) parts.push(part);
    else if (!done.has(key)) {
      parts.push(pair(key));
      done.add(key);
    }
  }
  for (const key of wanted.keys()) if (!done.has(key)) parts.push(pair(key));
  url.search = `?${parts.join('&')}`;
  return url.toString();
}

/** The decoded name of one `name=value` pair of a query string (as is when it does not decode). */
function paramName(part: string): string {
  const raw = part.split('=', 1)[0]!.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/** The host name of a URL, or null when it does not parse (titles fall back to it). */
export function hostOf(url: string): string | null {
  try {
    return new URL(url).hostname || null;
  } catch {
    return null;
  }
}
