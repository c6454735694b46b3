import { asc, eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { plans } from '../db/schema.ts';
import type { Plan } from './accounts.types.ts';

type Row = typeof plans.$inferSelect;
const toPlan = (r: Row): Plan => ({
  id: r.id,
  name: r.name,
  rateLimitPerMinute: r.rateLimitPerMinute,
  apiAccess: r.apiAccess,
  maxLinks: r.maxLinks,
  customAlias: r.customAlias,
  password: r.password,
  expiry: r.expiry,
  qrColors: r.qrColors,
});

export type PlanFields = Omit<Plan, 'id'>;

export function createPlansRepo(db: Db) {
  // read on every API request and dashboard page (the actor's plan): compile that query once
  const byId = db.select().from(plans).where(eq(plans.id, sql.placeholder('id'))).prepare();
  return {
    async list(): Promise<Plan[]> {
      return db.select().from(plans).orderBy(asc(plans.id)).all().map(toPlan);
    },
    async findById(id: number): Promise<Plan | null> {
      const r = byId.get({ id });
      return r ? toPlan(r) : null;
    },
    async findByName(name: string): Promise<Plan | null> {
      const r = db.select().from(plans).where(eq(plans.name, name)).get();
      return r ? toPlan(r) : null;
    },
    /** inserts the plan unless one of that name exists (admins' edits survive restarts) */
    async insertIfMissing(fields: PlanFields): Promise<void> {
      db.insert(plans).values(fields).onConflictDoNothing({ target: plans.name }).run();
    },
    async update(id: number, patch: Partial<PlanFields>): Promise<Plan | null> {
      const r = db.update(plans).set({ ...patch, updatedAt: Date.now() }).where(eq(plans.id, id)).returning().get();
      return r ? toPlan(r) : null;
    },
  };
}
export type PlansRepo = ReturnType<typeof createPlansRepo>;
