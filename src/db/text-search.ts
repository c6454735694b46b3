/**
 * Substring search that ignores case in every script, as the MySQL
 * collations behind the hosted APIs do ("über" finds "Über", "ΟΔΟΣ" finds
 * "ΟΔΟΣΤΡΩΜΑ"). Matched in JavaScript over a statement's rows, not with
 * SQL's LIKE or GLOB: their work per row grows with the column's length
 * times the term's, so a user searching their own long names or
 * destinations with a long term held the only thread (every redirect
 * included) for seconds, while String.includes stays linear. SQLite's LIKE
 * also folds ASCII letters only.
 */
import type { SQLQueryBindings } from 'bun:sqlite';
import type { Db } from './client.ts';

/** Case folded as MySQL's collations do for search: lower case, and Greek final sigma as sigma. */
export const foldCase = (s: string) => s.toLowerCase().replace(/ς/g, 'σ');

/**
 * The ids of the statement's rows, in its order, where any of `fields` contains `term` (any case,
 * taken literally). Rows are read one at a time through an iterator, so memory holds only the ids.
 */
export function idsContaining<R extends { id: number }>(db: Db, query: { sql: string; params: unknown[] }, term: string, fields: (row: R) => (string | null)[]): number[] {
  const folded = foldCase(term);
  const ids: number[] = [];
  for (const row of db.$client.query<R, SQLQueryBindings[]>(query.sql).iterate(...(query.params as SQLQueryBindings[]))) {
    if (fields(row).some((f) => f !== null && foldCase(f).includes(folded))) ids.push(row.id);
  }
  return ids;
}
