/**
 * The first rows of a list in an order no index gives, found without one
 * statement that sorts every row. SQLite sorts a whole account to return a
 * page of it ordered by destination, status or clicks, and one statement
 * cannot be paused: with 200,000 links of 2 KB destinations, the thread that
 * answers every redirect was held for over half a second a page. Here the
 * candidates arrive in id order a chunk at a time, and each chunk is ranked
 * with the best rows so far by the list's own ORDER BY (so the order is
 * SQLite's, ties and collations included), keeping the first `keep`: the
 * first `keep` of all the rows are always among the first `keep` of the kept
 * ones and a chunk. Between chunks, after YIELD_MS of work, other requests run.
 */
import { nextTurn } from '../next-turn.ts';

/** Chunks start at CHUNK ids and double while a step takes under half of YIELD_MS, up to MAX_CHUNK. */
const CHUNK = 500;
const MAX_CHUNK = 32_000;
const YIELD_MS = 4;

/** The candidates after an id: how many there are up to the limit asked, and the last of them. */
export interface Span {
  count: number;
  last: number;
}

/**
 * `span(afterId, limit)` measures the next chunk: up to `limit` candidates after `afterId`, in id
 * order. `rank(afterId, span, best, keep)` returns the first `keep`, in the list's order, of the
 * candidates with ids in (afterId, span.last] and of `best`. Returns the first `keep` ids of every
 * candidate. Each step costs a statement or two however small, so chunks grow while steps are quick
 * (short rows) and shrink when they are not (2 KB destinations). A deep page (a large `keep`) ranks
 * in chunks at least as large as itself, so that each row is ranked about twice, not once a chunk.
 */
export async function firstInOrder(
  span: (afterId: number, limit: number) => Span,
  rank: (afterId: number, span: Span, best: number[], keep: number) => number[],
  keep: number,
): Promise<number[]> {
  let size = CHUNK;
  let best: number[] = [];
  let after = 0;
  let since = performance.now();
  for (;;) {
    const step = Math.max(size, keep);
    const started = performance.now();
    const chunk = span(after, step);
    if (chunk.count) best = rank(after, chunk, best, keep);
    if (chunk.count < step) return best;
    after = chunk.last;
    const took = performance.now() - started;
    if (took < YIELD_MS / 2) size = Math.min(size * 2, MAX_CHUNK);
    else if (took > YIELD_MS) size = Math.max(size / 2, CHUNK);
    if (performance.now() - since >= YIELD_MS) {
      await nextTurn();
      since = performance.now();
    }
  }
}

/** `span` for firstInOrder over ids already known, ascending (a search's matches). */
export const spanOf =
  (ids: readonly number[]) =>
  (afterId: number, limit: number): Span => {
    const from = firstAfter(ids, afterId);
    const count = Math.min(limit, ids.length - from);
    return { count, last: count ? ids[from + count - 1]! : afterId };
  };

/** The ids of `ids` (ascending) in (afterId, lastId]. */
export const idsBetween = (ids: readonly number[], afterId: number, lastId: number): number[] => ids.slice(firstAfter(ids, afterId), firstAfter(ids, lastId));

function firstAfter(ids: readonly number[], id: number): number {
  let lo = 0;
  let hi = ids.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ids[mid]! <= id) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
