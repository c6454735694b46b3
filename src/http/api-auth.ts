/**
 * API-key authentication shared by the keyed dialects: the key may come as
 * `Authorization: Bearer`, `X-API-Key` or `?api_key=`; then the per-key,
 * per-minute limit of the key's plan, then the plan's API access.
 *
 * A key is checked before the body is read (a stranger's upload is refused
 * unread), and again once it is in: a client may take up to the idle timeout
 * (30 s) to send it, and a key revoked, a user deactivated or a plan changed
 * meanwhile must not act — held uploads were a way to go on creating links
 * with a key already revoked.
 */
import type { Actor } from '../accounts/accounts.types.ts';
import type { KeysService } from '../accounts/keys.service.ts';
import { DomainError } from '../errors.ts';
import { readBody } from './body.ts';
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

function checkAccess(actor: Actor, opts: ApiAuthOptions): void {
  if ((opts.requireApiAccess ?? true) && !actor.plan.apiAccess) {
    throw new DomainError('API_ACCESS_DENIED', `API access requires a Pro or Enterprise plan (current plan: ${actor.plan.name}).`, {
      plan: actor.plan.name,
    });
  }
}

export function createApiAuth(deps: { keys: KeysService; limiter: RateLimiter }) {
  // the requests a key was accepted for, and the actor their handler holds
  const accepted = new WeakMap<Request, { raw: string; actor: Actor; opts: ApiAuthOptions }>();
  return {
    /** @throws UNAUTHENTICATED, RATE_LIMITED, API_ACCESS_DENIED */
    async authenticate(ctx: Pick<HttpContext, 'request' | 'query'>, opts: ApiAuthOptions = {}): Promise<Actor> {
      const raw = extractApiKey(ctx, opts);
      if (!raw) throw new DomainError('UNAUTHENTICATED', 'Missing API key.');
      const { actor, key } = await deps.keys.authenticate(raw);
      spendBudgets(deps.limiter, ctx.request, [[`key:${key.id}`, actor.plan.rateLimitPerMinute]], 'Too many requests. Try again in the next minute.');
      checkAccess(actor, opts);
      accepted.set(ctx.request, { raw, actor, opts });
      return actor;
    },

    /**
     * The request's body (readBody), then — when a key was accepted for it —
     * the key, its user and plan as they are now, brought into the actor the
     * handler holds (no second rate budget: it is the same request).
     * @throws VALIDATION (body), UNAUTHENTICATED, API_ACCESS_DENIED
     */
    async body(ctx: Pick<HttpContext, 'request'>, opts: { allowForm?: boolean } = {}): Promise<unknown> {
      const { value } = await readBody(ctx.request, opts);
      const held = accepted.get(ctx.request);
      if (held) {
        const { actor } = await deps.keys.authenticate(held.raw);
        checkAccess(actor, held.opts);
        Object.assign(held.actor, actor);
      }
      return value;
    },
  };
}
export type ApiAuth = ReturnType<typeof createApiAuth>;
