/**
 * Redirect cache misses met in one turn are read together, each code once;
 * a failed read fails only its own waiters and leaves the next miss to read again.
 */
import { describe, expect, test } from 'bun:test';
import { createBatchedLookup, MAX_KEYS_PER_READ } from '../../src/links/redirect-lookups.ts';

/** A lookup over a fixed table that records every read it is asked for. */
function recorded(table: Record<string, number>, fail = () => false) {
  const reads: string[][] = [];
  const lookup = createBatchedLookup<number>(async (keys) => {
    reads.push(keys);
    if (fail()) throw new Error('disk on fire');
    return new Map(keys.filter((k) => k in table).map((k) => [k, table[k]!]));
  });
  return { reads, lookup };
}

describe('batched redirect lookups', () => {
  test('misses of one turn are one read, each answered with its own value (null when unknown)', async () => {
    const { reads, lookup } = recorded({ a: 1, b: 2, c: 3 });
    const answers = await Promise.all(['a', 'b', 'zz', 'c'].map(lookup));
    expect(answers).toEqual([1, 2, null, 3]);
    expect(reads).toEqual([['a', 'b', 'zz', 'c']]);
  });

  test('a code missed twice in a turn is read once and both get its value', async () => {
    const { reads, lookup } = recorded({ a: 1 });
    expect(await Promise.all([lookup('a'), lookup('a'), lookup('a')])).toEqual([1, 1, 1]);
    expect(reads).toEqual([['a']]);
  });

  test('a miss in a later turn makes a read of its own', async () => {
    const { reads, lookup } = recorded({ a: 1, b: 2 });
    expect(await lookup('a')).toBe(1);
    expect(await lookup('b')).toBe(2);
    expect(await lookup('a')).toBe(1); // nothing is kept here: that is the cache's job
    expect(reads).toEqual([['a'], ['b'], ['a']]);
  });

  test(`more than ${MAX_KEYS_PER_READ} misses in a turn are read in parts`, async () => {
    const table = Object.fromEntries(Array.from({ length: 1200 }, (_, i) => [`k${i}`, i]));
    const { reads, lookup } = recorded(table);
    const answers = await Promise.all(Object.keys(table).map(lookup));
    expect(answers).toEqual(Object.values(table));
    expect(reads.map((r) => r.length)).toEqual([MAX_KEYS_PER_READ, MAX_KEYS_PER_READ, 1200 - 2 * MAX_KEYS_PER_READ]);
  });

  test('a failed read rejects its waiters; the next miss reads again', async () => {
    let broken = true;
    const { reads, lookup } = recorded({ a: 1 }, () => broken);
    const failed = await Promise.all([lookup('a'), lookup('b')].map((p) => p.catch((e: Error) => e.message)));
    expect(failed).toEqual(['disk on fire', 'disk on fire']);
    broken = false;
    expect(await lookup('a')).toBe(1);
    expect(reads).toEqual([['a', 'b'], ['a'], ['b'], ['a']]);
  });

  test('when a read of several fails, each is read alone: only the one that fails is refused', async () => {
    let current: string[] = [];
    const lookup = createBatchedLookup<number>(async (keys) => {
      current = keys;
      if (keys.includes('poison')) throw new Error('cannot read poison');
      return new Map(keys.map((k) => [k, k.length]));
    });
    const answers = await Promise.all(['ab', 'poison', 'abcd'].map((k) => lookup(k).catch((e: Error) => e.message)));
    expect(answers).toEqual([2, 'cannot read poison', 4]);
    expect(current).toEqual(['abcd']);
  });
});
