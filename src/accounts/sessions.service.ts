/**
 * Dashboard sessions. The browser holds a random token; the database holds
 * only its SHA-256, so a leaked database cannot be replayed as a login. Each
 * session carries its own CSRF token. A session ends after 7 idle days, and
 * 30 days after its sign-in however busy: a stolen cookie in use every day
 * must not last for ever. The idle window is refreshed at most once a minute
 * so page views do not become writes, and the refresh is bookkeeping: it
 * waits for no lock (another writer busy: the next request tries again).
 */
import { DomainError } from '../errors.ts';
import { Refusals } from '../refusals.ts';
import type { Actor } from './accounts.types.ts';
import { randomBase64Url, sha256Hex } from './secrets.ts';
import type { SessionsRepo } from './sessions.repo.ts';
import { checkPassword, type UsersService } from './users.service.ts';

export const SESSION_IDLE_MS = 7 * 24 * 60 * 60 * 1000;
export const SESSION_MAX_MS = 30 * 24 * 60 * 60 * 1000;
const TOUCH_EVERY_MS = 60_000;
/** Expired sessions deleted beside one refresh or sign-out: enough to keep up, too few to cost the request. */
const SWEEP_BATCH = 50;

export interface SessionContext {
  actor: Actor;
  idHash: string;
  csrfToken: string;
  /**
   * When resuming slid the session's expiry: how long it now lasts, for the cookie to be sent again
   * with as much (the browser would otherwise drop it 7 days after sign-in); null otherwise.
   */
  renewedForMs: number | null;
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
      // sessions are only ever added here, so all expired ones go here (and a few on refreshes and sign-outs, for an
      // instance nobody signs in to for a while): the table never outgrows its live sessions
      await sessions.removeExpired(t, t - SESSION_MAX_MS);
      const row = { idHash, userId: user.id, csrfToken, expiresAt: t + SESSION_IDLE_MS, lastSeenAt: t, createdAt: t };
      // reset or deactivated while the password was being checked: the old password opens nothing
      if (!(await sessions.insertIfCredential(row, passwordHash))) throw new DomainError('UNAUTHENTICATED', 'Invalid email or password.');
      return { token, context: { actor: await users.actorFor(user), idHash, csrfToken, renewedForMs: null } };
    },

    /** The signed-in actor for a session token, or null (unknown, expired, user deactivated). */
    async resume(token: string | null): Promise<SessionContext | null> {
      if (!token || token.length > 100) return null;
      const idHash = sha256Hex(token);
      const s = await sessions.find(idHash);
      const t = now();
      if (!s || s.expiresAt <= t || s.createdAt + SESSION_MAX_MS <= t) return null;
      const user = await users.get(s.userId).catch(() => null);
      if (!user || !user.isActive) return null;
      let renewedForMs: number | null = null;
      // after the checks, which are the request's; a refresh refused leaves last_seen_at as it was, so the next request retries
      if (s.lastSeenAt + TOUCH_EVERY_MS < t) {
        const expiresAt = Math.min(t + SESSION_IDLE_MS, s.createdAt + SESSION_MAX_MS);
        if (await sessions.touch(idHash, t, expiresAt)) {
          renewedForMs = expiresAt - t;
          await sessions.removeSomeExpired(t, t - SESSION_MAX_MS, SWEEP_BATCH);
        }
      }
      return { actor: await users.actorFor(user), idHash, csrfToken: s.csrfToken, renewedForMs };
    },

    async logout(idHash: string): Promise<void> {
      await sessions.remove(idHash);
      const t = now();
      await sessions.removeSomeExpired(t, t - SESSION_MAX_MS, SWEEP_BATCH);
    },

    /**
     * Changes the user's password after checking the current one, and ends
     * every other session of theirs. Every refusal is gathered in `r` (with
     * what the caller noted there: a form's mismatched confirmation), so a
     * form shows them all at once; the first is thrown. @throws UNAUTHENTICATED, VALIDATION
     */
    async changePassword(ctx: SessionContext, current: string, next: string, r = new Refusals()): Promise<void> {
      const found = await users.authenticate(ctx.actor.user.email, current).catch(() => {
        r.note(new DomainError('VALIDATION', 'The current password is incorrect.', { field: 'current_password' }));
        return null;
      });
      // the same one again would clear "must change" while whoever issued it (an admin's reset) still knows it
      if (next === current) r.note(new DomainError('VALIDATION', 'The new password must be different from the current one.', { field: 'new_password' }));
      else r.passes(() => checkPassword(next));
      if (!found || r.any) return r.throwIfAny();
      // not over a reset that landed during the checks: a session the reset ended must not choose the password after it;
      // nor from a session signed out while the passwords were hashed
      await users.changePassword(ctx.actor.user.id, found.passwordHash, next, ctx.idHash);
      await sessions.removeForUser(ctx.actor.user.id, ctx.idHash);
    },

    /** Ends all sessions of a user (admin reset, deactivation). */
    endAllFor: (userId: number) => sessions.removeForUser(userId),
  };
}
export type SessionsService = ReturnType<typeof createSessionsService>;
