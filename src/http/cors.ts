/**
 * Cross-origin access to the JSON APIs, so that a browser app on another
 * origin can call them as it calls the hosted services (LinkShrink's own
 * example is a browser fetch with a JSON body, which needs a preflight).
 *
 * Any origin, never credentials: without Access-Control-Allow-Credentials the
 * browser sends no cookies, so the dashboard's session is never usable from
 * another origin. A response is shared with the calling page when the request
 * carries an API key (which the page can only send if it already holds it),
 * or when the operator opened the keyless API (ANONYMOUS_LINKS=true). Keyless
 * reads of a private instance are not: otherwise any site its users visit
 * could read them (public stats, where an alias leads) through their
 * browsers. The dashboard, the pages and the redirects get no CORS headers.
 */
import { Elysia } from 'elysia';
import { extractApiKey } from './api-auth.ts';

/** Where the dialects' JSON routes live, and the API description. */
const API_PATH = /^\/(?:api\/|v1\/client\/|openapi\.json$)/;
// the API description is public wherever it is served
const SPEC = '/openapi.json';
// header names as RFC 9110 tokens, so a preflight's list can be echoed back as is
const HEADER_LIST = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+(?:\s*,\s*[!#$%&'*+.^_`|~0-9A-Za-z-]+)*$/;
const DEFAULT_HEADERS = 'Authorization, Content-Type, Accept, X-API-Key, X-Requested-With';

const SIMPLE = {
  'access-control-allow-origin': '*',
  // Retry-After and X-RateLimit-* let a caller pace itself; Content-Disposition names CSV exports
  'access-control-expose-headers': 'Retry-After, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset, Content-Disposition',
};

function pathOf(url: string): string {
  const start = url.indexOf('/', url.indexOf('//') + 2);
  if (start < 0) return '/';
  const end = url.indexOf('?', start);
  return end < 0 ? url.slice(start) : url.slice(start, end);
}

function preflight(request: Request): Response {
  const asked = request.headers.get('access-control-request-headers')?.trim() ?? '';
  const allowHeaders = asked && asked.length <= 1000 && HEADER_LIST.test(asked) ? asked : DEFAULT_HEADERS;
  return new Response(null, {
    status: 204,
    headers: {
      ...SIMPLE,
      'access-control-allow-methods': 'GET, POST, PUT, PATCH, DELETE',
      'access-control-allow-headers': allowHeaders,
      // browsers cap it (Chromium at 2 hours); one preflight per endpoint and session is the aim
      'access-control-max-age': '86400',
    },
  });
}

/**
 * A key in one of the forms the APIs read (extractApiKey), not merely a header of that name: an empty
 * api_key= or a Basic Authorization header carries none, so the request is served keyless and must not be shared.
 */
function carriesKey(request: Request): boolean {
  const hasQueryKey = /[?&]api_key=/.test(request.url);
  const query = hasQueryKey ? { api_key: new URL(request.url).searchParams.get('api_key') ?? undefined } : {};
  return extractApiKey({ request, query }) !== null;
}

/** anonymous: the keyless API is open (ANONYMOUS_LINKS), so keyless answers are shared too */
export function cors(options: { anonymous: boolean }) {
  return new Elysia({ name: 'shrinkray-cors' }).onRequest(({ request, set }) => {
    const path = pathOf(request.url);
    if (!API_PATH.test(path)) return;
    // a preflight carries no credentials, so it cannot tell; it reveals nothing either
    if (request.method === 'OPTIONS' && request.headers.has('access-control-request-method')) return preflight(request);
    if (options.anonymous || carriesKey(request) || path === SPEC) Object.assign(set.headers, SIMPLE);
  });
}
