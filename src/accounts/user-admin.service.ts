/**
 * What an admin does to other people's accounts. The rules live here, not in
 * a page handler, so every front end (dashboard today, perhaps the CLI or an
 * API later) keeps them: only admins act; an admin cannot lock themselves out
 * (demote, deactivate or reset their own account — they would lose the
 * session they are acting from, possibly leaving no admin at all); and losing
 * access ends the user's sessions at once, while their API keys stop working
 * because keys.authenticate checks isActive on every request. The admin is
 * checked again when each write lands (users.repo AdminWrite): one demoted or
 * deactivated while their request waited does nothing.
 *
 * An admin also sees and revokes other users' API keys: a reset password
 * (suspected compromise) leaves keys working unless they are revoked with it,
 * and a reactivation brings back every key the deactivation had stopped. Key
 * revocations are checked only at the request's start: they take access away,
 * never give it.
 *
 * And an admin hands every link and QR code of one user to another (someone
 * who leaves), under the rules of transfer.service.ts; the admin is checked
 * again in the transfer's transaction.
 */
import { DomainError } from '../errors.ts';
import type { Actor, ApiKey, Plan, Role, User } from './accounts.types.ts';
import type { KeysService } from './keys.service.ts';
import type { PlansService } from './plans.service.ts';
import { generatePassword } from './secrets.ts';
import type { SessionsService } from './sessions.service.ts';
import type { Holdings, TransferDone, TransferPreview, TransferService } from './transfer.service.ts';
import { ONLY_ADMINS, type UsersService } from './users.service.ts';

const ROLES: readonly Role[] = ['admin', 'member'];

/** What became of a user's API keys in an action: how many it revoked, how many still work. */
export interface KeysOutcome {
  keysRevoked: number;
  activeKeys: number;
}

