/**
 * Rolling one-minute limits, exact: a key keeps the times of its last `limit`
 * allowed hits (a ring, grown only as hits arrive, so a flood of one-hit keys
 * costs one number each), and a hit is allowed when fewer than `limit` of them
 * fall in the last 60 seconds — never more, wherever minute boundaries lie.
 * A refused request is not counted; the answer is the Retry-After seconds
 * after which the same key is allowed again (when its oldest hit leaves the
 * window). A key whose limit changes (an admin edits a plan) starts afresh.
 */
interface Bucket {
  limit: number;
  times: number[];
  /** once the ring is full: the slot of the oldest hit */
  next: number;
}

export function createRateLimiter(opts: { windowMs?: number; now?: () => number; maxKeys?: number } = {}) {
  const windowMs = opts.windowMs ?? 60_000;
  const now = opts.now ?? Date.now;
  const maxKeys = opts.maxKeys ?? 100_000;
  const buckets = new Map<string, Bucket>();

  return {
    /** Counts one request for key; returns null when allowed, else Retry-After seconds. */
    hit(key: string, limit: number): number | null {
      const t = now();
      if (limit <= 0) return Math.ceil(windowMs / 1000);
      let b = buckets.get(key);
      if (!b || b.limit !== limit) {
        if (!b && buckets.size >= maxKeys) buckets.clear(); // bounded memory under a flood of keys
        b = { limit, times: [], next: 0 };
        buckets.set(key, b);
      }
      if (b.times.length < limit) {
        b.times.push(t);
        return null;
      }
      const oldest = b.times[b.next]!;
      if (t - oldest < windowMs) return Math.max(1, Math.ceil((oldest + windowMs - t) / 1000));
      b.times[b.next] = t;
      b.next = (b.next + 1) % limit;
      return null;
    },
  };
}
export type RateLimiter = ReturnType<typeof createRateLimiter>;
