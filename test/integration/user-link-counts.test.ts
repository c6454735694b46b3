/**
 * The quota and a list's total read each user's count of live links from
 * user_link_counts, and an admin's list of everyone's links the count of all
 * live links from live_link_total, which triggers keep (migrations 0010 and
 * 0011). Every kind of write to links must move them exactly as counting the
 * rows would: these tests compare the two after each one, and check that the
 * migrations count the links a database already has.
 */
import { Database } from 'bun:sqlite';
import { beforeEach, describe, expect, test } from 'bun:test';
import { drizzle } from 'drizzle-orm/bun-sqlite';
import * as schema from '../../src/db/schema.ts';
import { migrate } from '../../src/db/migrate.ts';
import { createLinksRepo } from '../../src/links/links.repo.ts';

let sqlite: Database;
let repo: ReturnType<typeof createLinksRepo>;
let serial = 0;

const counted = (userId: number) =>
  sqlite.query<{ n: number }, [number]>('SELECT count(*) AS n FROM links WHERE user_id = ? AND deleted_at IS NULL').get(userId)!.n;
const kept = () => sqlite.query<{ user_id: number; live: number }, []>('SELECT user_id, live FROM user_link_counts WHERE live <> 0 ORDER BY user_id').all();
const totalKept = () => sqlite.query<{ live: number }, []>('SELECT live FROM live_link_total').all();
const totalCounted = () => [sqlite.query<{ live: number }, []>('SELECT count(*) AS live FROM links WHERE deleted_at IS NULL').get()!];
const actual = () =>
  sqlite.query<{ user_id: number; live: number }, []>('SELECT user_id, count(*) AS live FROM links WHERE user_id IS NOT NULL AND deleted_at IS NULL GROUP BY user_id ORDER BY user_id').all();

function addUser(): number {
  serial += 1;
  return sqlite.query<{ id: number }, [string]>("INSERT INTO users (email, password_hash, plan_id) VALUES (?, 'x', 1) RETURNING id").get(`u${serial}@example.com`)!.id;
}
const row = (userId: number | null) => ({ code: `c${++serial}`, destination: `https://example.com/${serial}`, userId });
const create = async (userId: number | null, n = 1) => (await repo.insertMany(Array.from({ length: n }, () => ({ row: row(userId), schedules: [] })))).map((l) => l.id);

/** Two users with `ofA` and `ofB` links and `anonymous` links of nobody; the first user's first link deleted. */
async function twoOwners(ofA: number, ofB: number, anonymous: number) {
  const [a, b] = [addUser(), addUser()];
  const idsOfA = await create(a, ofA);
  await create(b, ofB);
  await create(null, anonymous);
  await repo.softDelete(idsOfA[0]!);
  return { a, b };
}

beforeEach(() => {
  sqlite = new Database(':memory:');
  sqlite.exec('PRAGMA foreign_keys = ON');
  migrate(sqlite);
  sqlite.exec("INSERT INTO plans (name, rate_limit_per_minute, api_access, custom_alias, password, expiry, qr_colors) VALUES ('p', 60, 1, 1, 1, 1, 1)");
  repo = createLinksRepo(drizzle({ client: sqlite, schema }));
});

