/**
 * The bcrypt thread answers jobs by id: many in flight at once (a burst of
 * sign-ins) each get their own answer back, and a failing job fails alone.
 */
import { describe, expect, test } from 'bun:test';
import { bcryptCompare, bcryptHash } from '../../src/accounts/bcrypt-pool.ts';

describe('bcrypt pool', () => {
  test('concurrent hashes and comparisons each resolve to their own result', async () => {
    const words = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot'];
    const hashes = await Promise.all(words.map((w) => bcryptHash(w, 4)));
    expect(new Set(hashes).size).toBe(words.length);
    const checks = await Promise.all(words.flatMap((w, i) => [bcryptCompare(w, hashes[i]!), bcryptCompare(w, hashes[(i + 1) % words.length]!)]));
    expect(checks).toEqual(words.flatMap(() => [true, false]));
  });

  test('a job bcrypt refuses rejects with its reason; the next job still runs', async () => {
    // written as .catch, not expect().rejects: bun test's rejects waits without delivering worker messages
    const refused = await bcryptHash(undefined as unknown as string, 4).catch((e) => e);
    expect(refused).toBeInstanceOf(Error);
    expect(String(refused.message)).toContain('Illegal arguments');
    expect(await bcryptCompare('x', await bcryptHash('x', 4))).toBe(true);
  });
});
