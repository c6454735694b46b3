/**
 * What every LinkShrink route shares: the document's per-IP budgets, the two
 * access rules, body reading and handler wrapping.
 *
 * Access: creating a link needs ANONYMOUS_LINKS=true or an API key, because
 * that is the switch an admin turns to close the server to strangers.
 * Routes that act on an existing link (expand, stats, QR, verify, delete by
 * token) work in any mode: the caller already holds the public code or a
 * secret token, and a keyed user's LinkShrink links must stay usable when
 * anonymous creation is off. A request that sends a key is authenticated
 * (a bad key is 401 even where none is needed) and spends the key's plan
 * budget instead of its IP's.
 */
import type { Actor } from '../../../accounts/accounts.types.ts';
import { createAnonymousGuard, type AnonymousLimit } from '../../../http/anonymous.ts';
import { extractApiKey } from '../../../http/api-auth.ts';
import type { AppDeps } from '../../../http/app-deps.ts';
import { passwordGuessBudgets } from '../../../http/rate-limit.ts';
import type { Handler, HttpContext } from '../../../http/context.ts';
import { dialectHandler, type ErrorTable } from '../../../http/dialect.ts';
import { DomainError } from '../../../errors.ts';
import { isValidCodeShape } from '../../../links/codes.ts';
import { internalError, linkshrinkErrors } from './linkshrink.errors.ts';
import { urlPolicyOf } from '../../../links/url-policy.ts';

export const TAG = 'LinkShrink';

/** The document's rate-limit table; per client IP, per minute. */
export const LIMITS = {
  /** POST /shorten and (not in the table, but it creates a link too) POST /shorten/utm */
  shorten: { group: 'linkshrink:shorten', perMinute: 20 },
  bulk: { group: 'linkshrink:bulk', perMinute: 5 },
  /** GET /stats/:code, GET /stats/:code/export, POST /stats/batch */
  stats: { group: 'linkshrink:stats', perMinute: 60 },
  /** GET /expand/:code, GET /qr/:code.(png|svg), DELETE /:code */
  links: { group: 'linkshrink:links', perMinute: 100 },
  unshorten: { group: 'linkshrink:unshorten', perMinute: 30 },
  /** not in the document: password guesses, per IP overall and per IP and code */
  verify: { group: 'linkshrink:verify', perMinute: 60 },
} satisfies Record<string, AnonymousLimit | number>;

const defaultErrors = linkshrinkErrors();

export function createLinkshrinkKit(deps: AppDeps) {
  const { services, apiAuth } = deps;
  const guard = createAnonymousGuard(deps);

  return {
    services,
    urls: { shortUrl: services.shortUrl, baseUrl: services.config.baseUrl },
    policy: urlPolicyOf(services.config),

    /** @throws ANONYMOUS_DISABLED, UNAUTHENTICATED, API_ACCESS_DENIED, RATE_LIMITED */
    creator: (ctx: HttpContext, limit: AnonymousLimit): Promise<Actor | null> => guard.actor(ctx, limit),

    /** @throws UNAUTHENTICATED, API_ACCESS_DENIED, RATE_LIMITED */
    async reader(ctx: HttpContext, limit: AnonymousLimit): Promise<Actor | null> {
      if (extractApiKey(ctx)) return apiAuth.authenticate(ctx);
      guard.limit(ctx, limit);
      return null;
    },

    /** Guesses are limited per IP and code even with a key, so no budget makes a password brute-forceable. @throws RATE_LIMITED */
    verifyLimit(ctx: HttpContext, code: string): void {
      // the same budgets as the unlock form's: two routes must not give two sets of guesses
      guard.limitEach(ctx, (ip) => passwordGuessBudgets(code, ip));
    },

    /**
     * The :code param. Anything that cannot be a code (Elysia hands over null
     * for malformed %-escapes) is 404 before it reaches the redirect cache or
     * a limiter key. @throws NOT_FOUND
     */
    code(code: unknown): string {
      if (typeof code !== 'string' || !isValidCodeShape(code)) throw new DomainError('NOT_FOUND', 'Short URL not found or expired.');
      return code;
    },

    /** JSON only: `curl -d '{…}'` sends JSON labelled as a form, and is read as JSON. */
    body: (ctx: HttpContext) => apiAuth.body(ctx, { allowForm: false }),

    /** Wraps once per route, in LinkShrink's envelope (a route may pass its own error table). */
    route: (fn: Handler, errors: ErrorTable = defaultErrors) => dialectHandler(deps.logger, errors, internalError)(fn),
  };
}
export type LinkshrinkKit = ReturnType<typeof createLinkshrinkKit>;
