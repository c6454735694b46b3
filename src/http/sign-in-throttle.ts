/**
 * How many wrong passwords POST /login lets through, in a rolling minute:
 *   - 10 per client address (its throttleKey), across emails;
 *   - 5 per email from one client address;
 *   - per account: 10 shared by every browser that has not signed in to it
 *     before, from whatever address; a browser that has (its device cookie,
 *     trusted-device.ts) has 5 of its own instead, and all such browsers of
 *     the account 50 between them (someone who once had the password and
 *     signed in many times has that many cookies, until a reset voids them).
 * Only failures count, so nobody's own sign-ins (an office behind one NAT)
 * use anything up. The account's shared budget caps guessing spread over
 * many addresses (an IPv6 /48 is 65,536 throttle keys) at 10 a minute; what
 * it costs, a new browser of the owner's waiting out an attack, the device
 * cookie spares the browsers they sign in with. (A budget per email alone,
 * counting every attempt, let one address keep the owner out everywhere; one
 * held only against addresses that had failed let each fresh address guess.)
 * Budgets depend only on what was typed, never on whether the account exists
 * (users.authenticate compares against a dummy hash for an unknown email, so
 * its timing does not say either).
 *
 * A request is counted before its password is checked and given back unless
 * the password was wrong (right, or the check failed for another reason, such
 * as storage): counting only after the check let requests sent at once all
 * pass the check before any failure was counted.
 */
import type { RateLimiter } from './rate-limit.ts';

export const SIGN_IN_FAILURES_PER_ADDRESS = 10;
export const SIGN_IN_FAILURES_PER_EMAIL_AND_ADDRESS = 5;
export const SIGN_IN_FAILURES_PER_ACCOUNT = 10;
export const SIGN_IN_FAILURES_PER_KNOWN_DEVICE = 5;
export const SIGN_IN_FAILURES_PER_ACCOUNT_KNOWN_DEVICES = 50;

type Budget = readonly [key: string, limit: number];

/** Refused (Retry-After seconds), or allowed: then say whether the password turned out wrong (anything else is given back). */
export type SignInAttempt = { retryAfter: number } | { retryAfter: null; settle(wrongPassword: boolean): void };

/**
 * @param email as normalEmail gives it ('' when none was typed)
 * @param address the client's throttleKey
 * @param device the id of the browser's device cookie for this email (TrustedDevices.idFor), or null
 */
export function startSignIn(limiter: RateLimiter, email: string, address: string, device: string | null = null): SignInAttempt {
  const budgets: Budget[] = [[`login:ip:${address}`, SIGN_IN_FAILURES_PER_ADDRESS]];
  if (email) {
    // an address has no white space: the key cannot be read as another address and email
    budgets.push([`login:pair:${address} ${email}`, SIGN_IN_FAILURES_PER_EMAIL_AND_ADDRESS]);
    if (device) budgets.push([`login:device:${device}`, SIGN_IN_FAILURES_PER_KNOWN_DEVICE], [`login:known:${email}`, SIGN_IN_FAILURES_PER_ACCOUNT_KNOWN_DEVICES]);
    else budgets.push([`login:email:${email}`, SIGN_IN_FAILURES_PER_ACCOUNT]);
  }
  const refused = limiter.hitAll(budgets);
  if (refused) return { retryAfter: refused.retryAfter };
  return {
    retryAfter: null,
    settle(wrongPassword) {
      if (!wrongPassword) for (const [key] of budgets) limiter.release(key);
    },
  };
}
