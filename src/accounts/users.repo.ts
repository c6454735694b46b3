import { and, asc, count, eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { uniqueWrite } from '../db/unique-violation.ts';
import { users } from '../db/schema.ts';
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

export function createUsersRepo(db: Db) {
  // every API request and dashboard page resolves its user by id: compile that query once
  const byId = db.select().from(users).where(eq(users.id, sql.placeholder('id'))).prepare();
  return {
    async insert(u: NewUser): Promise<User> {
      return toUser(uniqueWrite(() => db.insert(users).values(u).returning().get()));
    },
    async findById(id: number): Promise<User | null> {
      const r = byId.get({ id });
      return r ? toUser(r) : null;
    },
    async findByEmailWithHash(email: string): Promise<{ user: User; passwordHash: string } | null> {
      const r = db.select().from(users).where(eq(users.email, email)).get();
      return r ? { user: toUser(r), passwordHash: r.passwordHash } : null;
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
     * or a deactivation may have landed. False when one did.
     */
    async replacePasswordHash(id: number, expected: string, next: string): Promise<boolean> {
      const r = db
        .update(users)
        .set({ passwordHash: next, mustChangePassword: false, updatedAt: Date.now() })
        .where(and(eq(users.id, id), eq(users.passwordHash, expected), eq(users.isActive, true)))
        .returning({ id: users.id })
        .get();
      return r !== undefined;
    },
    async update(
      id: number,
      patch: Partial<Pick<Row, 'role' | 'planId' | 'isActive' | 'mustChangePassword' | 'passwordHash' | 'email'>>,
    ): Promise<User | null> {
      const r = db.update(users).set({ ...patch, updatedAt: Date.now() }).where(eq(users.id, id)).returning().get();
      return r ? toUser(r) : null;
    },
  };
}
export type UsersRepo = ReturnType<typeof createUsersRepo>;
