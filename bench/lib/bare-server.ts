/**
 * The ceiling for the redirect benchmark: a bare Bun.serve that answers the
 * same 302 with the same headers as shrinkray (Location and
 * `cache-control: private, no-store`), from a Map, doing nothing else (no
 * routing framework, no cache invalidation, no click queue). The header
 * object is built per request, as shrinkray must (Location varies).
 *
 *   bun bench/lib/bare-server.ts ROUTES.json [--facts] [--lookups DB [--store FILE]]
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
 *
 * --store FILE (with --lookups) also keeps every click: once a second the
 * facts queued become raw rows (link id, time, address, User-Agent, Referer)
 * appended to a table with no index in the SQLite file FILE (WAL,
 * synchronous=NORMAL, as shrinkray), 100 rows a statement, one transaction,
 * on the same thread. Nothing is parsed, hashed, counted or rolled up: it is
 * the least any server can do that keeps its links on disk and must still
 * have every click after a restart, which is what bench:redirect asks of
 * shrinkray.
 */
import { Database } from 'bun:sqlite';
import type { Server } from 'bun';
import { createMultiRowWriter } from '../../src/db/multi-row.ts';

const file = Bun.argv[2];
if (!file) {
  console.error('usage: bare-server.ts ROUTES.json [--facts] [--lookups DB [--store FILE]]');
  process.exit(2);
}
const facts = Bun.argv.includes('--facts');
const lookupsAt = Bun.argv.indexOf('--lookups');
const storeAt = Bun.argv.indexOf('--store');
if (storeAt !== -1 && (lookupsAt === -1 || !facts)) {
  console.error('--store needs --facts and --lookups');
  process.exit(2);
}
interface Found {
  id: number;
  destination: string;
}
let routes: { get(code: string): Found | undefined };
if (lookupsAt === -1) {
  const map = new Map<string, Found>(Object.entries(await Bun.file(file).json() as Record<string, string>).map(([code, destination]) => [code, { id: 0, destination }]));
  routes = map;
} else {
  const db = new Database(Bun.argv[lookupsAt + 1]!, { readonly: true });
  db.exec('PRAGMA cache_size = -8000');
  const byCode = db.prepare<Found, [string]>('SELECT id, destination FROM links WHERE code = ? AND deleted_at IS NULL');
  const known = new Map<string, Found | null>();
  routes = {
    get(code) {
      let hit = known.get(code);
      if (hit === undefined) known.set(code, (hit = byCode.get(code) ?? null));
      return hit ?? undefined;
    },
  };
}

interface Click {
  linkId: number;
  at: number;
  ip: string | null;
  ua: string | null;
  ref: string | null;
}
let queue: Click[] = [];
let store: ((clicks: Click[]) => void) | null = null;
if (storeAt !== -1) {
  const out = new Database(Bun.argv[storeAt + 1]!, { create: true, strict: true });
  out.exec('PRAGMA journal_mode = WAL');
  out.exec('PRAGMA synchronous = NORMAL');
  out.exec('CREATE TABLE IF NOT EXISTS clicks (link_id INTEGER NOT NULL, at INTEGER NOT NULL, ip TEXT, ua TEXT, referrer TEXT)');
  const append = createMultiRowWriter<Click>(
    out,
    (values) => `INSERT INTO clicks (link_id, at, ip, ua, referrer) VALUES ${values}`,
    5,
    (c, params, at) => {
      params[at] = c.linkId;
      params[at + 1] = c.at;
      params[at + 2] = c.ip;
      params[at + 3] = c.ua;
      params[at + 4] = c.ref;
    },
  );
  store = out.transaction(append);
}
const flush = () => {
  const clicks = queue;
  queue = [];
  store?.(clicks);
};
if (facts) setInterval(flush, 1000);

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
    const found = routes.get(q === -1 ? url.slice(start) : url.slice(start, q));
    if (!found) return new Response('Not Found', { status: 404 });
    if (facts) queue.push({ linkId: found.id, at: Date.now(), ip: srv.requestIP(req)?.address ?? null, ua: req.headers.get('user-agent'), ref: req.headers.get('referer') });
    return new Response(null, { status: 302, headers: { location: found.destination, 'cache-control': 'private, no-store' } });
  },
});
console.log(`listening ${server.port}`);

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    void server.stop(true);
    flush();
    process.exit(0);
  });
}
