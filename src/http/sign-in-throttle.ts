/**
 * How many wrong passwords POST /login lets through, in a rolling minute:
 *   - 5 per email from one client address (its throttleKey);
 *   - 10 per client address, across emails;
 *   - 10 per email across addresses, held only against an address that has
 *     itself just failed at that email.
 * Only failures count, so nobody's own sign-ins (an office behind one NAT)
 * use anything up. A budget for the email alone, counting from anywhere, let
 * one address send 5 wrong passwords a minute and keep the account's owner
 * (the admin included) out from everywhere. Here an attacker's failures stop
 * the attacker's address; an address with no recent failure at this email is
 * always checked, so the owner signing in from elsewhere gets in, while a
 * guesser spread over many addresses gets about one guess per address per
 * minute once the email's failures fill up (the price: someone else who has
 * just mistyped this account's password waits out their minute). The email's
 * budget is twice the per-address one so that one address alone cannot
 * fill it. Budgets depend only on what was typed, never on whether the
 * account exists (users.authenticate compares against a dummy hash for an
 * unknown email, so its timing does not say either).
 *
 * A request is counted before its password is checked and given back unless
 * the password was wrong (right, or the check failed for another reason, such
 * as storage): counting only after the check let requests sent at once all
 * pass the check before any failure was counted.
 */
import type { RateLimiter } from './rate-limit.ts';

export const SIGN_IN_FAILURES_PER_EMAIL_AND_ADDRESS = 5;
export const SIGN_IN_FAILURES_PER_ADDRESS = 10;
export const SIGN_IN_FAILURES_PER_EMAIL = 2 * SIGN_IN_FAILURES_PER_EMAIL_AND_ADDRESS;

type Budget = readonly [key: string, limit: number];

/** Refused (Retry-After seconds), or allowed: then say whether the password turned out wrong (anything else is given back). */
export type SignInAttempt = { retryAfter: number } | { retryAfter: null; settle(wrongPassword: boolean): void };

/** @param email as normalEmail gives it ('' when none was typed); @param address the client's throttleKey */
export function startSignIn(limiter: RateLimiter, email: string, address: string): SignInAttempt {
  const ip: Budget = [`login:ip:${address}`, SIGN_IN_FAILURES_PER_ADDRESS];
  // an address has no white space: the key cannot be read as another address and email
  const pair: Budget | null = email ? [`login:pair:${address} ${email}`, SIGN_IN_FAILURES_PER_EMAIL_AND_ADDRESS] : null;
  const account: Budget | null = email ? [`login:email:${email}`, SIGN_IN_FAILURES_PER_EMAIL] : null;
  const failedHere = pair !== null && limiter.remaining(...pair).remaining < pair[1];
  const budgets = [ip, pair, failedHere ? account : null].filter((b): b is Budget => b !== null);
  const refused = limiter.hitAll(budgets);
  if (refused) return { retryAfter: refused.retryAfter };
  return {
    retryAfter: null,
    settle(wrongPassword) {
      if (!wrongPassword) for (const [key] of budgets) limiter.release(key);
      // the email's failures count from every address, even while they are held only against some
      else if (account && !failedHere) limiter.hit(...account);
    },
  };
}
