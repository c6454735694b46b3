import { and, eq, lt, ne, or } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { sessions } from '../db/schema.ts';
import { writeWithoutWaiting } from '../db/without-waiting.ts';

export interface SessionRow {
  idHash: string;
  userId: number;
  csrfToken: string;
  expiresAt: number;
  lastSeenAt: number;
  /** the sign-in: the end of the session's absolute lifetime counts from it */
  createdAt: number;
}

export function createSessionsRepo(db: Db) {
  // one statement, so that no reset or deactivation can land between the check and the insert
  const insertForCredential = db.$client.prepare<unknown, [string, number, string, number, number, number, number, string]>(
    `INSERT INTO sessions (id_hash, user_id, csrf_token, expires_at, last_seen_at, created_at)
     SELECT ?1, ?2, ?3, ?4, ?5, ?6 FROM users WHERE id = ?7 AND password_hash = ?8 AND is_active = 1`,
  );
  // no index on expires_at: the table holds live sessions only (a few per user), so the scan is short, and
  // it stops at `limit` rows
  const removeSomeExpired = db.$client.prepare<unknown, [number, number, number]>(
    `DELETE FROM sessions WHERE rowid IN (SELECT rowid FROM sessions WHERE expires_at < ?1 OR created_at < ?2 LIMIT ?3)`,
  );
  const touchSession = db.$client.prepare<unknown, [number, number, string]>('UPDATE sessions SET last_seen_at = ?1, expires_at = ?2 WHERE id_hash = ?3');
  const ended = (now: number, createdBefore: number) => or(lt(sessions.expiresAt, now), lt(sessions.createdAt, createdBefore));
  return {
    /**
     * Opens a session only while its user is active and still has the password hash the sign-in
     * verified: a reset (which ends every session) or a deactivation landing during the bcrypt
     * comparison must not be followed by a session made with the old password. False when one did.
     */
    async insertIfCredential(s: SessionRow, passwordHash: string): Promise<boolean> {
      return insertForCredential.run(s.idHash, s.userId, s.csrfToken, s.expiresAt, s.lastSeenAt, s.createdAt, s.userId, passwordHash).changes > 0;
    },
    async find(idHash: string): Promise<SessionRow | null> {
      return db.select().from(sessions).where(eq(sessions.idHash, idHash)).get() ?? null;
    },
    /** Slides the session's expiry unless another writer holds the lock (db/without-waiting.ts); false when not written. */
    async touch(idHash: string, lastSeenAt: number, expiresAt: number): Promise<boolean> {
      // false when the session went meanwhile (a sign-out between its read and this): no cookie for it
      return writeWithoutWaiting(db.$client, () => touchSession.run(lastSeenAt, expiresAt, idHash).changes > 0);
    },
    async remove(idHash: string): Promise<void> {
      db.delete(sessions).where(eq(sessions.idHash, idHash)).run();
    },
    /** Ends every session of a user, optionally keeping one (the one that changed the password). */
    async removeForUser(userId: number, keepIdHash?: string): Promise<void> {
      const where = keepIdHash ? and(eq(sessions.userId, userId), ne(sessions.idHash, keepIdHash)) : eq(sessions.userId, userId);
      db.delete(sessions).where(where).run();
    },
    /** Deletes every session idle past its expiry or signed in before `createdBefore`. */
    async removeExpired(now: number, createdBefore: number): Promise<void> {
      db.delete(sessions).where(ended(now, createdBefore)).run();
    },
    /** The same for at most `limit` of them, and only if no other writer holds the lock: housekeeping beside a request. */
    async removeSomeExpired(now: number, createdBefore: number, limit: number): Promise<void> {
      writeWithoutWaiting(db.$client, () => void removeSomeExpired.run(now, createdBefore, limit));
    },
  };
}
export type SessionsRepo = ReturnType<typeof createSessionsRepo>;
