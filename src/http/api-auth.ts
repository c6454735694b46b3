/**
 * API-key authentication shared by the keyed dialects: the key may come as
 * `Authorization: Bearer`, `X-API-Key` or `?api_key=`; then the per-key,
 * per-minute limit of the key's plan, then the plan's API access.
 */
import type { Actor } from '../accounts/accounts.types.ts';
import type { KeysService } from '../accounts/keys.service.ts';
import { DomainError } from '../errors.ts';
import type { HttpContext } from './context.ts';
import { spendBudgets } from './rate-headers.ts';
import type { RateLimiter } from './rate-limit.ts';

export function extractApiKey(ctx: Pick<HttpContext, 'request' | 'query'>, opts: { bearer?: boolean; header?: boolean; query?: boolean } = {}): string | null {
  const { bearer = true, header = true, query = true } = opts;
  const auth = ctx.request.headers.get('authorization');
  if (bearer && auth) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    if (m) return m[1]!;
  }
  const x = header ? ctx.request.headers.get('x-api-key')?.trim() : undefined;
  if (x) return x;
  const q = query ? ctx.query.api_key?.trim() : undefined;
  return q || null;
}

/** For dialects whose services take the key only as `Authorization: Bearer`. */
export const BEARER_ONLY = { query: false, header: false } as const;

export interface ApiAuthOptions {
  /** refuse plans without API access (403) */
  requireApiAccess?: boolean;
  bearer?: boolean;
  header?: boolean;
  query?: boolean;
}

export function createApiAuth(deps: { keys: KeysService; limiter: RateLimiter }) {
  return {
    /** @throws UNAUTHENTICATED, RATE_LIMITED, API_ACCESS_DENIED */
    async authenticate(ctx: Pick<HttpContext, 'request' | 'query'>, opts: ApiAuthOptions = {}): Promise<Actor> {
      const raw = extractApiKey(ctx, opts);
      if (!raw) throw new DomainError('UNAUTHENTICATED', 'Missing API key.');
      const { actor, key } = await deps.keys.authenticate(raw);
      spendBudgets(deps.limiter, ctx.request, [[`key:${key.id}`, actor.plan.rateLimitPerMinute]], 'Too many requests. Try again in the next minute.');
      if ((opts.requireApiAccess ?? true) && !actor.plan.apiAccess) {
        throw new DomainError('API_ACCESS_DENIED', `API access requires a Pro or Enterprise plan (current plan: ${actor.plan.name}).`, {
          plan: actor.plan.name,
        });
      }
      return actor;
    },
  };
}
export type ApiAuth = ReturnType<typeof createApiAuth>;
