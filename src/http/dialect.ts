/**
 * Every dialect handler is wrapped so that whatever it throws becomes a
 * response in that dialect's envelope. A DomainError is rendered by the
 * dialect's exhaustive error table; anything else is a bug: logged, and
 * answered in the same envelope with a 500 so a client still gets JSON.
 */
import { DomainError, type ErrorCode } from '../errors.ts';
import type { Handler, HttpContext } from './context.ts';
import { json } from './respond.ts';

export type ErrorRenderer = (error: DomainError, ctx: HttpContext) => Response;
export type ErrorTable = Record<ErrorCode, ErrorRenderer>;

export type BugReporter = (error: unknown, ctx: HttpContext) => void;
let reportBug: BugReporter = (error) => console.error(error);
export const setBugReporter = (fn: BugReporter) => {
  reportBug = fn;
};

export function withRetryAfter(res: Response, error: DomainError): Response {
  if (error.code === 'RATE_LIMITED') res.headers.set('retry-after', String(error.meta.retryAfter ?? 60));
  return res;
}

export function dialectHandler(table: ErrorTable, internal: (ctx: HttpContext) => Response = () => json(500, { message: 'Server Error' })) {
  return (fn: Handler) =>
    async (ctx: HttpContext): Promise<Response> => {
      try {
        return await fn(ctx);
      } catch (e) {
        if (e instanceof DomainError) return withRetryAfter(table[e.code](e, ctx), e);
        reportBug(e, ctx);
        return internal(ctx);
      }
    };
}
