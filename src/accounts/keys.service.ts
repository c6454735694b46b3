/**
 * API keys: shown once at creation, stored as SHA-256, revocable, with a
 * last-used time. Authentication also enforces the user's standing: an
 * inactive user's keys stop working at once.
 */
import { DomainError } from '../errors.ts';
import { charLength } from '../text.ts';
import type { Actor, ApiKey } from './accounts.types.ts';
import type { KeysRepo } from './keys.repo.ts';
import { randomBase64Url, sha256Hex } from './secrets.ts';
import type { UsersService } from './users.service.ts';

export const KEY_PREFIX = 'sr_';
/** Active keys one account may hold: each has its own rate-limit budget, so keys without end would be budgets without end. */
export const MAX_ACTIVE_KEYS = 100;
/** last_used_at is written at most this often per key, so API traffic does not turn into writes */
const TOUCH_INTERVAL_MS = 60_000;

export function createKeysService(deps: { keys: KeysRepo; users: UsersService; now?: () => number }) {
  const { keys, users } = deps;
  const now = deps.now ?? Date.now;
  const touched = new Map<number, number>();

  return {
    /** @throws NOT_FOUND (user), FORBIDDEN (user deactivated), VALIDATION (name, too many active keys) */
    async create(userId: number, nameRaw?: string): Promise<{ key: string; record: ApiKey }> {
      const user = await users.get(userId);
      // authenticate() refuses every key of a deactivated user: a new one would be shown as working and never work
      if (!user.isActive) throw new DomainError('FORBIDDEN', `${user.email} is deactivated; reactivate the account before giving it a key.`);
      const name = (nameRaw ?? '').trim() || 'API key';
      if (charLength(name) > 100) throw new DomainError('VALIDATION', 'The name must not be greater than 100 characters.', { field: 'name' });
      const key = KEY_PREFIX + randomBase64Url(32);
      const record = await keys.insert({ userId, name, prefix: key.slice(0, 10), keyHash: sha256Hex(key) }, MAX_ACTIVE_KEYS);
      if (!record) {
        throw new DomainError('VALIDATION', `This account has ${MAX_ACTIVE_KEYS} active API keys, the most it may hold: revoke one it no longer uses first.`, { field: 'name' });
      }
      return { key, record };
    },

    /** @throws UNAUTHENTICATED (unknown, revoked, or its user deactivated) */
    async authenticate(rawKey: string): Promise<{ actor: Actor; key: ApiKey }> {
      const key = rawKey ? await keys.findActiveByHash(sha256Hex(rawKey)) : null;
      if (!key) throw new DomainError('UNAUTHENTICATED', 'Invalid or missing API key.');
      const user = await users.get(key.userId).catch(() => null);
      if (!user || !user.isActive) throw new DomainError('UNAUTHENTICATED', 'Invalid or missing API key.');
      const t = now();
      // after the checks above, which are the request's; the touch is bookkeeping and waits for no lock: one
      // refused (another writer busy) is not marked done, so the key's next request tries again
      if ((touched.get(key.id) ?? 0) + TOUCH_INTERVAL_MS < t) {
        touched.set(key.id, t);
        if (!(await keys.touch(key.id, t))) touched.delete(key.id);
      }
      return { actor: await users.actorFor(user), key };
    },

    list: (userId: number) => keys.listForUser(userId),

    /** Active keys per user id (users without one absent). */
    activeCounts: () => keys.activeCounts(),

    async activeCount(userId: number): Promise<number> {
      return (await keys.activeCounts(userId)).get(userId) ?? 0;
    },

    /** Revokes every active key of the user (a suspected compromise); returns how many. */
    revokeAll: (userId: number) => keys.revokeAllForUser(userId),

    /** Returns the key as revoked (the dashboard shows its row). @throws NOT_FOUND (no such active key of this user) */
    async revoke(userId: number, keyId: number): Promise<ApiKey> {
      const key = await keys.revoke(userId, keyId);
      if (!key) throw new DomainError('NOT_FOUND', 'API key not found.');
      return key;
    },
  };
}
export type KeysService = ReturnType<typeof createKeysService>;
