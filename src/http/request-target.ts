/**
 * Requests Bun cannot make an absolute URL of. Without a Host header
 * (HTTP/1.0 clients, HAProxy's default health check) or with an empty one,
 * Bun hands over the bare path ("/dashboard"); with a malformed one
 * ("a b", "[::1", "a:b:c") a string that is no URL. Routing would then read
 * the wrong path, and every `new URL(request.url)` would throw (a 500).
 *
 * A request without a host is answered as if sent to BASE_URL, as web
 * servers answer HTTP/1.0 without a Host; one with a host that is not one is
 * refused (RFC 9112 §3.2: 400). The request a handler then sees is a copy,
 * so the client's address is read from the socket's own request
 * (http/client-ip.ts asks socketRequest).
 */
const originals = new WeakMap<Request, Request>();

/** The request as the socket received it (for server.requestIP). */
export const socketRequest = (request: Request): Request => originals.get(request) ?? request;

const BAD_HOST = () =>
  new Response('Bad Request: the Host header is not a valid host.\n', { status: 400, headers: { 'content-type': 'text/plain; charset=utf-8', connection: 'close' } });

/**
 * The request to route: itself when its URL is absolute and valid (nearly
 * always: one comparison and one parse), a copy aimed at `origin` when it has
 * no host, or a 400 answer.
 */
export function routableRequest(request: Request, origin: string): Request | Response {
  const url = request.url;
  if (url.startsWith('http') && URL.canParse(url)) return request;
  const host = request.headers.get('host');
  if (host || !url.startsWith('/')) return BAD_HOST();
  const copy = new Request(origin + url, request);
  originals.set(copy, request);
  return copy;
}
