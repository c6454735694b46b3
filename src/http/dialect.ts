/**
 * Every dialect handler is wrapped so that whatever it throws becomes a
 * response in that dialect's envelope. A DomainError is rendered by the
 * dialect's exhaustive error table, and so is storage that cannot do it now
 * (db/storage-failure.ts: 503 and Retry-After); anything else is a bug:
 * logged, and answered in the same envelope with a 500 so a client still gets JSON.
 */
import { storageFailure } from '../db/storage-failure.ts';
import { DomainError, type ErrorCode } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { Handler, HttpContext } from './context.ts';
import { withRateHeaders, withRetryAfter } from './rate-headers.ts';
import { json } from './respond.ts';

export type ErrorRenderer = (error: DomainError, ctx: HttpContext) => Response;
export type ErrorTable = Record<ErrorCode, ErrorRenderer>;

/** Logs a handler's bug with its method and path (never the query: it may carry an api_key). */
function reportBug(logger: Logger, error: unknown, request: Request): void {
  const url = request.url;
  const q = url.indexOf('?');
  logger.error('unhandled error in handler', { method: request.method, path: new URL(q === -1 ? url : url.slice(0, q)).pathname, error });
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
        return withRateHeaders(await fn(ctx), ctx.request);
      } catch (e) {
        if (e instanceof DomainError) {
          const res = table[e.code](e, ctx);
          return e.code === 'RATE_LIMITED' ? withRetryAfter(res, e) : withRateHeaders(res, ctx.request);
        }
        const unavailable = storageFailure(e);
        if (unavailable) {
          logger.error('storage unavailable', { method: ctx.request.method, path: new URL(ctx.request.url).pathname, storage: unavailable.meta.storage });
          return withRetryAfter(table.UNAVAILABLE(unavailable, ctx), unavailable);
        }
        reportBug(logger, e, ctx.request);
        return internal(ctx);
      }
    };
    // Elysia reads from a handler's source which parts of the context it uses: a handler that hands
    // its whole context on gets every part (renaming or destructuring it here would lose the body/query)
    return (ctx: unknown) => run(ctx as HttpContext);
  };
}
