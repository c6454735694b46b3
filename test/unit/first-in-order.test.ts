/**
 * firstInOrder merges runs that SQLite ordered, so its comparison of two
 * values must be SQLite's: checked here against ORDER BY on values built to
 * disagree with JavaScript's own string order (astral characters against
 * units from U+E000 up), NULLs and numbers.
 */
import { Database } from 'bun:sqlite';
import { expect, test } from 'bun:test';
import { compareValues, firstInOrder, spanOf } from '../../src/db/first-in-order.ts';

const POOL = ['a', 'B', 'z', 'é', '標', '\uE000', '\uFF21', '\uFFFD', '\u{1F600}', '\u{10FFFF}', ' ', '~'];
function randomText(random: () => number): string {
  let s = '';
  for (let n = Math.floor(random() * 6); n > 0; n--) s += POOL[Math.floor(random() * POOL.length)];
  return s;
}
function seeded(seed: number) {
  return () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
}

test('orders text by code point, NULL first and numbers before text, as SQLite does', () => {
  const random = seeded(7);
  const values: unknown[] = [null, 0, -3, 2.5, 17];
  for (let i = 0; i < 2000; i++) values.push(randomText(random));
  const db = new Database(':memory:');
  db.exec('CREATE TABLE v (x)');
  const insert = db.prepare('INSERT INTO v (x) VALUES (?)');
  for (const v of values) insert.run(v as never);
  const sqlite = db.query<{ x: unknown }, []>('SELECT x FROM v ORDER BY x').all().map((r) => r.x);
  expect([...values].sort(compareValues)).toEqual(sqlite);
  // the case JavaScript gets wrong on its own
  expect('\u{1F600}' < '\uFF21').toBe(true);
  expect(compareValues('\u{1F600}', '\uFF21')).toBeGreaterThan(0);
});

test('the first of many runs are the first of all of them, either way, however the keys tie', async () => {
  const random = seeded(11);
  const rows = Array.from({ length: 5000 }, (_, i) => ({ id: i + 1, k: random() < 0.1 ? null : Math.floor(random() * 40) }));
  const ids = rows.map((r) => r.id);
  for (const descending of [false, true]) {
    const sign = descending ? -1 : 1;
    const order = (a: { id: number; k: number | null }, b: { id: number; k: number | null }) => sign * (compareValues(a.k, b.k) || a.id - b.id);
    const all = [...rows].sort(order).map((r) => r.id);
    for (const keep of [1, 20, 777, 6000]) {
      const first = await firstInOrder(
        spanOf(ids),
        (after, span, n) => rows.filter((r) => r.id > after && r.id <= span.last).sort(order).slice(0, n),
        keep,
        descending,
      );
      expect(first).toEqual(all.slice(0, keep));
    }
  }
});
