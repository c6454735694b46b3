/**
 * Reads over all of an account's links are answered from an index or a row
 * kept for them, not by reading every link: the plan's quota count (a row of
 * user_link_counts) and ShrtLnk's "same request, same link" lookup, which
 * every create can make, took 23 and 34 ms a create with 200,000 links
 * (bench:account). A search, and a page in an order no index gives, read the
 * live links in chunks by id from the live-links index. The plans are read
 * for the exact SQL the repository sends, captured from drizzle's query log.
 */
import { Database } from 'bun:sqlite';
import { describe, expect, test } from 'bun:test';
import { drizzle } from 'drizzle-orm/bun-sqlite';
import * as schema from '../../src/db/schema.ts';
import { migrate } from '../../src/db/migrate.ts';
import { createLinksRepo } from '../../src/links/links.repo.ts';

const sqlite = new Database(':memory:');
migrate(sqlite);
let sent: { query: string; params: unknown[] }[] = [];
const repo = createLinksRepo(drizzle({ client: sqlite, schema, logger: { logQuery: (query, params) => void sent.push({ query, params }) } }));

/** Runs the repository call and returns SQLite's plan for each statement it sent. */
async function plansOf(call: () => Promise<unknown>): Promise<string[][]> {
  sent = [];
  await call();
  expect(sent.length).toBeGreaterThan(0);
  return sent.map(({ query, params }) =>
    sqlite
      .query<{ detail: string }, never[]>(`EXPLAIN QUERY PLAN ${query}`)
      .all(...(params.map((p) => (typeof p === 'boolean' ? Number(p) : p)) as never[]))
      .map((r) => r.detail),
  );
}

describe("reads over all of an account's links", () => {
  test('the quota counts live links from the live-links index alone', async () => {
    expect(await plansOf(() => repo.countLiveForUser(1))).toEqual([['SEARCH user_link_counts USING INTEGER PRIMARY KEY (rowid=?)']]);
  });

  test("a search reads the owner's live links in id order from the same index, a chunk at a time", async () => {
    const plans = await plansOf(() => repo.list({ ownerId: 1, search: 'x', sort: 'created_at', direction: 'desc', limit: 20, offset: 0, now: 0 }));
    expect(plans[0]).toEqual(['SEARCH links USING INDEX links_user_live_idx (user_id=? AND deleted_at=? AND rowid>?)']);
  });

  test("a newest-first page reads its ids in order from an index, an owner's or (for an admin's view of everyone's) all live links'", async () => {
    const page = (ownerId: number | null) => plansOf(() => repo.list({ ownerId, sort: 'created_at', direction: 'desc', limit: 20, offset: 0, now: 0 }));
    expect(await page(1)).toContainEqual(['SEARCH links USING INDEX links_user_created_idx (user_id=?)']);
    expect(await page(null)).toContainEqual(['SCAN links USING INDEX links_live_created_idx']);
  });

  test("a page's total reads one row: the owner's count, or for an admin's view of everyone's the count of all live links", async () => {
    const page = (ownerId: number | null) => plansOf(() => repo.list({ ownerId, sort: 'created_at', direction: 'desc', limit: 20, offset: 0, now: 0 }));
    expect(await page(1)).toContainEqual(['SEARCH user_link_counts USING INTEGER PRIMARY KEY (rowid=?)']);
    expect(await page(null)).toContainEqual(['SEARCH live_link_total USING INTEGER PRIMARY KEY (rowid=?)']);
    expect((await page(null)).flat().some((step) => step.includes('SCAN links') && !step.includes('links_live_created_idx'))).toBe(false);
  });

  test("a page in any other order measures the owner's next chunk of live ids from the same index, then ranks the chunk: along the table where their links are most of it, through the index where they are few", async () => {
    sqlite.exec("INSERT INTO links (code, destination, user_id) SELECT 'dense' || value, 'https://example.com/', 2 FROM json_each('[1,2,3,4,5,6,7,8,9,10]')");
    sqlite.exec("INSERT INTO links (code, destination, user_id) VALUES ('sparse', 'https://example.com/', 1)");
    const page = (ownerId: number) => plansOf(() => repo.list({ ownerId, sort: 'destination', direction: 'asc', limit: 20, offset: 0, now: 0 }));
    const [few, most] = [await page(1), await page(2)];
    sqlite.exec("DELETE FROM links WHERE code = 'sparse' OR code LIKE 'dense%'");
    for (const plans of [few, most]) expect(plans[1]).toContain('SEARCH links USING COVERING INDEX links_user_live_idx (user_id=? AND deleted_at=? AND rowid>?)');
    expect(few[2]![0]).toBe('SEARCH links USING INDEX links_user_live_idx (user_id=? AND deleted_at=? AND rowid>? AND rowid<?)');
    expect(most[2]![0]).toBe('SEARCH links USING INTEGER PRIMARY KEY (rowid>? AND rowid<?)');
  });

  test.each([
    ['an owner and an integrator user id', { ownerId: 1, labelUserId: 7, labelUserAgent: null }, 'destination=? AND source=? AND user_id=? AND label_user_id=?'],
    ['an owner and an integrator user agent', { ownerId: 1, labelUserId: null, labelUserAgent: 'bot/1' }, 'destination=? AND source=? AND user_id=? AND label_user_id=?'],
    ['an anonymous create with no labels', { ownerId: null, labelUserId: null, labelUserAgent: null }, 'destination=? AND source=? AND user_id=? AND label_user_id=?'],
  ])('the duplicate lookup for %s probes every equality it tests in one index', async (_, labels, probe) => {
    const [plan] = await plansOf(() => repo.findDuplicate({ destination: 'https://example.com/', source: 'shrtlnk', redirectMode: '302', ...labels }));
    expect(plan![0]).toBe(`SEARCH links USING INDEX links_dedupe_idx (${probe})`);
  });
});
