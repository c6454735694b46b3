/**
 * In-memory map from code to what the redirect needs, in front of SQLite.
 * Unknown codes are cached too (as null) so a flood of random codes does not
 * become a flood of queries. Every write through the links service
 * invalidates its code. Bounded: past maxEntries the oldest insertion goes
 * first (Map keeps insertion order). A hit is a plain lookup: re-inserting on
 * every hit (a true LRU) cost the redirect path ~5% for nothing, since an
 * evicted hot code is simply loaded again on its next visit.
 */
import type { RedirectTarget } from './links.types.ts';

export function createRedirectCache(maxEntries = 100_000) {
  const map = new Map<string, RedirectTarget | null>();
  // bumped by every invalidation: a lookup read before one must not be cached after it
  let epoch = 0;
  return {
    get(code: string): RedirectTarget | null | undefined {
      return map.get(code);
    },
    /** What set() is given to tell a read from before an invalidation (a write may land while the read awaits). */
    get epoch() {
      return epoch;
    },
    /** Caches what was read at `readAt` (this.epoch then), unless something was invalidated since. */
    set(code: string, target: RedirectTarget | null, readAt = epoch): void {
      if (readAt !== epoch) return;
      map.delete(code);
      map.set(code, target);
      if (map.size > maxEntries) map.delete(map.keys().next().value!);
    },
    invalidate(code: string): void {
      epoch++;
      map.delete(code);
    },
    get size() {
      return map.size;
    },
  };
}
export type RedirectCache = ReturnType<typeof createRedirectCache>;