describe("each user's count of live links", () => {
  test('follows creates, deletes, purges, transfers, restores and removed rows, as counting the rows would', async () => {
    const [a, b] = [addUser(), addUser()];
    const ofA = await create(a, 5);
    const ofB = await create(b, 3);
    await create(null, 2);
    expect(await repo.countLiveForUser(a)).toBe(5);
    expect(await repo.countLiveForUser(b)).toBe(3);

    expect(await repo.softDelete(ofA[0]!)).toBeString();
    expect(await repo.softDelete(ofA[0]!)).toBeNull(); // a second delete of the same link moves nothing
    expect(await repo.purge(ofA[1]!)).toBeString();
    expect(await repo.countLiveForUser(a)).toBe(3);

    sqlite.query('UPDATE links SET user_id = ? WHERE id = ?').run(b, ofA[2]!); // a live link changes hands
    sqlite.query('UPDATE links SET user_id = ? WHERE id = ?').run(b, ofA[0]!); // a deleted one does too: no live link moves
    sqlite.query('UPDATE links SET deleted_at = NULL WHERE id = ?').run(ofA[1]!); // restored
    sqlite.query('UPDATE links SET deleted_at = 1 WHERE id = ?').run(ofB[0]!);
    sqlite.query('UPDATE links SET deleted_at = 2 WHERE id = ?').run(ofB[0]!); // deleted again: still one less
    sqlite.query('UPDATE links SET title = ? WHERE id = ?').run('renamed', ofB[1]!);
    sqlite.query('DELETE FROM links WHERE id IN (?, ?)').run(ofB[1]!, ofA[0]!); // a live row and a deleted one

    expect(await repo.countLiveForUser(a)).toBe(counted(a));
    expect(await repo.countLiveForUser(b)).toBe(counted(b));
    expect(kept()).toEqual(actual());
    expect([counted(a), counted(b)]).toEqual([3, 2]);
    expect(totalKept()).toEqual(totalCounted());
    expect(totalKept()).toEqual([{ live: 7 }]); // and the two of nobody's
  });

  test('a code taken back from its owner\'s deleted link counts once: the new link is live, the old row stays deleted', async () => {
    const a = addUser();
    const [id] = await create(a);
    const code = sqlite.query<{ code: string }, [number]>('SELECT code FROM links WHERE id = ?').get(id!)!.code;
    await repo.softDelete(id!);
    await repo.insertMany([{ row: { ...row(a), code }, schedules: [] }]);
    expect(await repo.countLiveForUser(a)).toBe(1);
    expect(kept()).toEqual(actual());
    expect(totalKept()).toEqual([{ live: 1 }]);
  });

  test('stops the insert that would pass a limit, in the same transaction, and leaves the count as it was', async () => {
    const a = addUser();
    await create(a, 3);
    const refused = await repo.insertMany([{ row: row(a), schedules: [] }, { row: row(a), schedules: [] }], { ownerLimit: { userId: a, max: 4 } }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(Error);
    expect(await repo.countLiveForUser(a)).toBe(3);
    expect(counted(a)).toBe(3);
    expect(totalKept()).toEqual([{ live: 3 }]);
    await repo.insertMany([{ row: row(a), schedules: [] }], { ownerLimit: { userId: a, max: 4 } });
    expect(await repo.countLiveForUser(a)).toBe(4);
  });

  test("is gone with its user, whose links stay as nobody's", async () => {
    const [a, b] = [addUser(), addUser()];
    await create(a, 4);
    await create(b, 1);
    sqlite.query('DELETE FROM users WHERE id = ?').run(a);
    expect(sqlite.query('SELECT count(*) AS n FROM links WHERE user_id IS NULL').get()).toEqual({ n: 4 });
    expect(sqlite.query('SELECT user_id, live FROM user_link_counts').all()).toEqual([{ user_id: b, live: 1 }]);
    expect(totalKept()).toEqual([{ live: 5 }]);
  });

  test("a list page's total is the owner's count, and an admin's is every live link", async () => {
    const { a, b } = await twoOwners(4, 2, 1);
    const page = (ownerId: number | null) => repo.list({ ownerId, sort: 'created_at', direction: 'desc', limit: 2, offset: 0, now: Date.now() });
    expect((await page(a)).total).toBe(3);
    expect((await page(b)).total).toBe(2);
    expect((await page(null)).total).toBe(6);
  });

  test('the migration counts the links a database already has', async () => {
    const { a, b } = await twoOwners(6, 2, 3);
    // as the database was before migration 0010
    sqlite.exec(`DROP TRIGGER links_count_insert; DROP TRIGGER links_count_update; DROP TRIGGER links_count_delete;
      DROP TABLE user_link_counts; DELETE FROM _migrations WHERE tag = '0010_user_link_counts'`);
    expect(migrate(sqlite)).toEqual(['0010_user_link_counts']);
    expect(kept()).toEqual([{ user_id: a, live: 5 }, { user_id: b, live: 2 }]);
    await create(a);
    expect(await repo.countLiveForUser(a)).toBe(6);
  });

  test('the migration of the total counts every live link a database already has, owned or not', async () => {
    await twoOwners(6, 2, 3);
    // as the database was before migration 0011
    sqlite.exec(`DROP TRIGGER links_total_insert; DROP TRIGGER links_total_update; DROP TRIGGER links_total_delete;
      DROP TABLE live_link_total; DELETE FROM _migrations WHERE tag = '0011_live_link_total'`);
    expect(migrate(sqlite)).toEqual(['0011_live_link_total']);
    expect(totalKept()).toEqual([{ live: 10 }]);
    await create(null);
    expect(totalKept()).toEqual([{ live: 11 }]);
    expect(totalKept()).toEqual(totalCounted());
  });
});
