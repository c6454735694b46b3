/**
 * Stateless expiring tokens: `EXPIRY.HMAC(secret, purpose, binding, EXPIRY)`.
 * Serving a form costs no storage, and a token only verifies for the purpose
 * and binding (a browser's nonce, a link's code) it was issued for, until it
 * expires. Verification is constant-time. The secret is random per process
 * unless one is passed in; a restart then only means reloading an open form.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export interface SignedTokenOptions {
  /** keeps tokens of one use from verifying in another that shares the secret */
  purpose: string;
  ttlMs: number;
  secret?: Uint8Array | string;
  now?: () => number;
}

export function createSignedTokens(opts: SignedTokenOptions) {
  const secret = opts.secret ?? randomBytes(32);
  const now = opts.now ?? Date.now;
  const mac = (binding: string, expiry: string) =>
    createHmac('sha256', secret).update(`${opts.purpose}\u0000${binding}\u0000${expiry}`).digest();

  return {
    issue(binding: string): string {
      const expiry = String(now() + opts.ttlMs);
      return `${expiry}.${mac(binding, expiry).toString('base64url')}`;
    },

    /** True when the token was issued for this binding, by this secret, and has not expired. */
    verify(binding: string, token: unknown): boolean {
      if (typeof token !== 'string' || token.length > 200) return false;
      const dot = token.indexOf('.');
      const expiry = token.slice(0, dot);
      if (dot < 1 || !/^\d{1,16}$/.test(expiry) || Number(expiry) < now()) return false;
      const given = Buffer.from(token.slice(dot + 1), 'base64url');
      const expected = mac(binding, expiry);
      return given.length === expected.length && timingSafeEqual(given, expected);
    },
  };
}
