/** The raw facts of a click, read from its request: the same for a redirect and for an API call that counts one. */
import type { ClickSource, RawClick } from '../clicks/clicks.types.ts';
import { clientIp } from './client-ip.ts';
import type { ServerLike } from './context.ts';

/** viaApi: an API call that counts its callers (HTTP tools included), not a visit through the short link. */
export function clickFacts(linkId: number, request: Request, server: ServerLike | null, trustProxy: boolean, source: ClickSource, viaApi = false): RawClick {
  const headers = request.headers;
  const click: RawClick = {
    linkId,
    at: Date.now(),
    ip: clientIp({ request, server }, trustProxy),
    userAgent: headers.get('user-agent'),
    referrer: headers.get('referer'),
    source,
  };
  if (viaApi) click.viaApi = true;
  return click;
}
