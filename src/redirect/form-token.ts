/**
 * The CSRF token of the password form, kept stateless so that serving the
 * form costs no storage: `EXPIRY.HMAC(code, EXPIRY)` under a random secret
 * made when the process starts. A restart invalidates open forms, which only
 * means the visitor is shown the form again with a fresh token.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export interface FormTokenOptions {
  secret?: Uint8Array;
  /** how long a served form stays usable; long enough to go and find the password */
  ttlMs?: number;
  now?: () => number;
}

export function createFormTokens(opts: FormTokenOptions = {}) {
  const secret = opts.secret ?? randomBytes(32);
  const ttlMs = opts.ttlMs ?? 2 * 60 * 60 * 1000;
  const now = opts.now ?? Date.now;
  // the purpose prefix keeps these MACs from being valid anywhere else the secret might be reused
  const mac = (code: string, expiry: string) => createHmac('sha256', secret).update(`unlock\u0000${code}\u0000${expiry}`).digest();

  return {
    issue(code: string): string {
      const expiry = String(now() + ttlMs);
      return `${expiry}.${mac(code, expiry).toString('base64url')}`;
    },

    /** True when the token was issued for this code by this process and has not expired. */
    check(code: string, token: unknown): boolean {
      if (typeof token !== 'string' || token.length > 200) return false;
      const dot = token.indexOf('.');
      const expiry = token.slice(0, dot);
      if (dot < 1 || !/^\d{1,16}$/.test(expiry) || Number(expiry) < now()) return false;
      const given = Buffer.from(token.slice(dot + 1), 'base64url');
      const expected = mac(code, expiry);
      return given.length === expected.length && timingSafeEqual(given, expected);
    },
  };
}
export type FormTokens = ReturnType<typeof createFormTokens>;
