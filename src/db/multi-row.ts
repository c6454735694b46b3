/**
 * Writes many rows through one statement per 100: `INSERT … VALUES (…), (…), …`
 * (an upsert too: its ON CONFLICT clause applies to each row). A click batch
 * writes thousands of rows to each of its tables, and each statement call has
 * a fixed cost whatever it writes: one call a row for profiles and counters
 * cost the flush worker 8.3 µs a click with random links, 100 rows a call
 * 7.1 (docs/performance.md, eighth round).
 */
import type { Database } from 'bun:sqlite';

type Value = string | number | null;

/**
 * `sql` receives the VALUES list to put in its statement; `fill` writes one
 * item's `columns` values into params from `at` on.
 */
export function createMultiRowWriter<T>(
  sqlite: Database,
  sql: (values: string) => string,
  columns: number,
  fill: (item: T, params: Value[], at: number) => void,
  rowsPerStatement = 100,
): (items: Iterable<T>) => void {
  const tuple = `(${Array(columns).fill('?').join(', ')})`;
  const many = sqlite.prepare(sql(Array(rowsPerStatement).fill(tuple).join(', ')));
  const one = sqlite.prepare(sql(tuple));
  const params: Value[] = new Array(rowsPerStatement * columns);
  const last: Value[] = new Array(columns);
  return (items) => {
    let rows = 0;
    for (const item of items) {
      fill(item, params, rows * columns);
      if (++rows === rowsPerStatement) {
        many.run(...params);
        rows = 0;
      }
    }
    // the rest, fewer than a full statement, one by one: a prepared statement per count would be kept for nothing
    for (let r = 0; r < rows; r++) {
      for (let k = 0; k < columns; k++) last[k] = params[r * columns + k]!;
      one.run(...last);
    }
  };
}
