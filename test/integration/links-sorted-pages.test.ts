/**
 * A list page in an order no index gives (by destination, status, clicks...)
 * is found a chunk of links at a time (db/first-in-order.ts), not by one
 * statement sorting every link. Its pages must be exactly the ones that one
 * ORDER BY over all of them gives, ties and NULLs included, on either side
 * of chunk boundaries, for an owner's list and an admin's list of everyone's;
 * and while it reads, other requests get turns.
 */
import { Database } from 'bun:sqlite';
import { beforeAll, describe, expect, test } from 'bun:test';
import { drizzle } from 'drizzle-orm/bun-sqlite';
import * as schema from '../../src/db/schema.ts';
import { migrate } from '../../src/db/migrate.ts';
import { createLinksRepo } from '../../src/links/links.repo.ts';
import type { LinkSortColumn } from '../../src/links/links.types.ts';
import { turnsDuring } from '../helpers/turns.ts';

const NOW = 1_800_000_000_000;
const sqlite = new Database(':memory:');
migrate(sqlite);
const repo = createLinksRepo(drizzle({ client: sqlite, schema }));
let owner = 0;
let other = 0;

// written out here, not taken from the repository: what each sort means, as one statement over every link
const EXPRESSIONS: Record<LinkSortColumn, string> = {
  id: 'l.id',
  code: 'l.code',
  destination: 'l.destination',
  title: 'l.title',
  total_clicks: 'coalesce(c.total_clicks, 0)',
  unique_clicks: 'coalesce(c.unique_clicks, 0)',
  created_at: 'l.created_at',
  updated_at: 'l.updated_at',
  expires_at: 'l.expires_at',
  is_active: `(l.is_active = 1 AND (l.expires_at IS NULL OR l.expires_at > ${NOW}))`,
};
function reference(sort: LinkSortColumn, direction: 'asc' | 'desc', ownerId: number | null): number[] {
  const mine = ownerId === null ? '' : `AND l.user_id = ${ownerId}`;
  return sqlite
    .query<{ id: number }, []>(
      `SELECT l.id FROM links l LEFT JOIN link_counters c ON c.link_id = l.id WHERE l.deleted_at IS NULL ${mine}
       ORDER BY ${EXPRESSIONS[sort]} ${direction}, l.id ${direction}`,
    )
    .all()
    .map((r) => r.id);
}

// titles whose order in UTF-16 units is not SQLite's (by code point): an astral character against
// units from U+E000 up
const TITLES = ['title 1', 'Title 2', 'título', 'title \u{1F600}', 'title \uFF21', 'title \uE000x', '標題', 'title', '', 'title \u{1F600}b', 'title \uFFFD'];

beforeAll(() => {
  sqlite.exec("INSERT INTO plans (name, rate_limit_per_minute, api_access, custom_alias, password, expiry, qr_colors) VALUES ('p', 60, 1, 1, 1, 1, 1)");
  owner = sqlite.query<{ id: number }, []>("INSERT INTO users (email, password_hash, plan_id) VALUES ('a@example.com', 'x', 1) RETURNING id").get()!.id;
  other = sqlite.query<{ id: number }, []>("INSERT INTO users (email, password_hash, plan_id) VALUES ('b@example.com', 'x', 1) RETURNING id").get()!.id;
  const insert = sqlite.prepare(
    `INSERT INTO links (code, user_id, destination, title, is_active, expires_at, created_at, updated_at, deleted_at, password_hash)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)`,
  );
  const counters = sqlite.prepare('INSERT INTO link_counters (link_id, total_clicks, unique_clicks) VALUES (?, ?, ?)');
  sqlite.transaction(() => {
    // 4,048 links of the owner, 714 of another user and 238 of nobody, over several chunks of 500;
    // few distinct values in every column, so that ties cross chunk boundaries
    for (let i = 0; i < 5000; i++) {
      const userId = i % 7 === 3 ? other : i % 21 === 5 ? null : owner;
      const expires = [null, NOW - 1, NOW + 1][i % 3];
      const { lastInsertRowid } = insert.run(
        `k${(i * 7919) % 10007}`,
        userId,
        `https://example.com/${i % 13}`,
        i % 5 === 0 ? null : TITLES[i % TITLES.length]!,
        i % 4 !== 0,
        expires ?? null,
        NOW - (i % 17) * 1000,
        NOW - (i % 9) * 1000,
        i % 10 === 9 ? NOW : null,
        i % 5 === 2 ? 'hash' : null,
      );
      if (i % 3 !== 1) counters.run(Number(lastInsertRowid), i % 6, i % 4);
    }
  })();
});

