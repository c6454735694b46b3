/**
 * Rolling one-minute limits, exact: a key keeps the times of its last `limit`
 * allowed hits (a ring, grown only as hits arrive, so a flood of one-hit keys
 * costs one number each), and a hit is allowed when fewer than `limit` of them
 * fall in the last 60 seconds — never more, wherever minute boundaries lie.
 * A refused request is not counted; the answer is the Retry-After seconds
 * after which the same key is allowed again (when its oldest hit leaves the
 * window). A key whose limit changes (an admin edits a plan) starts afresh.
 *
 * Memory is bounded (maxKeys) without ever forgetting a live budget: when
 * full, keys whose hits have all left the window are swept (at most once a
 * second); if every key is still live, a new key waits rather than pushing
 * one out. Forgetting budgets to make room would let a flood of fresh keys
 * (many addresses, many API keys) reset anyone's login or unlock attempts.
 */
interface Bucket {
  limit: number;
  times: number[];
  /** once the ring is full: the slot of the oldest hit */
  next: number;
}

const SWEEP_EVERY_MS = 1000;

/** The bucket's latest hit (the ring's newest slot once it is full). */
const newest = (b: Bucket) => (b.times.length < b.limit ? b.times[b.times.length - 1]! : b.times[(b.next - 1 + b.limit) % b.limit]!);

export function createRateLimiter(opts: { windowMs?: number; now?: () => number; maxKeys?: number } = {}) {
  const windowMs = opts.windowMs ?? 60_000;
  const now = opts.now ?? Date.now;
  const maxKeys = opts.maxKeys ?? 100_000;
  const buckets = new Map<string, Bucket>();
  let sweptAt = -Infinity;

  /** Drops the keys with no hit left in the window; true when that made room. */
  function makeRoom(t: number): boolean {
    if (t - sweptAt < SWEEP_EVERY_MS) return false;
    sweptAt = t;
    for (const [key, b] of buckets) if (b.times.length === 0 || t - newest(b) >= windowMs) buckets.delete(key);
    return buckets.size < maxKeys;
  }

  return {
    /** Counts one request for key; returns null when allowed, else Retry-After seconds. */
    hit(key: string, limit: number): number | null {
      const t = now();
      if (limit <= 0) return Math.ceil(windowMs / 1000);
      let b = buckets.get(key);
      if (!b || b.limit !== limit) {
        // full of live budgets: the new key waits (until a sweep can make room) rather than evicting one
        if (!b && buckets.size >= maxKeys && !makeRoom(t)) return Math.ceil(SWEEP_EVERY_MS / 1000);
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

/**
 * Guesses at one link's password, per client address (its throttleKey): one budget for every way of
 * trying (the unlock form, LinkShrink's verify), so no route adds guesses to another's. Named in the
 * anonymous guard's form, `ip:<group>:<address>`.
 */
export const PASSWORD_ATTEMPTS = { perMinute: 10, group: (code: string) => `password:${code}` } as const;
