/**
 * The CSRF token of the password form: a signed token bound to the link's
 * code, valid long enough to go and find the password.
 */
import { createSignedTokens } from '../http/signed-token.ts';

export interface FormTokenOptions {
  secret?: Uint8Array;
  ttlMs?: number;
  now?: () => number;
}

export function createFormTokens(opts: FormTokenOptions = {}) {
  const tokens = createSignedTokens({ purpose: 'unlock', ttlMs: opts.ttlMs ?? 2 * 60 * 60 * 1000, secret: opts.secret, now: opts.now });
  return { issue: tokens.issue, check: tokens.verify };
}
export type FormTokens = ReturnType<typeof createFormTokens>;
