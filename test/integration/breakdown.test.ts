/**
 * A breakdown (clicks by referrer, country, ...) of a link whose clicks came
 * with tens of thousands of distinct values (forged Referer headers, or a
 * link shared everywhere) is read a part at a time, with turns for other
 * requests between, and keeps only the largest values: the answer must be
 * the one sorting every value gives, today's unfolded profiles included.
 */
import { Database } from 'bun:sqlite';
import { beforeAll, describe, expect, test } from 'bun:test';
import { drizzle } from 'drizzle-orm/bun-sqlite';
import * as schema from '../../src/db/schema.ts';
import { migrate } from '../../src/db/migrate.ts';
import { createClicksRepo } from '../../src/clicks/clicks.repo.ts';
import { createBreakdownReport, type ValueCount } from '../../src/clicks/reports/breakdown.ts';
import { turnsDuring } from '../helpers/turns.ts';

const VALUES = 30_000;
const sqlite = new Database(':memory:');
migrate(sqlite);
const report = createBreakdownReport(drizzle({ client: sqlite, schema }));
const expected = new Map<string, number>();

beforeAll(() => {
  sqlite.exec("INSERT INTO links (code, destination) VALUES ('many', 'https://example.com/')");
  const rollup = sqlite.prepare("INSERT INTO click_rollups (link_id, dim, value, day, clicks) VALUES (1, 'referrer', ?, ?, ?)");
  const profile = sqlite.prepare(
    "INSERT INTO click_profiles (link_id, day, is_bot, country, device, os, browser, referrer, source, clicks, uniques) VALUES (1, '2026-11-30', ?, '', '', '', '', ?, 'link', ?, 1)",
  );
  const add = (value: string, clicks: number) => expected.set(value, (expected.get(value) ?? 0) + clicks);
  sqlite.transaction(() => {
    for (let i = 0; i < VALUES; i++) {
      // few distinct counts, so that ties are ordered by value; some values on two days
      const value = i === 0 ? '' : `site${(i * 7919) % VALUES}.example`;
      const clicks = 1 + (i % 7);
      rollup.run(value, '2026-11-01', clicks);
      add(value, clicks);
      if (i % 5 === 0 && value) {
        rollup.run(value, '2026-11-02', 3);
        add(value, 3);
      }
    }
    // today, not folded yet: a value the rollups have, one they do not, and bots (never counted)
    profile.run(0, 'site1.example', 40);
    profile.run(0, 'today-only.example', 9);
    profile.run(1, 'site2.example', 500);
  })();
  add('site1.example', 40);
  add('today-only.example', 9);
  // outside the range asked for
  sqlite.exec("INSERT INTO click_rollups (link_id, dim, value, day, clicks) VALUES (1, 'referrer', 'site3.example', '2025-01-01', 1000)");
});

const sorted = () =>
  [...expected].map(([value, clicks]): ValueCount => ({ value, clicks })).sort((a, b) => b.clicks - a.clicks || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));

describe('a breakdown over tens of thousands of values', () => {
  test('gives the largest values in order (more clicks first, then by value) and sums the rest', async () => {
    const all = sorted();
    const total = all.reduce((n, r) => n + r.clicks, 0);
    for (const limit of [1, 50, 2500]) {
      const b = await report(1, 'referrer', '2026-11-01', '2026-11-30', limit);
      expect(b.rows).toEqual(all.slice(0, limit));
      expect(b.otherClicks).toBe(total - all.slice(0, limit).reduce((n, r) => n + r.clicks, 0));
    }
    const every = await report(1, 'referrer', '2026-11-01', '2026-11-30', null);
    expect(every.rows).toEqual(all);
    expect(every.otherClicks).toBe(0);
    expect(every.rows.find((r) => r.value === '')).toBeDefined();
  });

  test('lets other requests run while it reads', async () => {
    const { value, turns } = await turnsDuring(report(1, 'referrer', '2026-11-01', '2026-11-30', 50));
    expect(value.rows).toHaveLength(50);
    // read in one go, it was over before the second turn
    expect(turns).toBeGreaterThan(1);
  });
});

describe('a fold landing while the breakdown reads', () => {
  test("changes no value's count: each part reads its rollups and profiles together", async () => {
    const all = sorted();
    // the flush worker folds profiles into rollups on its own connection, between any two statements;
    // here it folds at the report's first turn
    const fold = () => createClicksRepo(sqlite).foldDaysBefore('2026-12-01');
    let folded = false;
    const reading = report(1, 'referrer', '2026-11-01', '2026-11-30', null);
    setImmediate(() => void fold().then(() => (folded = true)));
    const every = await reading;
    expect(folded).toBe(true);
    expect(sqlite.query('SELECT count(*) AS n FROM click_profiles WHERE is_bot = 0').get()).toEqual({ n: 0 });
    expect(every.rows.filter((r) => r.value === 'site1.example' || r.value === 'today-only.example')).toEqual(
      all.filter((r) => r.value === 'site1.example' || r.value === 'today-only.example'),
    );
    expect(every.rows).toEqual(all);
  });
});
