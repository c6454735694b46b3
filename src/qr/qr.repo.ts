import { and, count, desc, eq, inArray } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { idsContaining, rowsInOrder } from '../db/text-search.ts';
import { qrCodes } from '../db/schema.ts';
import type { QrCode } from './qr.types.ts';

type Row = typeof qrCodes.$inferSelect;
const toQr = (r: Row): QrCode => ({ ...r });

export type NewQr = Omit<typeof qrCodes.$inferInsert, 'id' | 'createdAt' | 'updatedAt'>;

export function createQrRepo(db: Db) {
  return {
    async insert(qr: NewQr): Promise<QrCode> {
      return toQr(db.insert(qrCodes).values(qr).returning().get());
    },
    async findForUser(userId: number, id: number): Promise<QrCode | null> {
      const r = db.select().from(qrCodes).where(and(eq(qrCodes.id, id), eq(qrCodes.userId, userId))).get();
      return r ? toQr(r) : null;
    },
    /** Newest first; a search matches the name in any case (idsContaining: linear, unlike LIKE). */
    async list(userId: number, search: string | undefined, limit: number, offset: number): Promise<{ items: QrCode[]; total: number }> {
      const mine = eq(qrCodes.userId, userId);
      const newest = [desc(qrCodes.createdAt), desc(qrCodes.id)];
      if (!search) {
        const items = db.select().from(qrCodes).where(mine).orderBy(...newest).limit(limit).offset(offset).all().map(toQr);
        const total = db.select({ n: count() }).from(qrCodes).where(mine).get()?.n ?? 0;
        return { items, total };
      }
      const candidates = db.select({ id: qrCodes.id, name: qrCodes.name }).from(qrCodes).where(mine).orderBy(...newest).toSQL();
      const matched = idsContaining<{ id: number; name: string }>(db, candidates, search, (r) => [r.name]);
      const items = rowsInOrder(matched.slice(offset, offset + limit), (slice) => db.select().from(qrCodes).where(inArray(qrCodes.id, slice)).all());
      return { items: items.map(toQr), total: matched.length };
    },
    async update(userId: number, id: number, patch: Partial<NewQr>): Promise<QrCode | null> {
      const r = db
        .update(qrCodes)
        .set({ ...patch, updatedAt: Date.now() })
        .where(and(eq(qrCodes.id, id), eq(qrCodes.userId, userId)))
        .returning()
        .get();
      return r ? toQr(r) : null;
    },
    async remove(userId: number, id: number): Promise<boolean> {
      return db.delete(qrCodes).where(and(eq(qrCodes.id, id), eq(qrCodes.userId, userId))).returning({ id: qrCodes.id }).all().length > 0;
    },
  };
}
export type QrRepo = ReturnType<typeof createQrRepo>;
