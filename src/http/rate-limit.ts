/**
 * Rolling one-minute limits, two ways by size:
 * - small limits (≤ 32 a minute: passwords, logins, anonymous creates) keep
 *   the times of the last `limit` hits and are exact: never more than limit
 *   hits in any 60 seconds. They guard secrets, where a leak at a window edge
 *   is an extra guess.
 * - large limits (API keys, 60–300 a minute) use two fixed windows, the
 *   previous one weighted by how much of it still overlaps: O(1) memory per
 *   key and no bursts of twice the limit at window edges (at most one extra
 *   hit when the previous window's hits all came at its very end).
 * A refused request is not counted; the answer is the Retry-After seconds
 * after which the same key is allowed again.
 */
const EXACT_MAX = 32;

type Bucket = { start: number; current: number; previous: number } | { times: Float64Array; next: number; count: number };

export function createRateLimiter(opts: { windowMs?: number; now?: () => number; maxKeys?: number } = {}) {
  const windowMs = opts.windowMs ?? 60_000;
  const now = opts.now ?? Date.now;
  const maxKeys = opts.maxKeys ?? 100_000;
  const buckets = new Map<string, Bucket>();

  const retryAfter = (until: number, t: number) => Math.max(1, Math.ceil((until + 1 - t) / 1000));

  function exact(b: { times: Float64Array; next: number; count: number }, t: number, limit: number): number | null {
    if (b.count === limit) {
      const oldest = b.times[b.next]!; // the ring is full: next is the oldest slot
      if (t - oldest < windowMs) return retryAfter(oldest + windowMs - 1, t);
    } else b.count++;
    b.times[b.next] = t;
    b.next = (b.next + 1) % limit;
    return null;
  }

  function approximate(b: { start: number; current: number; previous: number }, t: number, limit: number): number | null {
    const windowStart = t - (t % windowMs);
    if (b.start !== windowStart) {
      b.previous = b.start === windowStart - windowMs ? b.current : 0;
      b.current = 0;
      b.start = windowStart;
    }
    const overlap = 1 - (t - windowStart) / windowMs;
    if (b.current + b.previous * overlap >= limit) {
      // the earliest moment the estimate drops below the limit again
      const until =
        b.current >= limit
          ? windowStart + windowMs + windowMs * (1 - limit / b.current)
          : windowStart + windowMs * (1 - (limit - b.current) / b.previous);
      return retryAfter(until, t);
    }
    b.current++;
    return null;
  }

  return {
    /** Counts one request for key; returns null when allowed, else Retry-After seconds. */
    hit(key: string, limit: number): number | null {
      const t = now();
      const small = limit <= EXACT_MAX;
      let b = buckets.get(key);
      // a key's limit can change (an admin edits a plan): start it afresh in the right shape
      if (!b || (small ? !('times' in b) || b.times.length !== limit : 'times' in b)) {
        if (!b && buckets.size >= maxKeys) buckets.clear(); // bounded memory under a flood of keys
        b = small ? { times: new Float64Array(Math.max(1, limit)), next: 0, count: 0 } : { start: t - (t % windowMs), current: 0, previous: 0 };
        buckets.set(key, b);
      }
      if (limit <= 0) return retryAfter(t + windowMs, t);
      return 'times' in b ? exact(b, t, limit) : approximate(b, t, limit);
    },
    reset: () => buckets.clear(),
  };
}
export type RateLimiter = ReturnType<typeof createRateLimiter>;
