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
 */
import { DomainError } from '../errors.ts';
import type { Actor, Plan, Role, User } from './accounts.types.ts';
import type { PlansService } from './plans.service.ts';
import { generatePassword } from './secrets.ts';
import type { SessionsService } from './sessions.service.ts';
import { ONLY_ADMINS, type UsersService } from './users.service.ts';

const ROLES: readonly Role[] = ['admin', 'member'];

export function createUserAdminService(deps: { users: UsersService; plans: PlansService; sessions: SessionsService }) {
  const { users, plans, sessions } = deps;

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
    /** Every user and every plan (for pickers). @throws FORBIDDEN */
    async directory(actor: Actor): Promise<{ users: User[]; plans: Plan[] }> {
      requireAdmin(actor);
      return { users: await users.list(), plans: await plans.list() };
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

    /** A new generated password, returned once; the user's sessions end. @throws FORBIDDEN, NOT_FOUND */
    async resetPassword(actor: Actor, id: number): Promise<{ user: User; password: string }> {
      requireAdmin(actor);
      notSelf(actor, id, 'reset the password of');
      const result = await users.resetPassword(id, { byAdmin: actor.user.id });
      await sessions.endAllFor(id);
      return result;
    },

    /** Deactivating ends the user's sessions. @throws FORBIDDEN, NOT_FOUND */
    async setActive(actor: Actor, id: number, active: boolean): Promise<User> {
      requireAdmin(actor);
      if (!active) notSelf(actor, id, 'deactivate');
      const user = await users.update(id, { isActive: active }, { byAdmin: actor.user.id });
      if (!active) await sessions.endAllFor(id);
      return user;
    },
  };
}
export type UserAdminService = ReturnType<typeof createUserAdminService>;
