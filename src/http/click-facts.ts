/** The raw facts of a click, read from its request: the same for a redirect and for an API call that counts one. */
import type { ClickSource, RawClick } from '../clicks/clicks.types.ts';
import { clientIp } from './client-ip.ts';
import type { ServerLike } from './context.ts';

export function clickFacts(linkId: number, request: Request, server: ServerLike | null, trustProxy: boolean, source: ClickSource): RawClick {
  const headers = request.headers;
  return {
    linkId,
    at: Date.now(),
    ip: clientIp({ request, server }, trustProxy),
    userAgent: headers.get('user-agent'),
    referrer: headers.get('referer'),
    source,
  };
}
