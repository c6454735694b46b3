import { and, asc, count, desc, eq, gt, inArray } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { idIn, idsContaining, rowsInOrder } from '../db/text-search.ts';
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
    /** Newest first; a search matches the name in any case (idsContaining: linear, unlike LIKE, and yielding). */
    async list(userId: number, search: string | undefined, limit: number, offset: number): Promise<{ items: QrCode[]; total: number }> {
      const mine = eq(qrCodes.userId, userId);
      const newest = [desc(qrCodes.createdAt), desc(qrCodes.id)];
      if (!search) {
        const items = db.select().from(qrCodes).where(mine).orderBy(...newest).limit(limit).offset(offset).all().map(toQr);
        const total = db.select({ n: count() }).from(qrCodes).where(mine).get()?.n ?? 0;
        return { items, total };
      }
      const matched = await idsContaining(
        (after, max) => db.select({ id: qrCodes.id, name: qrCodes.name }).from(qrCodes).where(and(mine, gt(qrCodes.id, after))).orderBy(asc(qrCodes.id)).limit(max).all(),
        search,
        (r) => [r.name],
      );
      const ordered = matched.length ? db.select({ id: qrCodes.id }).from(qrCodes).where(and(mine, idIn(qrCodes.id, matched))).orderBy(...newest).all().map((r) => r.id) : [];
      const items = rowsInOrder(ordered.slice(offset, offset + limit), (slice) => db.select().from(qrCodes).where(inArray(qrCodes.id, slice)).all());
      return { items: items.map(toQr), total: ordered.length };
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
