/**
 * Every dialect handler is wrapped so that whatever it throws becomes a
 * response in that dialect's envelope. A DomainError is rendered by the
 * dialect's exhaustive error table, and so is storage that cannot do it now
 * (http/storage-unavailable.ts: 503 and Retry-After); anything else is a bug:
 * logged, and answered in the same envelope with a 500 so a client still gets JSON.
 */
import { DomainError, type ErrorCode } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { Handler, HttpContext } from './context.ts';
import { withRateHeaders, withRetryAfter } from './rate-headers.ts';
import { json } from './respond.ts';
import { storageUnavailable } from './storage-unavailable.ts';
import { loggedPath } from './logged-path.ts';

export type ErrorRenderer = (error: DomainError, ctx: HttpContext) => Response;
export type ErrorTable = Record<ErrorCode, ErrorRenderer>;

/** Logs a handler's bug with its method and path (never the query: it may carry an api_key). */
function reportBug(logger: Logger, error: unknown, request: Request): void {
  const url = request.url;
  const q = url.indexOf('?');
  logger.error('unhandled error in handler', { method: request.method, path: loggedPath(new URL(q === -1 ? url : url.slice(0, q)).pathname), error });
}

/**
 * What every API answer says to caches and clients unless its route chose:
 * not to be stored (a key may come as X-API-Key or ?api_key=, which shared
 * caches do not treat as credentials as they do Authorization: one key's
 * list could be served to another), and on a 401 the scheme to authenticate
 * with (RFC 9110 15.5.2).
 */
function apiHeaders(res: Response): Response {
  if (!res.headers.has('cache-control')) res.headers.set('cache-control', 'no-store');
  if (res.status === 401 && !res.headers.has('www-authenticate')) res.headers.set('www-authenticate', 'Bearer realm="shrinkray"');
  return res;
}

/**
 * The wrapper a dialect puts around each route handler, once per route (not
 * per request). Elysia's context satisfies HttpContext; the route receives it
 * untyped, so the one cast lives here.
 */
export function dialectHandler(logger: Logger, table: ErrorTable, internal: (ctx: HttpContext) => Response = () => json(500, { message: 'Server Error' })) {
  return (fn: Handler) => {
    const run = async (ctx: HttpContext): Promise<Response> => {
      try {
        return apiHeaders(withRateHeaders(await fn(ctx), ctx.request));
      } catch (e) {
        const error = e instanceof DomainError ? e : storageUnavailable(e, logger, ctx.request);
        if (error) {
          const res = table[error.code](error, ctx);
          // a refused budget carries its own numbers; everything else those of the budget it was counted against
          return apiHeaders(withRetryAfter(error.code === 'RATE_LIMITED' ? res : withRateHeaders(res, ctx.request), error));
        }
        reportBug(logger, e, ctx.request);
        return apiHeaders(internal(ctx));
      }
    };
    // Elysia reads from a handler's source which parts of the context it uses: a handler that hands
    // its whole context on gets every part (renaming or destructuring it here would lose the body/query)
    return (ctx: unknown) => run(ctx as HttpContext);
  };
}
