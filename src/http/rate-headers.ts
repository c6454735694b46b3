/**
 * X-RateLimit-Limit / -Remaining / -Reset on every answer to a rate-limited
 * API request, as the Laravel services whose APIs we speak send them (their
 * throttle middleware) and as clients pacing themselves read them; a refusal
 * also carries Retry-After. The budget is noted against the Request when the
 * limiter counts it, and the dialect wrapper stamps the response, so handlers
 * stay unaware of it. The first budget noted is the request's own (the key's,
 * or the address's for anonymous calls); a narrower one a route checks later
 * (a link's password guesses) reports only through its refusal.
 */
import { DomainError } from '../errors.ts';
import type { RateLimiter } from './rate-limit.ts';

/** A limiter key and its limit a minute. */
export type Budget = readonly [key: string, limit: number];

interface Quota {
  limit: number;
  remaining: number;
  /** epoch ms when the oldest counted request leaves the window */
  resetAt: number;
}

const quotas = new WeakMap<Request, Quota>();

function noteQuota(request: Request, quota: Quota): void {
  if (!quotas.has(request)) quotas.set(request, quota);
}

/**
 * Counts the request against every budget (all or none, limiter.hitAll) and notes the first for
 * its answer's headers. @throws RATE_LIMITED with `message`, the refusing budget's limit and Retry-After
 */
export function spendBudgets(limiter: RateLimiter, request: Request, budgets: readonly Budget[], message: string): void {
  const refused = limiter.hitAll(budgets);
  if (refused !== null) throw new DomainError('RATE_LIMITED', message, refused);
  const [key, limit] = budgets[0]!;
  noteQuota(request, { limit, ...limiter.remaining(key, limit) });
}

function stamp(res: Response, q: Quota): Response {
  res.headers.set('x-ratelimit-limit', String(q.limit));
  res.headers.set('x-ratelimit-remaining', String(q.remaining));
  res.headers.set('x-ratelimit-reset', String(Math.ceil(q.resetAt / 1000)));
  return res;
}

/** The headers of the budget this request was counted against, if any. */
export function withRateHeaders(res: Response, request: Request): Response {
  const q = quotas.get(request);
  return q ? stamp(res, q) : res;
}

/** A RATE_LIMITED refusal: Retry-After, and the exhausted budget when the error names its limit; an UNAVAILABLE one (storage): Retry-After. Anything else is left as it is. */
export function withRetryAfter(res: Response, error: DomainError): Response {
  if (error.code !== 'RATE_LIMITED' && error.code !== 'UNAVAILABLE') return res;
  const retryAfter = typeof error.meta.retryAfter === 'number' ? error.meta.retryAfter : 60;
  res.headers.set('retry-after', String(retryAfter));
  if (typeof error.meta.limit === 'number') stamp(res, { limit: error.meta.limit, remaining: 0, resetAt: Date.now() + retryAfter * 1000 });
  return res;
}
