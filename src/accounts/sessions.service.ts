/**
 * Dashboard sessions. The browser holds a random token; the database holds
 * only its SHA-256, so a leaked database cannot be replayed as a login. Each
 * session carries its own CSRF token. A session ends after 7 idle days; the
 * window is refreshed at most once a minute so page views do not become writes,
 * and the refresh is bookkeeping: it waits for no lock (another writer busy:
 * last_seen_at stays as it was, so the next request tries again).
 */
import { DomainError } from '../errors.ts';
import type { Actor } from './accounts.types.ts';
import { randomBase64Url, sha256Hex } from './secrets.ts';
import type { SessionsRepo } from './sessions.repo.ts';
import type { UsersService } from './users.service.ts';

export const SESSION_IDLE_MS = 7 * 24 * 60 * 60 * 1000;
const TOUCH_EVERY_MS = 60_000;

export interface SessionContext {
  actor: Actor;
  idHash: string;
  csrfToken: string;
}

export function createSessionsService(deps: { sessions: SessionsRepo; users: UsersService; now?: () => number }) {
  const { sessions, users } = deps;
  const now = deps.now ?? Date.now;

  return {
    /** Signs in with email and password. @throws UNAUTHENTICATED */
    async login(email: string, password: string): Promise<{ token: string; context: SessionContext }> {
      const { user, passwordHash } = await users.authenticate(email, password);
      const token = randomBase64Url(32);
      const idHash = sha256Hex(token);
      const csrfToken = randomBase64Url(32);
      const t = now();
      // sessions are only ever added here, so expired ones go here too: the table never outgrows its live sessions
      await sessions.removeExpired(t);
      const row = { idHash, userId: user.id, csrfToken, expiresAt: t + SESSION_IDLE_MS, lastSeenAt: t };
      // reset or deactivated while the password was being checked: the old password opens nothing
      if (!(await sessions.insertIfCredential(row, passwordHash))) throw new DomainError('UNAUTHENTICATED', 'Invalid email or password.');
      return { token, context: { actor: await users.actorFor(user), idHash, csrfToken } };
    },

    /** The signed-in actor for a session token, or null (unknown, expired, user deactivated). */
    async resume(token: string | null): Promise<SessionContext | null> {
      if (!token || token.length > 100) return null;
      const idHash = sha256Hex(token);
      const s = await sessions.find(idHash);
      const t = now();
      if (!s || s.expiresAt <= t) return null;
      const user = await users.get(s.userId).catch(() => null);
      if (!user || !user.isActive) return null;
      // after the checks, which are the request's
      if (s.lastSeenAt + TOUCH_EVERY_MS < t) await sessions.touch(idHash, t, t + SESSION_IDLE_MS);
      return { actor: await users.actorFor(user), idHash, csrfToken: s.csrfToken };
    },

    async logout(idHash: string): Promise<void> {
      await sessions.remove(idHash);
    },

    /**
     * Changes the user's password after checking the current one, and ends
     * every other session of theirs. @throws UNAUTHENTICATED, VALIDATION
     */
    async changePassword(ctx: SessionContext, current: string, next: string): Promise<void> {
      const { passwordHash } = await users.authenticate(ctx.actor.user.email, current).catch(() => {
        throw new DomainError('VALIDATION', 'The current password is incorrect.', { field: 'current_password' });
      });
      // the same one again would clear "must change" while whoever issued it (an admin's reset) still knows it
      if (next === current) throw new DomainError('VALIDATION', 'The new password must be different from the current one.', { field: 'new_password' });
      // not over a reset that landed during the checks: a session the reset ended must not choose the password after it;
      // nor from a session signed out while the passwords were hashed
      await users.changePassword(ctx.actor.user.id, passwordHash, next, ctx.idHash);
      await sessions.removeForUser(ctx.actor.user.id, ctx.idHash);
    },

    /** Ends all sessions of a user (admin reset, deactivation). */
    endAllFor: (userId: number) => sessions.removeForUser(userId),
  };
}
export type SessionsService = ReturnType<typeof createSessionsService>;
