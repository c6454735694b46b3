/**
 * Who owns links and QR codes, as a whole: what one user holds, and moving
 * all of it to another user in one transaction (an admin's transfer, when
 * someone leaves). Click history, counters, rollups and schedules are keyed
 * by link, so they go with the links without being touched; API keys are
 * not links' and stay where they are. The live-link counts are kept by
 * triggers on links.user_id (migration 0010), so the recipient's quota is
 * right the moment the transaction commits.
 */
import { and, count, eq, isNotNull, isNull, ne, or, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { links, qrCodes, userLinkCounts, users } from '../db/schema.ts';
import { NotAnAdmin } from '../errors.ts';

/** What a user holds: links not deleted (and how many use each plan feature), deleted links, QR codes. */
export interface Holdings {
  links: number;
  deletedLinks: number;
  withPassword: number;
  withExpiry: number;
  withAlias: number;
  qrCodes: number;
  /** QR codes whose colours are not the default black on white */
  qrWithColours: number;
}

export interface Moved {
  links: number;
  deletedLinks: number;
  qrCodes: number;
}

/** Why a transfer moved nothing: a user gone, or the recipient deactivated, by the time it ran. */
export type TransferRefusal = 'from-missing' | 'to-missing' | 'to-inactive';

const sumOf = (cond: ReturnType<typeof isNotNull>) => sql<number>`coalesce(sum(CASE WHEN ${cond} THEN 1 ELSE 0 END), 0)`;

export function createOwnershipRepo(db: Db) {
  const activeAdmin = (id: number) => db.select({ id: users.id }).from(users).where(and(eq(users.id, id), eq(users.role, 'admin'), eq(users.isActive, true))).get();
  // prepared on the client: drizzle's run() does not say how many rows changed
  const moveLinks = db.$client.prepare<unknown, [number, number, number]>('UPDATE links SET user_id = ?1 WHERE user_id = ?2 AND (deleted_at IS NOT NULL) = ?3');
  const moveQrCodes = db.$client.prepare<unknown, [number, number]>('UPDATE qr_codes SET user_id = ?1 WHERE user_id = ?2');
  const standing = (id: number) => db.select({ isActive: users.isActive }).from(users).where(eq(users.id, id)).get();

  return {
    /** The user's links not deleted: what their plan's limit counts (one row kept by triggers, schema.ts userLinkCounts). */
    async liveLinks(userId: number): Promise<number> {
      return db.select({ n: userLinkCounts.live }).from(userLinkCounts).where(eq(userLinkCounts.userId, userId)).get()?.n ?? 0;
    },

    async holdings(userId: number): Promise<Holdings> {
      const l = db
        .select({
          links: sumOf(isNull(links.deletedAt)),
          deletedLinks: sumOf(isNotNull(links.deletedAt)),
          withPassword: sumOf(and(isNull(links.deletedAt), isNotNull(links.passwordHash))!),
          withExpiry: sumOf(and(isNull(links.deletedAt), isNotNull(links.expiresAt))!),
          withAlias: sumOf(and(isNull(links.deletedAt), eq(links.isAlias, true))!),
        })
        .from(links)
        .where(eq(links.userId, userId))
        .get()!;
      // colours are stored upper-cased by the QR service; compared upper-cased anyway for rows written before that
      const coloured = or(ne(sql`upper(${qrCodes.foregroundColor})`, '#000000'), ne(sql`upper(${qrCodes.backgroundColor})`, '#FFFFFF'))!;
      const q = db.select({ qrCodes: count(), qrWithColours: sumOf(coloured) }).from(qrCodes).where(eq(qrCodes.userId, userId)).get()!;
      return { ...l, ...q };
    },

    /**
     * Moves every link of `fromId` (deleted ones too) and every QR code to `toId`, in one
     * transaction that first checks, as of now, that both users exist, the recipient is active and,
     * given `byAdmin`, that the admin still is one (users.repo AdminWrite). updated_at is left alone:
     * the links themselves did not change. @throws NotAnAdmin
     */
    async transfer(fromId: number, toId: number, opts: { byAdmin?: number } = {}): Promise<Moved | TransferRefusal> {
      return db.transaction(() => {
        if (opts.byAdmin !== undefined && !activeAdmin(opts.byAdmin)) throw new NotAnAdmin();
        if (!standing(fromId)) return 'from-missing';
        const to = standing(toId);
        if (!to) return 'to-missing';
        if (!to.isActive) return 'to-inactive';
        const moved = { links: moveLinks.run(toId, fromId, 0).changes, deletedLinks: moveLinks.run(toId, fromId, 1).changes };
        const qr = moveQrCodes.run(toId, fromId).changes;
        return { ...moved, qrCodes: qr };
      }, { behavior: 'immediate' });
    },
  };
}
export type OwnershipRepo = ReturnType<typeof createOwnershipRepo>;
