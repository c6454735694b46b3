/**
 * The methods the route table serves at a path. A request whose path a route
 * serves under other methods is answered 405 with Allow, as Laravel (behind
 * the Minilnk, Linx.ly and lnkz APIs) and HTTP itself say, not a 404 that
 * reads as a wrong URL. The short-link namespace (/:code, /public/*) is left
 * out: there, an unknown path is simply not found.
 */
const ORDER = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'];

export function methodsAt(routes: { method: string; path: string }[]): (path: string) => string[] {
  const patterns = routes
    .filter((r) => ORDER.includes(r.method) && !/^\/(:|public\/)/.test(r.path))
    .map((r) => ({ method: r.method, segments: r.path.split('/') }));
  const matches = (segments: string[], parts: string[]) => {
    for (let i = 0; i < segments.length; i++) {
      const s = segments[i]!;
      if (s === '*') return true;
      const p = parts[i];
      if (p === undefined || (s.startsWith(':') ? p === '' : s !== p)) return false;
    }
    return parts.length === segments.length;
  };
  return (path) => {
    const parts = path.split('/');
    const found = new Set(patterns.filter((r) => matches(r.segments, parts)).map((r) => r.method));
    if (found.has('GET')) found.add('HEAD');
    return ORDER.filter((m) => found.has(m));
  };
}
