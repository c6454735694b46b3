/**
 * The daily fold of past days' profiles into rollups, a chunk of links at a
 * time: each chunk its own short transaction (a day of 400k profiles in one
 * held the write lock 1.8 s, and other writers answered 503 past 5 s), with
 * the same rollups as one set-based fold of everything, and every click
 * counted once whichever chunks committed before a crash or a failure.
 */
import { afterEach, beforeEach, expect, test } from 'bun:test';
import type { Actor } from '../../src/accounts/accounts.types.ts';
import { createClicksRepo, FOLD_CHUNK_ROWS } from '../../src/clicks/clicks.repo.ts';
import type { EnrichedClick } from '../../src/clicks/clicks.types.ts';
import type { Link } from '../../src/links/links.types.ts';
import { makeTestApp, type TestApp } from '../helpers/make-test-app.ts';

const DAY = 86_400_000;
const NOW = Date.now();
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const TODAY = isoDay(NOW);
const PER_LINK = 150;

let t: TestApp;
let actor: Actor;
let links: Link[];
beforeEach(async () => {
  t = await makeTestApp({ env: { CLICK_RETENTION_DAYS: '0' } });
  actor = await t.services.users.actorFor((await t.user('pro')).user);
  links = [];
  for (let i = 0; i < 70; i++) links.push((await t.services.links.create(actor, { destination: `https://example.com/fold/${i}` })).link);
});
afterEach(() => t.close());

/** Yesterday's and the day before's clicks of every link, PER_LINK distinct profiles each, and a few of today's. */
async function writeHistory() {
  const repo = createClicksRepo(t.sqlite);
  const click = (linkId: number, ago: number, i: number): EnrichedClick => ({
    linkId, at: NOW - ago * DAY, referrerDomain: `site-${i % 60}.example`, countryCode: ['DE', 'US', 'FR', null][i % 4]!,
    deviceType: i % 11 === 0 ? 'bot' : (['desktop', 'mobile', 'tablet'] as const)[i % 3]!, os: ['Linux', 'iOS', null][i % 3]!, browser: ['Firefox', 'Safari'][i % 2]!,
    isBot: i % 11 === 0, source: i % 5 ? 'link' : 'qr', visitorHash: `visitor-${i % 37}`,
  });
  for (const l of links) {
    await repo.writeBatch([
      ...Array.from({ length: PER_LINK }, (_, i) => click(l.id, 1 + (i % 2), i)),
      ...Array.from({ length: 40 }, (_, i) => click(l.id, 1, i)), // repeats: profiles counted more than once
      ...Array.from({ length: 5 }, (_, i) => click(l.id, 0, i)),
    ]);
  }
  return repo;
}

// SQLite's order of text: by code point, not by locale
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
type Row = { link_id: number; day: string; is_bot: number; country: string; device: string; os: string; browser: string; referrer: string; source: string; clicks: number; uniques: number };

/** The rollups one set-based fold of `profiles` makes (the per-dimension sums of schema.ts), as sorted rows. */
function expectedRollups(profiles: Row[]) {
  const sums = new Map<string, number>();
  const add = (p: Row, dim: string, value: string, n: number) => {
    const key = JSON.stringify([p.link_id, dim, value, p.day]);
    sums.set(key, (sums.get(key) ?? 0) + n);
  };
  for (const p of profiles) {
    if (p.is_bot) {
      add(p, 'bots', '', p.clicks);
      continue;
    }
    add(p, 'total', '', p.clicks);
    if (p.uniques) add(p, 'unique', '', p.uniques);
    for (const dim of ['country', 'device', 'os', 'browser', 'referrer', 'source'] as const) add(p, dim, p[dim], p.clicks);
  }
  return [...sums].map(([key, clicks]) => {
    const [link_id, dim, value, day] = JSON.parse(key);
    return { link_id, dim, value, day, clicks };
  }).sort((a, b) => a.link_id - b.link_id || cmp(a.dim, b.dim) || cmp(a.value, b.value) || cmp(a.day, b.day));
}
const rollups = () => t.sqlite.query('SELECT link_id, dim, value, day, clicks FROM click_rollups ORDER BY link_id, dim, value, day').all();
const pastProfiles = () => t.sqlite.query<Row, [string]>('SELECT * FROM click_profiles WHERE day < ?').all(TODAY);
const reports = async () => {
  const out = [];
  for (const l of links) {
    const stored = await t.services.links.get(actor, l.id);
    out.push(await t.services.analytics.forLink(stored, { from: isoDay(NOW - 5 * DAY), to: TODAY }, { limit: null }));
  }
  return out;
};

test('a fold in chunks makes the rollups one fold of everything makes, each chunk a transaction of a bounded number of profiles', async () => {
  const repo = await writeHistory();
  const before = pastProfiles();
  expect(before.length).toBeGreaterThan(2 * FOLD_CHUNK_ROWS); // several chunks' worth
  expect(repo.hasDaysBefore(TODAY)).toBe(true); // the batches left them: folding is not the batch transaction's work
  const reported = await reports();

  const chunks: number[] = [];
  let left = before.length;
  const done = await repo.foldDaysBefore(TODAY, async () => {
    expect(t.sqlite.inTransaction).toBe(false); // between two transactions
    chunks.push(left - (left = pastProfiles().length));
    return true;
  });
  expect(done).toBe(true);
  chunks.push(left);
  expect(pastProfiles()).toEqual([]);
  expect(repo.hasDaysBefore(TODAY)).toBe(false);
  expect(chunks.length).toBeGreaterThanOrEqual(Math.ceil(before.length / (FOLD_CHUNK_ROWS + PER_LINK)));
  // a chunk ends with the link of its FOLD_CHUNK_ROWS-th row: all of that link's rows come with it
  for (const n of chunks) expect(n).toBeLessThanOrEqual(FOLD_CHUNK_ROWS + PER_LINK);
  expect(rollups()).toEqual(expectedRollups(before));
  // today's stay for reports to read until the day is over
  expect(t.sqlite.query<{ n: number }, [string]>('SELECT count(*) AS n FROM click_profiles WHERE day = ?').get(TODAY)!.n).toBe(links.length * 5);
  expect(await reports()).toEqual(reported);
});

test('stopped between chunks, or failing in one, the fold leaves every click counted once; the next fold finishes the work', async () => {
  const repo = await writeHistory();
  const before = pastProfiles();
  const reported = await reports();

  // stopped after the first chunk (the server stopping): half folded, reports unchanged
  expect(await repo.foldDaysBefore(TODAY, async () => false)).toBe(false);
  const after1 = pastProfiles().length;
  expect(after1).toBeGreaterThan(0);
  expect(after1).toBeLessThan(before.length);
  expect(await reports()).toEqual(reported);

  // a later chunk that fails (a full disk) rolls back whole: the chunks before it stay folded, nothing is counted twice
  t.sqlite.run(`CREATE TEMP TRIGGER fail_fold BEFORE DELETE ON click_profiles WHEN old.link_id > ${links[55]!.id} BEGIN SELECT RAISE(ABORT, 'disk full'); END`);
  await expect(repo.foldDaysBefore(TODAY)).rejects.toThrow('disk full');
  t.sqlite.run('DROP TRIGGER fail_fold');
  const after2 = pastProfiles().length;
  expect(after2).toBeLessThan(after1);
  expect(after2).toBeGreaterThan(0);
  expect(await reports()).toEqual(reported);

  expect(await repo.foldDaysBefore(TODAY)).toBe(true);
  expect(pastProfiles()).toEqual([]);
  expect(rollups()).toEqual(expectedRollups(before));
  expect(await reports()).toEqual(reported);
});
