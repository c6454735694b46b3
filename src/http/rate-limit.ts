/**
 * Rolling one-minute windows, approximated with two fixed windows (the
 * current count plus the previous one weighted by how much of it still
 * overlaps): O(1) memory per key and no bursts of twice the limit at window
 * edges. A refused request is not counted; the answer is the Retry-After
 * seconds after which the same key is allowed again.
 */
export function createRateLimiter(opts: { windowMs?: number; now?: () => number; maxKeys?: number } = {}) {
  const windowMs = opts.windowMs ?? 60_000;
  const now = opts.now ?? Date.now;
  const maxKeys = opts.maxKeys ?? 100_000;
  const buckets = new Map<string, { start: number; current: number; previous: number }>();

  return {
    /** Counts one request for key; returns null when allowed, else Retry-After seconds. */
    hit(key: string, limit: number): number | null {
      const t = now();
      const windowStart = t - (t % windowMs);
      let b = buckets.get(key);
      if (!b) {
        if (buckets.size >= maxKeys) buckets.clear(); // bounded memory under a flood of keys
        b = { start: windowStart, current: 0, previous: 0 };
        buckets.set(key, b);
      } else if (b.start !== windowStart) {
        b.previous = b.start === windowStart - windowMs ? b.current : 0;
        b.current = 0;
        b.start = windowStart;
      }
      const overlap = 1 - (t - windowStart) / windowMs;
      const estimated = b.current + b.previous * overlap;
      if (estimated >= limit) {
        // the earliest moment the estimate drops below the limit again
        const until =
          b.current >= limit
            ? windowStart + windowMs + windowMs * (1 - limit / b.current)
            : windowStart + windowMs * (1 - (limit - b.current) / b.previous);
        return Math.max(1, Math.ceil((until + 1 - t) / 1000));
      }
      b.current++;
      return null;
    },
    reset: () => buckets.clear(),
  };
}
export type RateLimiter = ReturnType<typeof createRateLimiter>;
