/**
 * The baseline for the create benchmark: a bare Bun.serve that does the least
 * any shortener must do per link — parse the JSON body, make a 7-character
 * code with the project's generator, INSERT the row into a database built by
 * the project's migrations (same PRAGMAs, same indexes), answer JSON — and
 * nothing else: no auth, no rate limit, no validation, no plan, no tokens.
 *
 *   bun bench/lib/bare-create.ts DATA_DIR
 * Routes: POST /one {url} → 201 {code}; POST /many {urls: [...]} or [{url}, ...]
 * → 201 {codes} (one transaction). Prints "listening PORT".
 */
import { generateCode } from '../../src/links/codes.ts';
import { openProjectDb } from './seed.ts';

const dataDir = Bun.argv[2];
if (!dataDir) {
  console.error('usage: bare-create.ts DATA_DIR');
  process.exit(2);
}
const { sqlite } = openProjectDb(dataDir);
const insert = sqlite.prepare('INSERT INTO links (code, destination, source) VALUES (?, ?, ?) RETURNING id');
const insertMany = sqlite.transaction((urls: string[]) => urls.map((url) => insert.get(generateCode(), url, 'bare')));
const urlOf = (x: unknown) => (typeof x === 'string' ? x : String((x as { url?: unknown })?.url ?? ''));

const server = Bun.serve({
  port: 0,
  hostname: '127.0.0.1',
  development: false,
  async fetch(req) {
    const path = new URL(req.url).pathname;
    const body = (await req.json()) as Record<string, unknown> | unknown[];
    if (path === '/one') {
      const code = generateCode();
      insert.get(code, urlOf((body as Record<string, unknown>).url), 'bare');
      return Response.json({ code }, { status: 201 });
    }
    const urls = (Array.isArray(body) ? body : (body.urls as unknown[])).map(urlOf);
    insertMany(urls);
    return Response.json({ created: urls.length }, { status: 201 });
  },
});
console.log(`listening ${server.port}`);
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => process.exit(0));
