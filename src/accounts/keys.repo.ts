import { and, desc, eq, isNull, sql } from 'drizzle-orm';

import type { Db } from '../db/client.ts';
import { apiKeys } from '../db/schema.ts';
import { writeWithoutWaiting } from '../db/without-waiting.ts';
import type { ApiKey } from './accounts.types.ts';

type Row = typeof apiKeys.$inferSelect;
const toKey = (r: Row): ApiKey => ({
  id: r.id,
  userId: r.userId,
  name: r.name,
  prefix: r.prefix,
  lastUsedAt: r.lastUsedAt,
  revokedAt: r.revokedAt,
  createdAt: r.createdAt,
});

export function createKeysRepo(db: Db) {
  const byHash = db
    .select()
    .from(apiKeys)
    .where(and(eq(apiKeys.keyHash, sql.placeholder('hash')), isNull(apiKeys.revokedAt)))
    .prepare();
  return {
    /** Null when the user already holds `maxActive` active keys: counted and inserted in one transaction, so concurrent creates cannot pass the cap together. */
    async insert(k: { userId: number; name: string; prefix: string; keyHash: string }, maxActive: number): Promise<ApiKey | null> {
      return db.transaction((tx) => {
        const active = tx.select({ n: sql<number>`count(*)` }).from(apiKeys).where(and(eq(apiKeys.userId, k.userId), isNull(apiKeys.revokedAt))).get()?.n ?? 0;
        if (active >= maxActive) return null;
        return toKey(tx.insert(apiKeys).values(k).returning().get());
      }, { behavior: 'immediate' });
    },
    async findActiveByHash(keyHash: string): Promise<ApiKey | null> {
      const r = byHash.get({ hash: keyHash });
      return r ? toKey(r) : null;
    },
    async listForUser(userId: number): Promise<ApiKey[]> {
      return db.select().from(apiKeys).where(eq(apiKeys.userId, userId)).orderBy(desc(apiKeys.id)).all().map(toKey);
    },
    /** The key as revoked, or null when the user has no such active key. */
    async revoke(userId: number, id: number): Promise<ApiKey | null> {
      const r = db
        .update(apiKeys)
        .set({ revokedAt: Date.now() })
        .where(and(eq(apiKeys.id, id), eq(apiKeys.userId, userId), isNull(apiKeys.revokedAt)))
        .returning()
        .get();
      return r ? toKey(r) : null;
    },
    /** Revokes every active key of the user at once; returns how many. */
    async revokeAllForUser(userId: number): Promise<number> {
      return db.update(apiKeys).set({ revokedAt: Date.now() }).where(and(eq(apiKeys.userId, userId), isNull(apiKeys.revokedAt))).returning({ id: apiKeys.id }).all().length;
    },
    /** Active keys per user, for the admin's list of users; a user without one is absent. */
    async activeCounts(userId?: number): Promise<Map<number, number>> {
      const rows = db
        .select({ userId: apiKeys.userId, n: sql<number>`count(*)` })
        .from(apiKeys)
        .where(and(isNull(apiKeys.revokedAt), userId === undefined ? undefined : eq(apiKeys.userId, userId)))
        .groupBy(apiKeys.userId)
        .all();
      return new Map(rows.map((r) => [r.userId, r.n]));
    },
    /** Records the key's last use unless another writer holds the lock (db/without-waiting.ts); false when not written. */
    async touch(id: number, at: number): Promise<boolean> {
      return writeWithoutWaiting(db.$client, () => void db.update(apiKeys).set({ lastUsedAt: at }).where(eq(apiKeys.id, id)).run());
    },
  };
}
export type KeysRepo = ReturnType<typeof createKeysRepo>;
