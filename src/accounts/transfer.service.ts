/**
 * Handing every link and QR code of one user to another: what an admin does
 * when someone leaves, whose links would otherwise stay frozen (admins only
 * pause or delete other people's links; edits stay the owner's). The rules:
 *
 * - The recipient is another user, and an active one: links moved to a
 *   deactivated account would be frozen again.
 * - Everything moves in one transaction (ownership.repo): links live,
 *   paused and expired, and deleted ones too, so that the codes a deleted
 *   link keeps reserved (printed QR codes, shared posts) can be taken back
 *   by the new owner, as by the old one; left with a departed account, no
 *   one could ever reuse them. QR codes go with the links they encode.
 *   Click history goes with its links (it is keyed by link). API keys stay:
 *   they are the old owner's credentials, not their links'.
 * - The recipient's plan does not stop it: an admin's transfer may take
 *   them past their link limit (the confirmation says so beforehand), and
 *   then their new links are refused until they are under it again, as
 *   after a downgrade. Links using a feature their plan lacks (password,
 *   expiry, alias, QR colours) keep it and keep working, as after a
 *   downgrade; they cannot set it anew.
 * - Redirects do not change: the redirect cache holds no owner, so nothing
 *   is uncached. Who may see a link's stats or protected destination is
 *   read from the link's row on every request, so the new owner has it at
 *   once and the old owner's keys lose it at once.
 */
import { DomainError, NotAnAdmin } from '../errors.ts';
import type { Holdings, Moved, OwnershipRepo } from '../links/ownership.repo.ts';
import type { Plan, User } from './accounts.types.ts';
import type { PlansService } from './plans.service.ts';
import type { AdminWrite } from './users.repo.ts';
import { ONLY_ADMINS, type UsersService } from './users.service.ts';

export type { Holdings, Moved } from '../links/ownership.repo.ts';

/** A plan feature some of the moving links (or QR codes) use. */
export type TransferFeature = 'password' | 'expiry' | 'customAlias' | 'qrColors';

/** The recipient's links before and after, against their plan's limit (null: unlimited); over: past it by. */
export interface RecipientUsage {
  before: number;
  after: number;
  limit: number | null;
  over: number;
}

export interface TransferPreview {
  from: User;
  to: User;
  toPlan: Plan;
  moving: Holdings;
  usage: RecipientUsage;
  /** features the moving links or QR codes use that the recipient's plan lacks, with how many use each */
  lacking: { feature: TransferFeature; count: number }[];
}

export interface TransferDone {
  from: User;
  to: User;
  toPlan: Plan;
  moved: Moved;
  usage: RecipientUsage;
}

const invalid = (message: string) => new DomainError('VALIDATION', message, { field: 'to' });
const deactivated = () => invalid('That user is deactivated: choose an active user.');

export function createTransferService(deps: { users: UsersService; plans: PlansService; ownership: OwnershipRepo }) {
  const { users, plans, ownership } = deps;

  /** @throws NOT_FOUND (either user), VALIDATION (no recipient, the same user, a deactivated one) */
  async function parties(fromId: number, toId: number): Promise<{ from: User; to: User; toPlan: Plan }> {
    const from = await users.get(fromId);
    if (!Number.isSafeInteger(toId)) throw invalid('Choose the user who gets the links and QR codes.');
    if (toId === from.id) throw invalid('Choose another user: links cannot be transferred to their own owner.');
    const to = await users.get(toId);
    if (!to.isActive) throw deactivated();
    return { from, to, toPlan: await plans.get(to.planId) };
  }

  function usageOf(plan: Plan, before: number, adding: number): RecipientUsage {
    const after = before + adding;
    return { before, after, limit: plan.maxLinks, over: plan.maxLinks === null ? 0 : Math.max(0, after - plan.maxLinks) };
  }

  function lackingOf(plan: Plan, h: Holdings): TransferPreview['lacking'] {
    const uses: [TransferFeature, number][] = [['password', h.withPassword], ['expiry', h.withExpiry], ['customAlias', h.withAlias], ['qrColors', h.qrWithColours]];
    return uses.filter(([f, n]) => n > 0 && !plan[f]).map(([feature, count]) => ({ feature, count }));
  }

  return {
    /** The user, what they hold, and who may receive it (every other active user). @throws NOT_FOUND */
    async overview(fromId: number): Promise<{ from: User; moving: Holdings; candidates: User[] }> {
      const from = await users.get(fromId);
      const candidates = (await users.list()).filter((u) => u.isActive && u.id !== from.id);
      return { from, moving: await ownership.holdings(from.id), candidates };
    },

    /** What a transfer would move and mean for the recipient, changing nothing. @throws NOT_FOUND, VALIDATION */
    async preview(fromId: number, toId: number): Promise<TransferPreview> {
      const { from, to, toPlan } = await parties(fromId, toId);
      const moving = await ownership.holdings(from.id);
      return { from, to, toPlan, moving, usage: usageOf(toPlan, await ownership.liveLinks(to.id), moving.links), lacking: lackingOf(toPlan, moving) };
    },

    /**
     * Moves every link and QR code of `fromId` to `toId` in one transaction, which checks the
     * recipient (and, with `byAdmin`, the admin) again as it runs.
     * @throws NOT_FOUND, VALIDATION, FORBIDDEN (byAdmin no longer an active admin)
     */
    async transfer(fromId: number, toId: number, opts: AdminWrite = {}): Promise<TransferDone> {
      const { from, to, toPlan } = await parties(fromId, toId);
      const moved = await ownership.transfer(from.id, to.id, opts).catch((e: unknown) => {
        throw e instanceof NotAnAdmin ? new DomainError('FORBIDDEN', ONLY_ADMINS) : e;
      });
      if (moved === 'to-inactive') throw deactivated();
      if (typeof moved === 'string') throw new DomainError('NOT_FOUND', 'User not found.');
      const after = await ownership.liveLinks(to.id);
      return { from, to, toPlan, moved, usage: usageOf(toPlan, after - moved.links, moved.links) };
    },
  };
}
export type TransferService = ReturnType<typeof createTransferService>;
