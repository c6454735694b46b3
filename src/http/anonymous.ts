/**
 * Access for the routes that hosted services leave open to anyone (LinkShrink,
 * ShrtLnk). A request that sends an API key acts as that key's user (and owns
 * what it creates). One without a key is served only when ANONYMOUS_LINKS is
 * on, and then within a per-client-IP, per-route-group limit.
 */
import type { Actor } from '../accounts/accounts.types.ts';
import { DomainError } from '../errors.ts';
import type { AppDeps } from './app-deps.ts';
import { extractApiKey, type ApiAuthOptions } from './api-auth.ts';
import { spendBudgets, type Budget } from './rate-headers.ts';
import { clientIp, throttleKey } from './client-ip.ts';
import type { HttpContext } from './context.ts';

export const ANONYMOUS_DISABLED_MESSAGE =
  'Anonymous links are disabled on this server. Send an API key (Authorization: Bearer …), or ask the admin to start shrinkray with ANONYMOUS_LINKS=true.';

export interface AnonymousLimit {
  /** names the route group sharing one budget, e.g. 'linkshrink:shorten' */
  group: string;
  perMinute: number;
}

export function createAnonymousGuard(deps: AppDeps) {
  const { services, apiAuth, limiter } = deps;
  return {
    /**
     * The actor for a key, or null for an allowed anonymous caller.
     * @throws UNAUTHENTICATED (bad key), RATE_LIMITED, API_ACCESS_DENIED, ANONYMOUS_DISABLED
     */
    async actor(ctx: HttpContext, limit: AnonymousLimit, auth: ApiAuthOptions = {}): Promise<Actor | null> {
      if (extractApiKey(ctx, auth)) return apiAuth.authenticate(ctx, auth);
      if (!services.config.anonymousLinks) throw new DomainError('ANONYMOUS_DISABLED', ANONYMOUS_DISABLED_MESSAGE);
      this.limit(ctx, limit);
      return null;
    },

    /** Applies the per-IP limit alone (public read routes that work in any mode). @throws RATE_LIMITED */
    limit(ctx: HttpContext, limit: AnonymousLimit): void {
      this.limitEach(ctx, (ip) => [[`ip:${limit.group}:${ip}`, limit.perMinute]]);
    },

    /** Per-address budgets of the caller's making (`budgetsFor` gets the client's throttleKey), counted only when all have room. @throws RATE_LIMITED */
    limitEach(ctx: HttpContext, budgetsFor: (ip: string) => readonly Budget[]): void {
      spendBudgets(limiter, ctx.request, budgetsFor(throttleKey(clientIp(ctx, services.config.trustProxy))), 'Rate limit exceeded. Try again later.');
    },
  };
}
export type AnonymousGuard = ReturnType<typeof createAnonymousGuard>;
