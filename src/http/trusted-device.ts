/**
 * A browser that has signed in to an account before carries a cookie saying
 * so (OWASP's "device cookie"), signed and bound to the account and its
 * password as they were (users.signInStamp): a password reset or change ends
 * the standing of every browser that earned it with the old one.
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
  const binding = (stamp: string, id: string) => `${stamp}\u0000${id}`;
  return {
    /** The device id of this request's cookie when it was issued for the account as `stamp` says it is now, else null. */
    idFor(request: Request, stamp: string | null): string | null {
      const m = /^([0-9a-f]{32})\.(\d{1,16}\.[\w-]{43})$/.exec(readCookie(request, DEVICE_COOKIE) ?? '');
      return m && stamp && tokens.verify(binding(stamp, m[1]!), m[2]) ? m[1]! : null;
    },
    /** The Set-Cookie that makes this browser a known one for the account `stamp` names. */
    cookie(stamp: string): string {
      const id = randomHex(16);
      const attrs = `Path=/login; HttpOnly; SameSite=Strict${opts.secure ? '; Secure' : ''}; Max-Age=${YEAR_MS / 1000}`;
      return `${DEVICE_COOKIE}=${id}.${tokens.issue(binding(stamp, id))}; ${attrs}`;
    },
  };
}
export type TrustedDevices = ReturnType<typeof createTrustedDevices>;
