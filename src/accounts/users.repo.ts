import { and, asc, count, eq, exists, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { NotAnAdmin } from '../errors.ts';
import { uniqueWrite } from '../db/unique-violation.ts';
import { sessions, users } from '../db/schema.ts';
import type { Role, User } from './accounts.types.ts';

type Row = typeof users.$inferSelect;
const toUser = (r: Row): User => ({
  id: r.id,
  email: r.email,
  role: r.role,
  planId: r.planId,
  isActive: r.isActive,
  mustChangePassword: r.mustChangePassword,
  createdAt: r.createdAt,
  updatedAt: r.updatedAt,
});

export interface NewUser {
  email: string;
  passwordHash: string;
  role: Role;
  planId: number;
  mustChangePassword?: boolean;
}

/**
 * `byAdmin`: the write is an admin's (user-admin.service.ts) and happens only while that user is
 * still an active admin, checked in the write's transaction: the admin was checked when their
 * request began, and a request may wait (a password hash, a slow body) while another admin demotes
 * or deactivates them — two admins demoting each other at once left no admin at all.
 */
export interface AdminWrite {
  byAdmin?: number;
}

export function createUsersRepo(db: Db) {
  // every API request and dashboard page resolves its user by id: compile that query once
  const byId = db.select().from(users).where(eq(users.id, sql.placeholder('id'))).prepare();
  const activeAdmin = db
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.id, sql.placeholder('id')), eq(users.role, 'admin'), eq(users.isActive, true)))
    .prepare();
  function asAdmin<T>(opts: AdminWrite, write: () => T): T {
    if (opts.byAdmin === undefined) return write();
    const adminId = opts.byAdmin;
    return db.transaction(() => {
      if (!activeAdmin.get({ id: adminId })) throw new NotAnAdmin();
      return write();
    }, { behavior: 'immediate' });
  }
  return {
    async insert(u: NewUser, opts: AdminWrite = {}): Promise<User> {
      return toUser(asAdmin(opts, () => uniqueWrite(() => db.insert(users).values(u).returning().get())));
    },
    async findById(id: number): Promise<User | null> {
      const r = byId.get({ id });
      return r ? toUser(r) : null;
    },
    async findByEmailWithHash(email: string): Promise<{ user: User; passwordHash: string } | null> {
      const r = db.select().from(users).where(eq(users.email, email)).get();
      return r ? { user: toUser(r), passwordHash: r.passwordHash } : null;
    },
    /** Stored emails with a character outside printable ASCII: the only ones Unicode normalisation can change. */
    async nonAsciiEmails(): Promise<string[]> {
      return db.select({ email: users.email }).from(users).where(sql`${users.email} GLOB '*[^ -~]*'`).all().map((r) => r.email);
    },
    async list(): Promise<User[]> {
      return db.select().from(users).orderBy(asc(users.id)).all().map(toUser);
    },
    async countAdmins(): Promise<number> {
      return db.select({ n: count() }).from(users).where(eq(users.role, 'admin')).get()?.n ?? 0;
    },
    /**
     * Sets a new password hash only while the user is active and still has `expected`: the hash a
     * request verified before it spent tens of milliseconds on bcrypt, during which an admin's reset
     * or a deactivation may have landed; given `whileSession` (a session's id hash), also only while that
     * session exists, checked in the same statement. False when one did not hold.
     */
    async replacePasswordHash(id: number, expected: string, next: string, whileSession?: string): Promise<boolean> {
      const session = whileSession === undefined ? undefined : exists(db.select({ one: sql`1` }).from(sessions).where(and(eq(sessions.idHash, whileSession), eq(sessions.userId, id))));
      const r = db
        .update(users)
        .set({ passwordHash: next, mustChangePassword: false, updatedAt: Date.now() })
        .where(and(eq(users.id, id), eq(users.passwordHash, expected), eq(users.isActive, true), session))
        .returning({ id: users.id })
        .get();
      return r !== undefined;
    },
    async update(
      id: number,
      patch: Partial<Pick<Row, 'role' | 'planId' | 'isActive' | 'mustChangePassword' | 'passwordHash' | 'email'>>,
      opts: AdminWrite = {},
    ): Promise<User | null> {
      const r = asAdmin(opts, () => db.update(users).set({ ...patch, updatedAt: Date.now() }).where(eq(users.id, id)).returning().get());
      return r ? toUser(r) : null;
    },
  };
}
export type UsersRepo = ReturnType<typeof createUsersRepo>;
