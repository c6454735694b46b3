/**
 * The first rows of a list in an order no index gives, found without one
 * statement that sorts every row. SQLite sorts a whole account to return a
 * page of it ordered by destination, status or clicks, or an export of all of
 * it, and one statement cannot be paused: with 10,000 links of 2 KB
 * destinations the thread that answers every redirect was held 46 ms a page
 * (185 ms at 200,000 here, 520-600 ms on a database file in an earlier round)
 * and 400 ms an export. Here the candidates come a chunk of ids at a time;
 * SQLite orders each chunk by the list's own ORDER BY (a run: bounded work),
 * and the runs are merged with the best rows so far, keeping the first
 * `keep`. Between chunks and during long merges, other requests run.
 */
import { Pacer, WORK_MS } from '../next-turn.ts';

/** Chunks start at CHUNK ids and double while a step takes under half of WORK_MS, up to MAX_CHUNK. */
const CHUNK = 500;
const MAX_CHUNK = 32_000;

/** The candidates after an id: how many there are up to the limit asked, and the last of them. */
export interface Span {
  count: number;
  last: number;
}

/** A row of a run: its id and the value the list is ordered by. */
export interface Keyed {
  id: number;
  k: unknown;
}

/** A row as merged: whether its value needs the code point comparison is found once, not at every comparison. */
interface Ranked extends Keyed {
  high: boolean;
}

/**
 * SQLite's order of two values of one column: NULL first, then numbers, then text by code point
 * (BINARY collation compares UTF-8 bytes, which order as code points). JavaScript's < compares
 * UTF-16 units, which order the same unless one of the two is a surrogate (an astral character)
 * and the other a unit from U+E000 up; only strings holding such units take the slow path.
 */
export function compareValues(a: unknown, b: unknown, plain = false): number {
  if (a === b) return 0;
  if (typeof a === 'string' && typeof b === 'string') return plain || !(HIGH_UNITS.test(a) || HIGH_UNITS.test(b)) ? (a < b ? -1 : 1) : byCodePoint(a, b);
  if (a === null || a === undefined) return -1;
  if (b === null || b === undefined) return 1;
  if (typeof a === 'number' || typeof a === 'bigint') return typeof b === 'number' || typeof b === 'bigint' ? (a < b ? -1 : a > b ? 1 : 0) : -1;
  if (typeof b === 'number' || typeof b === 'bigint') return 1;
  // neither NULL nor a number: text, or a blob (no sort reads one)
  return compareValues(String(a), String(b), plain);
}
const HIGH_UNITS = /[\uD800-\uFFFF]/;
/** True when UTF-16 order may not be code point order for this value (see compareValues). */
const hasHighUnits = (v: unknown) => typeof v === 'string' && HIGH_UNITS.test(v);

function byCodePoint(s: string, t: string): number {
  let i = 0;
  let j = 0;
  while (i < s.length && j < t.length) {
    const [c, d] = [s.codePointAt(i)!, t.codePointAt(j)!];
    if (c !== d) return c - d;
    i += c > 0xffff ? 2 : 1;
    j += d > 0xffff ? 2 : 1;
  }
  return s.length - i - (t.length - j);
}

/**
 * The first `keep` of two runs, each in list order (key, then id; both reversed when descending).
 * Pauses as it goes: an export keeps up to 100,000 rows, and merging a run into them is that many
 * comparisons of up to 2 KB each.
 */
async function mergeFirst(a: Ranked[], b: Ranked[], keep: number, descending: boolean, pacer: Pacer): Promise<Ranked[]> {
  const sign = descending ? -1 : 1;
  const before = (x: Ranked, y: Ranked) => sign * (compareValues(x.k, y.k, !x.high && !y.high) || x.id - y.id) < 0;
  // a run that starts after the last of a full list adds nothing
  if (!b.length || (a.length >= keep && !before(b[0]!, a[keep - 1]!))) return a;
  const out: Ranked[] = [];
  let i = 0;
  let j = 0;
  while (out.length < keep && (i < a.length || j < b.length)) {
    if (j >= b.length || (i < a.length && before(a[i]!, b[j]!))) out.push(a[i++]!);
    else out.push(b[j++]!);
    if ((out.length & 1023) === 0) await pacer.pause();
  }
  return out;
}

/** The first `keep` of several runs, merged in pairs (each row takes part in log2(runs) merges). */
async function mergeAll(runs: Ranked[][], keep: number, descending: boolean, pacer: Pacer): Promise<Ranked[]> {
  let level = runs.filter((r) => r.length);
  while (level.length > 1) {
    const next: Ranked[][] = [];
    for (let i = 0; i < level.length; i += 2) next.push(i + 1 < level.length ? await mergeFirst(level[i]!, level[i + 1]!, keep, descending, pacer) : level[i]!);
    level = next;
  }
  return level[0]?.slice(0, keep) ?? [];
}

/**
 * `span(afterId, limit)` measures the next chunk: up to `limit` candidates after `afterId`, in id
 * order. `run(afterId, span, keep)` returns the first `keep` candidates with ids in
 * (afterId, span.last], in list order, with their keys. Returns the ids of the first `keep` of every
 * candidate. Each step costs a statement or two however small, so chunks grow while steps are quick
 * (short rows) and shrink when they are not (2 KB destinations).
 */
export async function firstInOrder(
  span: (afterId: number, limit: number) => Span,
  run: (afterId: number, span: Span, keep: number) => Keyed[],
  keep: number,
  descending: boolean,
): Promise<number[]> {
  let size = CHUNK;
  let best: Ranked[] = [];
  let pending: Ranked[][] = [];
  let waiting = 0;
  let after = 0;
  const pacer = new Pacer();
  for (;;) {
    const started = performance.now();
    const chunk = span(after, size);
    const ranked = chunk.count ? run(after, chunk, keep).map((r) => ({ id: r.id, k: r.k, high: hasHighUnits(r.k) })) : [];
    const took = performance.now() - started;
    if (ranked.length) {
      pending.push(ranked);
      waiting += ranked.length;
    }
    const end = chunk.count < size;
    // Runs wait until they hold as many rows as are kept: merging each into the kept rows as it came
    // cost a pass over all of them a run (an export keeping 100,000 of 200,000 long links: 23 s)
    if (waiting >= keep || end) {
      best = await mergeAll([best, ...pending], keep, descending, pacer);
      pending = [];
      waiting = 0;
    }
    if (end) return best.map((r) => r.id);
    after = chunk.last;
    if (took < WORK_MS / 2) size = Math.min(size * 2, MAX_CHUNK);
    else if (took > WORK_MS) size = Math.max(size / 2, CHUNK);
    await pacer.pause();
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
