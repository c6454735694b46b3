/**
 * The ceiling for the redirect benchmark: a bare Bun.serve that answers the
 * same 302 with the same Location as shrinkray, from a Map, doing nothing
 * else (no routing framework, no cache, no click queue).
 *
 *   bun bench/lib/bare-server.ts ROUTES.json     (ROUTES.json: {"code": "destination", ...})
 * Prints "listening PORT" once bound to 127.0.0.1 on a free port.
 */
export {};

const file = Bun.argv[2];
if (!file) {
  console.error('usage: bare-server.ts ROUTES.json');
  process.exit(2);
}
const routes = new Map<string, string>(Object.entries(await Bun.file(file).json()));

const server = Bun.serve({
  port: 0,
  hostname: '127.0.0.1',
  reusePort: false,
  development: false,
  fetch(req) {
    // req.url is absolute: skip "http://host" by finding the first "/" after the scheme
    const url = req.url;
    const start = url.indexOf('/', 8) + 1;
    const q = url.indexOf('?', start);
    const location = routes.get(q === -1 ? url.slice(start) : url.slice(start, q));
    return location ? new Response(null, { status: 302, headers: { location } }) : new Response('Not Found', { status: 404 });
  },
});
console.log(`listening ${server.port}`);

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    void server.stop(true);
    process.exit(0);
  });
}
