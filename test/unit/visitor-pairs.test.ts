/** The click writer's set of (link, visitor) pairs it knows are stored. */
import { describe, expect, test } from 'bun:test';
import { createVisitorPairs } from '../../src/clicks/visitor-pairs.ts';

describe('visitor pairs', () => {
  test('a pair is its link and its whole visitor hash', () => {
    const pairs = createVisitorPairs(100);
    pairs.add(1, 'AAAAAAAAAAAAAAAAAAAAAA');
    expect(pairs.has(1, 'AAAAAAAAAAAAAAAAAAAAAA')).toBe(true);
    expect(pairs.has(2, 'AAAAAAAAAAAAAAAAAAAAAA')).toBe(false);
    expect(pairs.has(1, 'AAAAAAAAAAAAAAAAAAAAAB')).toBe(false);
    expect(pairs.has(1, 'AAAAAAAAAAAAAAAAAAAAA')).toBe(false);
    pairs.add(1, 'AAAAAAAAAAAAAAAAAAAAAA');
    expect(pairs.size).toBe(1);
    pairs.add(2 ** 40, 'AAAAAAAAAAAAAAAAAAAAAA');
    expect(pairs.has(2 ** 40, 'AAAAAAAAAAAAAAAAAAAAAA')).toBe(true);
  });

  test('what it cannot hold exactly it does not claim to know', () => {
    const pairs = createVisitorPairs(100);
    for (const hash of ['', 'é'.repeat(10), 'x'.repeat(24)]) {
      pairs.add(1, hash);
      expect(pairs.has(1, hash)).toBe(false);
    }
    expect(pairs.size).toBe(0);
  });

  test('bounded: adding past maxPairs forgets everything before, then goes on', () => {
    const pairs = createVisitorPairs(1000);
    for (let i = 0; i < 1000; i++) pairs.add(i, `visitor-${i}`);
    expect(pairs.size).toBe(1000);
    expect(pairs.has(999, 'visitor-999')).toBe(true);
    // a pair already held, or one that cannot be held, forgets nothing
    pairs.add(999, 'visitor-999');
    pairs.add(1, 'é');
    expect(pairs.size).toBe(1000);
    expect(pairs.has(0, 'visitor-0')).toBe(true);
    const { add } = pairs; // works unbound
    add(5000, 'one-more');
    expect(pairs.size).toBe(1);
    expect(pairs.has(999, 'visitor-999')).toBe(false);
    expect(pairs.has(5000, 'one-more')).toBe(true);
    pairs.clear();
    expect(pairs.has(5000, 'one-more')).toBe(false);
  });

  test('agrees with a Set of keys over many random pairs', () => {
    const pairs = createVisitorPairs(50_000);
    const model = new Set<string>();
    let seed = 7;
    const rand = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n);
    for (let i = 0; i < 40_000; i++) {
      const linkId = rand(300);
      const hash = `h${rand(200)}`;
      expect(pairs.has(linkId, hash)).toBe(model.has(`${linkId} ${hash}`));
      if (rand(2)) {
        pairs.add(linkId, hash);
        model.add(`${linkId} ${hash}`);
      }
    }
    expect(pairs.size).toBe(model.size);
  });
});
