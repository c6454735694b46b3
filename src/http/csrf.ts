/**
 * Stateless CSRF protection for public forms that have no session: each
 * browser gets a random nonce in an HttpOnly cookie, and a page carries
 * `EXPIRY.HMAC(secret, nonce, EXPIRY)`. A cross-site attacker can make the
 * browser send the cookie but can neither read it nor mint a token for it,
 * so a forged POST fails; serving a page costs no storage.
 *
 * The secret is random per process unless the caller passes a stored one; a
 * restart then only means a visitor's open page needs reloading. Apps built in
 * one process (tests) each get their own instance through csrfFor().
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const CSRF_COOKIE = 'shrinkray_csrf';
const NONCE = /^[A-Za-z0-9_-]{22,64}$/;

export interface CsrfOptions {
  /** whether the cookie gets `Secure` (the public origin is https) */
  secure: boolean;
  secret?: Uint8Array | string;
  /** how long a served page stays usable; a day covers a tab left open */
  ttlMs?: number;
  now?: () => number;
}

export function readCookie(request: Request, name: string): string | null {
  const header = request.headers.get('cookie');
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim() || null;
  }
  return null;
}

export function createCsrf(opts: CsrfOptions) {
  const secret = opts.secret ?? randomBytes(32);
  const ttlMs = opts.ttlMs ?? 24 * 60 * 60 * 1000;
  const now = opts.now ?? Date.now;
  // the purpose prefix keeps these MACs from matching any other use of the secret
  const mac = (nonce: string, expiry: string) => createHmac('sha256', secret).update(`csrf\u0000${nonce}\u0000${expiry}`).digest();

  /** The browser's nonce from its cookie, when it has a well-formed one. */
  const nonceOf = (request: Request): string | null => {
    const value = readCookie(request, CSRF_COOKIE);
    return value && NONCE.test(value) ? value : null;
  };
  /** A Set-Cookie value for the nonce: HttpOnly (scripts read the meta tag, never the cookie). */
  const cookie = (nonce: string) => `${CSRF_COOKIE}=${nonce}; Path=/; HttpOnly; SameSite=Lax${opts.secure ? '; Secure' : ''}`;
  const newNonce = () => randomBytes(24).toString('base64url');
  const issue = (nonce: string) => {
    const expiry = String(now() + ttlMs);
    return `${expiry}.${mac(nonce, expiry).toString('base64url')}`;
  };

  return {
    nonceOf,
    cookie,
    issue,
    newNonce,

    /** True when the token was issued for this nonce by this secret and has not expired; constant-time. */
    verify(nonce: string | null, token: unknown): boolean {
      if (!nonce || typeof token !== 'string' || token.length > 200) return false;
      const dot = token.indexOf('.');
      const expiry = token.slice(0, dot);
      if (dot < 1 || !/^\d{1,16}$/.test(expiry) || Number(expiry) < now()) return false;
      const given = Buffer.from(token.slice(dot + 1), 'base64url');
      const expected = mac(nonce, expiry);
      return given.length === expected.length && timingSafeEqual(given, expected);
    },

    /**
     * The nonce to issue a page for: the browser's own, or a new one together
     * with the Set-Cookie header that gives it to the browser.
     */
    session(request: Request): { nonce: string; token: string; headers: Record<string, string> } {
      const existing = nonceOf(request);
      const nonce = existing ?? newNonce();
      return { nonce, token: issue(nonce), headers: existing ? {} : { 'set-cookie': cookie(nonce) } };
    },
  };
}
export type Csrf = ReturnType<typeof createCsrf>;

const perApp = new WeakMap<object, Csrf>();

/**
 * One CSRF instance per app, shared by the module that serves a form and the
 * one that receives it (they are mounted separately). Keyed by any object
 * unique to the app, e.g. its services.
 */
export function csrfFor(app: object, opts: CsrfOptions): Csrf {
  let csrf = perApp.get(app);
  if (!csrf) perApp.set(app, (csrf = createCsrf(opts)));
  return csrf;
}
