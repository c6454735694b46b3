import { and, count, desc, eq } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { containsText } from '../db/text-search.ts';
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
    async list(userId: number, search: string | undefined, limit: number, offset: number): Promise<{ items: QrCode[]; total: number }> {
      const where = search
        ? and(eq(qrCodes.userId, userId), containsText(qrCodes.name, search))
        : eq(qrCodes.userId, userId);
      const items = db.select().from(qrCodes).where(where).orderBy(desc(qrCodes.createdAt), desc(qrCodes.id)).limit(limit).offset(offset).all().map(toQr);
      const total = db.select({ n: count() }).from(qrCodes).where(where).get()?.n ?? 0;
      return { items, total };
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
