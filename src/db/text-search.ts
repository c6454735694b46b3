/**
 * Substring search that ignores case in every script, as the MySQL
 * collations behind the hosted APIs do ("über" finds "Über", "ΟΔΟΣ" finds
 * "ΟΔΟΣΤΡΩΜΑ"). Matched in JavaScript over a statement's rows, not with
 * SQL's LIKE or GLOB: their work per row grows with the column's length
 * times the term's, so a user searching their own long names or
 * destinations with a long term held the only thread (every redirect
 * included) for seconds; a matcher that is linear is used instead (see
 * containsOf). SQLite's LIKE also folds ASCII letters only.
 */
import { sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import { Pacer } from '../next-turn.ts';

/** Case folded as MySQL's collations do for search: lower case, and Greek final sigma as sigma. */
export const foldCase = (s: string) => s.toLowerCase().replace(/ς/g, 'σ');

/**
 * A substring test that stays linear in the text's length (Knuth–Morris–Pratt) for terms past
 * SHORT_TERM characters: String.prototype.includes is not linear in Bun for long terms (a 1,000-
 * character term against 2,048-character destinations: ~400 µs a row, 3 s for 10,000 links).
 */
const SHORT_TERM = 128;
function containsOf(term: string): (text: string) => boolean {
  if (term.length <= SHORT_TERM) return (text) => text.includes(term);
  const fail = new Int32Array(term.length);
  for (let i = 1, k = 0; i < term.length; i++) {
    while (k > 0 && term.charCodeAt(i) !== term.charCodeAt(k)) k = fail[k - 1]!;
    if (term.charCodeAt(i) === term.charCodeAt(k)) k++;
    fail[i] = k;
  }
  return (text) => {
    if (text.length < term.length) return false;
    for (let i = 0, k = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      while (k > 0 && c !== term.charCodeAt(k)) k = fail[k - 1]!;
      if (c === term.charCodeAt(k) && ++k === term.length) return true;
    }
    return false;
  };
}

/** Rows read a chunk at a time; between chunks, after WORK_MS of matching, other requests run. */
const CHUNK = 500;

/**
 * The ids, ascending, of the rows where any of `fields` contains `term` (any case, taken literally).
 * `read(afterId, limit)` returns the next rows in id order. A search reads every candidate row, so
 * with many long rows it takes a while (200,000 links of 2 KB destinations: ~1.3 s); read in chunks
 * and yielding to the event loop as it goes, it never holds the thread that answers redirects for
 * more than a chunk, and no statement stays open across the pauses (one connection serves every
 * request, and a statement stepped past another request's writes reads undefined rows).
 */
export async function idsContaining<R extends { id: number }>(
  read: (afterId: number, limit: number) => R[],
  term: string,
  fields: (row: R) => (string | null)[],
): Promise<number[]> {
  const contains = containsOf(foldCase(term));
  const ids: number[] = [];
  let after = 0;
  const pacer = new Pacer();
  for (;;) {
    const rows = read(after, CHUNK);
    for (const row of rows) if (fields(row).some((f) => f !== null && contains(foldCase(f)))) ids.push(row.id);
    if (rows.length < CHUNK) return ids;
    after = rows[rows.length - 1]!.id;
    await pacer.pause();
  }
}

/** A condition on `id` that holds for the listed ids: one bound parameter (a JSON array) however many there are. */
export const idIn = (id: SQLWrapper, ids: number[]): SQL => sql`${id} IN (SELECT value FROM json_each(${JSON.stringify(ids)}))`;

/**
 * The rows of `ids` in the ids' order, read in slices (a statement takes at most 32,766
 * parameters); a row deleted between the search and this read is left out, not shown as a gap.
 */
export function rowsInOrder<R extends { id: number }>(ids: number[], read: (slice: number[]) => R[]): R[] {
  const byId = new Map<number, R>();
  for (let i = 0; i < ids.length; i += 1000) for (const r of read(ids.slice(i, i + 1000))) byId.set(r.id, r);
  return ids.flatMap((id) => byId.get(id) ?? []);
}