export function createUserAdminService(deps: { users: UsersService; plans: PlansService; sessions: SessionsService; keys: KeysService; transfers: TransferService }) {
  const { users, plans, sessions, keys, transfers } = deps;

  function requireAdmin(actor: Actor): void {
    if (actor.user.role !== 'admin') throw new DomainError('FORBIDDEN', ONLY_ADMINS);
  }

  function notSelf(actor: Actor, id: number, what: string): void {
    if (actor.user.id === id) throw new DomainError('FORBIDDEN', `You cannot ${what} your own account.`);
  }

  function checkRole(role: unknown): Role | undefined {
    if (role === undefined) return undefined;
    if (!ROLES.includes(role as Role)) throw new DomainError('VALIDATION', 'The role must be admin or member.', { field: 'role' });
    return role as Role;
  }

  return {
    /** Every user, every plan (for pickers) and each user's count of active API keys (absent: none). @throws FORBIDDEN */
    async directory(actor: Actor): Promise<{ users: User[]; plans: Plan[]; activeKeys: Map<number, number> }> {
      requireAdmin(actor);
      return { users: await users.list(), plans: await plans.list(), activeKeys: await keys.activeCounts() };
    },

    /** @throws FORBIDDEN */
    async activeKeyCount(actor: Actor, id: number): Promise<number> {
      requireAdmin(actor);
      return keys.activeCount(id);
    },

    /** A user's API keys, revoked ones included (never their secret: only a hash is kept). @throws FORBIDDEN, NOT_FOUND */
    async keysOf(actor: Actor, id: number): Promise<{ user: User; keys: ApiKey[] }> {
      requireAdmin(actor);
      return { user: await users.get(id), keys: await keys.list(id) };
    },

    /** @throws FORBIDDEN, NOT_FOUND (no such active key of this user) */
    async revokeKey(actor: Actor, userId: number, keyId: number): Promise<ApiKey> {
      requireAdmin(actor);
      return keys.revoke(userId, keyId);
    },

    /** Revokes every active key of the user; returns how many. @throws FORBIDDEN, NOT_FOUND */
    async revokeAllKeys(actor: Actor, id: number): Promise<number> {
      requireAdmin(actor);
      await users.get(id);
      return keys.revokeAll(id);
    },

    /**
     * Creates an account with a generated password, returned once, which the
     * new user must change at first sign-in.
     * @throws FORBIDDEN, VALIDATION (plan unknown too), CODE_TAKEN
     */
    async invite(actor: Actor, input: { email: string; role?: string; plan?: string }): Promise<{ user: User; password: string }> {
      requireAdmin(actor);
      const password = generatePassword();
      const user = await users.create({ email: input.email, password, role: checkRole(input.role), plan: input.plan, mustChangePassword: true }, { byAdmin: actor.user.id });
      return { user, password };
    },

    /** @throws FORBIDDEN (not admin, or demoting yourself), VALIDATION, NOT_FOUND */
    async change(actor: Actor, id: number, patch: { role?: string; plan?: string }): Promise<User> {
      requireAdmin(actor);
      const role = checkRole(patch.role);
      if (role !== undefined && role !== 'admin') notSelf(actor, id, 'remove the admin role from');
      return users.update(id, { role, plan: patch.plan }, { byAdmin: actor.user.id });
    },

    /**
     * A new generated password, returned once; the user's sessions end, and with `revokeKeys` their
     * API keys too (after the reset, which is refused first if the admin lost the role meanwhile).
     * @throws FORBIDDEN, NOT_FOUND
     */
    async resetPassword(actor: Actor, id: number, opts: { revokeKeys?: boolean } = {}): Promise<{ user: User; password: string } & KeysOutcome> {
      requireAdmin(actor);
      notSelf(actor, id, 'reset the password of');
      const result = await users.resetPassword(id, { byAdmin: actor.user.id });
      await sessions.endAllFor(id);
      const keysRevoked = opts.revokeKeys ? await keys.revokeAll(id) : 0;
      return { ...result, keysRevoked, activeKeys: await keys.activeCount(id) };
    },

    /**
     * Deactivating ends the user's sessions (their keys are refused while inactive). Reactivating
     * makes their active keys work again unless `revokeKeys`, which revokes them before the account
     * is active, so that none works in between. @throws FORBIDDEN, NOT_FOUND
     */
    async setActive(actor: Actor, id: number, active: boolean, opts: { revokeKeys?: boolean } = {}): Promise<{ user: User } & KeysOutcome> {
      requireAdmin(actor);
      if (!active) notSelf(actor, id, 'deactivate');
      // an unknown id revokes nothing here and is NOT_FOUND at the update
      const keysRevoked = active && opts.revokeKeys ? await keys.revokeAll(id) : 0;
      const user = await users.update(id, { isActive: active }, { byAdmin: actor.user.id });
      if (!active) await sessions.endAllFor(id);
      return { user, keysRevoked, activeKeys: await keys.activeCount(id) };
    },

    /** A user, what they hold and who may receive it. @throws FORBIDDEN, NOT_FOUND */
    async transferOverview(actor: Actor, fromId: number): Promise<{ from: User; moving: Holdings; candidates: User[] }> {
      requireAdmin(actor);
      return transfers.overview(fromId);
    },

    /** What transferring would do, for the confirmation. @throws FORBIDDEN, NOT_FOUND, VALIDATION */
    async transferPreview(actor: Actor, fromId: number, toId: number): Promise<TransferPreview> {
      requireAdmin(actor);
      return transfers.preview(fromId, toId);
    },

    /** Every link and QR code of one user to another. @throws FORBIDDEN, NOT_FOUND, VALIDATION */
    async transfer(actor: Actor, fromId: number, toId: number): Promise<TransferDone> {
      requireAdmin(actor);
      return transfers.transfer(fromId, toId, { byAdmin: actor.user.id });
    },
  };
}
export type UserAdminService = ReturnType<typeof createUserAdminService>;
