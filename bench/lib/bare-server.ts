/**
 * The ceiling for the redirect benchmark: a bare Bun.serve that answers the
 * same 302 with the same headers as shrinkray (Location and
 * `cache-control: private, no-store`), from a Map, doing nothing else (no
 * routing framework, no cache invalidation, no click queue). The header
 * object is built per request, as shrinkray must (Location varies).
 *
 *   bun bench/lib/bare-server.ts ROUTES.json [--facts] [--lookups DB]
 * (ROUTES.json: {"code": "destination", ...}). Prints "listening PORT" once
 * bound to 127.0.0.1 on a free port.
 *
 * --facts also reads what any click recorder must read per visit — the peer
 * address (server.requestIP) and the User-Agent and Referer headers — and
 * keeps them in an array emptied every second. It stores nothing: it is the
 * floor under any server that counts clicks with a visitor hash and a
 * country, measured to tell Bun's per-request price for those facts from
 * shrinkray's own work.
 *
 * --lookups DB (with --facts) finds each code in that SQLite database instead
 * of the preloaded Map — the links table by its unique code index, with the
 * page cache shrinkray's connections use — and keeps the answer (or its
 * absence) in a Map, as shrinkray's redirect cache does. It is the floor under
 * any server that keeps its links on disk and meets a code for the first
 * time: the random scenario's cold codes cost it what they cost shrinkray.
 */
import { Database } from 'bun:sqlite';
import type { Server } from 'bun';

const file = Bun.argv[2];
if (!file) {
  console.error('usage: bare-server.ts ROUTES.json [--facts] [--lookups DB]');
  process.exit(2);
}
const facts = Bun.argv.includes('--facts');
const lookupsAt = Bun.argv.indexOf('--lookups');
let routes: { get(code: string): string | undefined };
if (lookupsAt === -1) routes = new Map<string, string>(Object.entries(await Bun.file(file).json()));
else {
  const db = new Database(Bun.argv[lookupsAt + 1]!, { readonly: true });
  db.exec('PRAGMA cache_size = -8000');
  const byCode = db.prepare<{ destination: string }, [string]>('SELECT destination FROM links WHERE code = ? AND deleted_at IS NULL');
  const known = new Map<string, string | null>();
  routes = {
    get(code) {
      let hit = known.get(code);
      if (hit === undefined) known.set(code, (hit = byCode.get(code)?.destination ?? null));
      return hit ?? undefined;
    },
  };
}
let queue: unknown[] = [];
if (facts) setInterval(() => (queue = []), 1000);

const server = Bun.serve({
  port: 0,
  hostname: '127.0.0.1',
  reusePort: false,
  development: false,
  fetch(req: Request, srv: Server<unknown>) {
    // req.url is absolute: skip "http://host" by finding the first "/" after the scheme
    const url = req.url;
    const start = url.indexOf('/', 8) + 1;
    const q = url.indexOf('?', start);
    const location = routes.get(q === -1 ? url.slice(start) : url.slice(start, q));
    if (!location) return new Response('Not Found', { status: 404 });
    if (facts) queue.push({ at: Date.now(), ip: srv.requestIP(req)?.address ?? null, ua: req.headers.get('user-agent'), ref: req.headers.get('referer') });
    return new Response(null, { status: 302, headers: { location, 'cache-control': 'private, no-store' } });
  },
});
console.log(`listening ${server.port}`);

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    void server.stop(true);
    process.exit(0);
  });
}
