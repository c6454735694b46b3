/**
 * A browser that has signed in to an account before carries a cookie saying
 * so, signed and bound to that account's email (OWASP's "device cookie").
 * Sign-in throttling gives such a browser a budget of its own instead of the
 * account's shared one, which guessing spread over many addresses fills: the
 * owner on their usual browser is never locked out by someone else, while
 * guesses from anywhere else share one small budget per account. The cookie
 * goes only to /login, and a new one (a new device id) is issued at each
 * sign-in.
 */
import { randomHex } from '../accounts/secrets.ts';
import { readCookie } from './csrf.ts';
import { createSignedTokens } from './signed-token.ts';

export const DEVICE_COOKIE = 'shrinkray_device';
const YEAR_MS = 365 * 24 * 60 * 60 * 1000;

export function createTrustedDevices(opts: { secret: string; secure: boolean; now?: () => number }) {
  const tokens = createSignedTokens({ purpose: 'device', ttlMs: YEAR_MS, secret: opts.secret, now: opts.now });
  const binding = (email: string, id: string) => `${email}\u0000${id}`;
  return {
    /** The device id of this request's cookie when it was issued for `email` (as normalEmail gives it), else null. */
    idFor(request: Request, email: string): string | null {
      const m = /^([0-9a-f]{32})\.(\d{1,16}\.[\w-]{43})$/.exec(readCookie(request, DEVICE_COOKIE) ?? '');
      return m && email && tokens.verify(binding(email, m[1]!), m[2]) ? m[1]! : null;
    },
    /** The Set-Cookie that makes this browser a known one for `email`. */
    cookie(email: string): string {
      const id = randomHex(16);
      const attrs = `Path=/login; HttpOnly; SameSite=Strict${opts.secure ? '; Secure' : ''}; Max-Age=${YEAR_MS / 1000}`;
      return `${DEVICE_COOKIE}=${id}.${tokens.issue(binding(email, id))}; ${attrs}`;
    },
  };
}
export type TrustedDevices = ReturnType<typeof createTrustedDevices>;
