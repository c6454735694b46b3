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
    deleted: { eraseNext: async () => false },
    retentionDays: 0,
    stats: { refresh: async () => undefined },
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

test('the planner statistics are refreshed once a day, whatever the retention (0 keeps raw clicks forever)', async () => {
  let now = Date.UTC(2026, 0, 10, 12);
  let refreshed = 0;
  const upkeep = createClickUpkeep({
    clicks: { hasDaysBefore: () => false, foldDaysBefore: async () => true },
    retention: { deleteBefore: async () => 0 } as never,
    deleted: { eraseNext: async () => false },
    retentionDays: 0,
    stats: { refresh: async () => void refreshed++ },
    now: () => now,
    pause: async () => undefined,
  });
  for (let i = 0; i < 3; i++) await upkeep.run();
  expect(refreshed).toBe(1);
  now += 86_400_000;
  await upkeep.run();
  await upkeep.run();
  expect(refreshed).toBe(2);
});

test('a refresh analyses every table that needs it, the links too, on a sample', async () => {
  const { makeTestApp } = await import('../helpers/make-test-app.ts');
  const { createPlannerStats } = await import('../../src/db/planner-stats.ts');
  const t = await makeTestApp();
  try {
    const actor = await t.services.users.actorFor((await t.user('enterprise')).user);
    await t.services.links.createMany(actor, Array.from({ length: 50 }, (_, i) => ({ destination: `https://example.com/${i}`, metadata: 'none' as const })));
    t.sqlite.exec('DROP TABLE IF EXISTS sqlite_stat1');
    await createPlannerStats(t.sqlite).refresh();
    const tables = (t.sqlite.query('SELECT DISTINCT tbl FROM sqlite_stat1').all() as { tbl: string }[]).map((r) => r.tbl);
    expect(tables).toContain('links');
  } finally {
    await t.close();
  }
});
