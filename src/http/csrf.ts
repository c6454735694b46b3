/**
 * Stateless CSRF protection for public forms that have no session: each
 * browser gets a random nonce in an HttpOnly cookie, and a page carries
 * `EXPIRY.HMAC(secret, nonce, EXPIRY)`. A cross-site attacker can make the
 * browser send the cookie but can neither read it nor mint a token for it,
 * so a forged POST fails; serving a page costs no storage.
 *
 * The secret is random per process unless the caller passes a stored one; a
 * restart then only means a visitor's open page needs reloading. Apps built in
 * one process (tests) each get their own instance: createApp puts it in AppDeps.
 */
import { randomBytes } from 'node:crypto';
import { createSignedTokens } from './signed-token.ts';

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
  const tokens = createSignedTokens({ purpose: 'csrf', ttlMs: opts.ttlMs ?? 24 * 60 * 60 * 1000, secret: opts.secret, now: opts.now });

  /** The browser's nonce from its cookie, when it has a well-formed one. */
  const nonceOf = (request: Request): string | null => {
    const value = readCookie(request, CSRF_COOKIE);
    return value && NONCE.test(value) ? value : null;
  };
  /** A Set-Cookie value for the nonce: HttpOnly (scripts read the meta tag, never the cookie). */
  const cookie = (nonce: string) => `${CSRF_COOKIE}=${nonce}; Path=/; HttpOnly; SameSite=Lax${opts.secure ? '; Secure' : ''}`;
  const newNonce = () => randomBytes(24).toString('base64url');
  const issue = (nonce: string) => tokens.issue(nonce);

  return {
    nonceOf,
    cookie,
    issue,
    newNonce,

    /** True when the token was issued for this nonce by this secret and has not expired; constant-time. */
    verify(nonce: string | null, token: unknown): boolean {
      return nonce !== null && tokens.verify(nonce, token);
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