describe('a list page in an order no index gives', () => {
  const sorts = Object.keys(EXPRESSIONS) as LinkSortColumn[];
  // the owner's links fill most of each chunk's id range; the other user's, a seventh of it
  for (const who of ['the owner', 'a user with few links among many', 'an admin']) {
    test.each(sorts)(`for ${who}, by %s either way: every page is the one a single ORDER BY gives`, async (sort) => {
      const ownerId = who === 'the owner' ? owner : who === 'an admin' ? null : other;
      for (const direction of ['asc', 'desc'] as const) {
        const all = reference(sort, direction, ownerId);
        expect(all.length).toBeGreaterThan(ownerId === other ? 200 : 1000);
        // pages inside the first chunk, across its end, deep and past the last link
        for (const [offset, limit] of [[0, 20], [490, 20], [995, 15], [1200, 100], [all.length - 7, 20], [all.length + 5, 20]] as const) {
          const page = await repo.list({ ownerId, sort, direction, limit, offset, now: NOW });
          expect(page.items.map((l) => l.id)).toEqual(all.slice(offset, offset + limit));
          expect(page.total).toBe(all.length);
        }
      }
    });
  }

  test("a search's page is the same page of its matches", async () => {
    const matches = new Set(
      sqlite
        .query<{ id: number }, []>("SELECT id FROM links WHERE deleted_at IS NULL AND user_id = " + owner + " AND (destination LIKE '%1%' OR title LIKE '%1%' OR code LIKE '%1%')")
        .all()
        .map((r) => r.id),
    );
    const all = reference('destination', 'desc', owner).filter((id) => matches.has(id));
    expect(all.length).toBeGreaterThan(500);
    for (const offset of [0, 480, all.length - 3]) {
      const page = await repo.list({ ownerId: owner, search: '1', sort: 'destination', direction: 'desc', limit: 25, offset, now: NOW });
      expect(page.items.map((l) => l.id)).toEqual(all.slice(offset, offset + 25));
      expect(page.total).toBe(all.length);
    }
  });

  test('a status filter: every page and total is the one a single statement gives, with and without a search', async () => {
    // as the badges judge it (views/dashboard/links.ts linkStatus), written out
    const STATUS = {
      paused: 'l.is_active = 0',
      expired: `l.is_active = 1 AND l.expires_at IS NOT NULL AND l.expires_at <= ${NOW}`,
      password: `l.is_active = 1 AND (l.expires_at IS NULL OR l.expires_at > ${NOW}) AND l.password_hash IS NOT NULL`,
      active: `l.is_active = 1 AND (l.expires_at IS NULL OR l.expires_at > ${NOW}) AND l.password_hash IS NULL`,
    } as const;
    for (const [status, condition] of Object.entries(STATUS) as [keyof typeof STATUS, string][]) {
      for (const ownerId of [owner, other, null]) {
        for (const [sort, direction, search] of [['created_at', 'desc', undefined], ['destination', 'asc', undefined], ['title', 'desc', '1']] as const) {
          const matching = new Set(
            sqlite
              .query<{ id: number }, []>(`SELECT id FROM links l WHERE deleted_at IS NULL ${ownerId === null ? '' : `AND user_id = ${ownerId}`} AND ${condition} ${search ? "AND (destination LIKE '%1%' OR title LIKE '%1%' OR code LIKE '%1%')" : ''}`)
              .all()
              .map((r) => r.id),
          );
          const all = reference(sort, direction, ownerId).filter((id) => matching.has(id));
          expect(all.length).toBeGreaterThan(ownerId === other || search ? 20 : 150);
          for (const offset of [0, Math.floor(all.length / 2), all.length - 3]) {
            const page = await repo.list({ ownerId, status, search, sort, direction, limit: 25, offset, now: NOW });
            expect([status, ownerId, sort, offset, page.items.map((l) => l.id), page.total]).toEqual([status, ownerId, sort, offset, all.slice(offset, offset + 25), all.length]);
          }
        }
      }
    }
  });

  test('other requests get turns while the links are ranked', async () => {
    const long = new Database(':memory:');
    migrate(long);
    long.exec("INSERT INTO plans (name, rate_limit_per_minute, api_access, custom_alias, password, expiry, qr_colors) VALUES ('p', 60, 1, 1, 1, 1, 1)");
    long.exec("INSERT INTO users (email, password_hash, plan_id) VALUES ('a@example.com', 'x', 1)");
    const insert = long.prepare("INSERT INTO links (code, user_id, destination) VALUES (?, 1, ?)");
    long.transaction(() => {
      for (let i = 0; i < 20_000; i++) insert.run(`long${i}`, `https://example.com/${'p'.repeat(2000)}/${(i * 31) % 20_000}`);
    })();
    const longRepo = createLinksRepo(drizzle({ client: long, schema }));
    const { value: page, turns } = await turnsDuring(longRepo.list({ ownerId: 1, sort: 'destination', direction: 'asc', limit: 10, offset: 0, now: NOW }));
    expect(page.items.map((l) => l.destination.split('/').pop())).toEqual(['0', '1', '10', '100', '1000', '10000', '10001', '10002', '10003', '10004']);
    // one statement sorting 10 MB of destinations gave none (the page was ready before the second)
    expect(turns).toBeGreaterThan(2);
  });
});
