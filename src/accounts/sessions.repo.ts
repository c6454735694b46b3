import { and, eq, lt, ne } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { sessions } from '../db/schema.ts';

export interface SessionRow {
  idHash: string;
  userId: number;
  csrfToken: string;
  expiresAt: number;
  lastSeenAt: number;
}

export function createSessionsRepo(db: Db) {
  return {
    async insert(s: SessionRow): Promise<void> {
      db.insert(sessions).values(s).run();
    },
    async find(idHash: string): Promise<SessionRow | null> {
      return db.select().from(sessions).where(eq(sessions.idHash, idHash)).get() ?? null;
    },
    async touch(idHash: string, lastSeenAt: number, expiresAt: number): Promise<void> {
      db.update(sessions).set({ lastSeenAt, expiresAt }).where(eq(sessions.idHash, idHash)).run();
    },
    async remove(idHash: string): Promise<void> {
      db.delete(sessions).where(eq(sessions.idHash, idHash)).run();
    },
    /** Ends every session of a user, optionally keeping one (the one that changed the password). */
    async removeForUser(userId: number, keepIdHash?: string): Promise<void> {
      const where = keepIdHash ? and(eq(sessions.userId, userId), ne(sessions.idHash, keepIdHash)) : eq(sessions.userId, userId);
      db.delete(sessions).where(where).run();
    },
    async removeExpired(now: number): Promise<void> {
      db.delete(sessions).where(lt(sessions.expiresAt, now)).run();
    },
  };
}
export type SessionsRepo = ReturnType<typeof createSessionsRepo>;
