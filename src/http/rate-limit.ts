/**
 * Rolling one-minute limits, exact: a key keeps the times of its last `limit`
 * allowed hits (a ring, grown only as hits arrive, so a flood of one-hit keys
 * costs one number each), and a hit is allowed when fewer than `limit` of them
 * fall in the last 60 seconds — never more, wherever minute boundaries lie.
 * A refused request is not counted; the answer is the Retry-After seconds
 * after which the same key is allowed again (when its oldest hit leaves the
 * window). A key whose limit changes (an admin edits a plan) starts afresh.
 *
 * Memory is bounded: each namespace (the key's text before its first ':' —
 * key, login, password, ip, …) holds at most maxKeys keys, dropping the one
 * hit least recently to make room. So a flood of fresh keys in one namespace
 * (many addresses on the anonymous API) never touches another's budgets (API
 * keys, sign-in, link passwords) and never locks anyone out, and pushing one
 * live budget out of its own namespace takes maxKeys new keys after its last
 * hit (a wrong sign-in makes at most four login keys: some 25,000 wrong
 * sign-ins, each from a fresh address at a fresh email, buy another 10 guesses
 * at one account). Clearing everything
 * when full, as once, let one flood reset every budget at once; refusing new
 * keys when full let one flood lock everyone out.
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
  // per namespace, in order of last hit (a Map keeps insertion order: a hit moves its key to the end)
  const spaces = new Map<string, Map<string, Bucket>>();

  function bucketsOf(key: string): Map<string, Bucket> {
    const name = key.slice(0, Math.max(0, key.indexOf(':')));
    let buckets = spaces.get(name);
    if (!buckets) spaces.set(name, (buckets = new Map()));
    return buckets;
  }

  /** Retry-After seconds when `b` has no room now, else null. */
  function waitFor(b: Bucket | undefined, limit: number, t: number): number | null {
    if (!b || b.limit !== limit || b.times.length < limit) return null;
    const oldest = b.times[b.next]!;
    return t - oldest < windowMs ? Math.max(1, Math.ceil((oldest + windowMs - t) / 1000)) : null;
  }

  return {
    /** What hit() would answer, without counting anything: for work that counts only once it is done. */
    peek(key: string, limit: number): number | null {
      if (limit <= 0) return Math.ceil(windowMs / 1000);
      return waitFor(bucketsOf(key).get(key), limit, now());
    },

    /** Counts one request against every budget, or against none when one has no room: that one's Retry-After and limit. */
    hitAll(budgets: readonly (readonly [key: string, limit: number])[]): { retryAfter: number; limit: number } | null {
      for (const [key, limit] of budgets) {
        const retryAfter = this.peek(key, limit);
        if (retryAfter !== null) return { retryAfter, limit };
      }
      for (const [key, limit] of budgets) this.hit(key, limit);
      return null;
    },

    /**
     * Hits key may still make in the rolling window, and when the oldest counted one leaves it
     * (epoch ms; now when none is counted): what X-RateLimit-Remaining and -Reset report.
     */
    remaining(key: string, limit: number): { remaining: number; resetAt: number } {
      const t = now();
      const b = bucketsOf(key).get(key);
      if (limit <= 0 || !b || b.limit !== limit) return { remaining: Math.max(0, limit), resetAt: t };
      // the ring holds hit times oldest first from `next` (from 0 until it is full): binary search
      // for the first one still in the window keeps this O(log limit) however large a plan's limit
      const n = b.times.length;
      const start = n < limit ? 0 : b.next;
      const at = (i: number) => b.times[(start + i) % n]!;
      let lo = 0;
      let hi = n;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (t - at(mid) >= windowMs) lo = mid + 1;
        else hi = mid;
      }
      const inWindow = n - lo;
      return { remaining: Math.max(0, limit - inWindow), resetAt: inWindow ? at(lo) + windowMs : t };
    },

    /**
     * Takes back the newest hit counted for key: for work that must be counted before it runs (so that
     * requests sent at once cannot all pass a check that looks only at finished ones) but that counts only
     * when it fails. The newest rather than the caller's own, which differ only when two hits race, by
     * the few milliseconds between them.
     */
    release(key: string): void {
      const b = bucketsOf(key).get(key);
      if (!b || b.times.length === 0) return;
      // oldest first, then drop the newest: the ring is partly filled again, from slot 0
      b.times = [...b.times.slice(b.next), ...b.times.slice(0, b.next)];
      b.times.pop();
      b.next = 0;
    },

    /** Counts one request for key; returns null when allowed, else Retry-After seconds. */
    hit(key: string, limit: number): number | null {
      const t = now();
      if (limit <= 0) return Math.ceil(windowMs / 1000);
      const buckets = bucketsOf(key);
      let b = buckets.get(key);
      if (b) buckets.delete(key); // set again below: now the most recently hit
      else if (buckets.size >= maxKeys) buckets.delete(buckets.keys().next().value!);
      if (!b || b.limit !== limit) b = { limit, times: [], next: 0 };
      buckets.set(key, b);
      if (b.times.length < limit) {
        b.times.push(t);
        return null;
      }
      const wait = waitFor(b, limit, t);
      if (wait !== null) return wait;
      b.times[b.next] = t;
      b.next = (b.next + 1) % limit;
      return null;
    },
  };
}
export type RateLimiter = ReturnType<typeof createRateLimiter>;

/**
 * Guesses at link passwords, per client address (its throttleKey), whichever route guesses (the
 * unlock form, LinkShrink's verify), so no route adds guesses to another's: 10 a minute at one link,
 * and 60 a minute across links, since each guess costs a bcrypt comparison (~60 ms of CPU) and an
 * address guessing at many password links (its own, say) could otherwise keep a core busy.
 */
const GUESSES_AT_ONE_LINK = 10;
const GUESSES_ACROSS_LINKS = 60;
/** The budgets one guess at `code` from `address` counts against. */
export const passwordGuessBudgets = (code: string, address: string) =>
  [
    [`password:${code}:${address}`, GUESSES_AT_ONE_LINK],
    [`password-any:${address}`, GUESSES_ACROSS_LINKS],
  ] as const;
