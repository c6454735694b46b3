/**
 * The click tables' upkeep runs one round at a time: a batch written while a round is under way does
 * not start another, nor share the round's failure (the flush worker reported one failure once per
 * batch written meanwhile); the round's starter sees it, once, and the next round tries again.
 */
import { expect, test } from 'bun:test';
import { createClickUpkeep } from '../../src/clicks/click-upkeep.ts';

test('one round at a time; its failure reaches its starter alone, and the next round retries', async () => {
  let folds = 0;
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const upkeep = createClickUpkeep({
    clicks: {
      hasDaysBefore: () => true,
      foldDaysBefore: async () => {
        folds++;
        await gate;
        if (folds === 1) throw new Error('disk full');
        return true;
      },
    },
    retention: { deleteBefore: async () => 0 } as never,
    retentionDays: 0,
    pause: async () => undefined,
  });
  const first = upkeep.run();
  const meanwhile = [upkeep.run(), upkeep.run(), upkeep.run()];
  const outcomes = await Promise.allSettled(meanwhile);
  expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
  release();
  expect(await first.then(() => 'ok', (e: Error) => e.message)).toBe('disk full');
  expect(folds).toBe(1);
  await upkeep.run();
  expect(folds).toBe(2);
});
