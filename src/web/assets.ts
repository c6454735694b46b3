/**
 * Static files under /public, served from copies embedded in the program:
 * `with { type: 'file' }` makes `bun build --compile` put each file inside
 * the binary and hands back a path Bun.file() can read there (and the real
 * path when running from source). The table below is the whole of what can
 * be served — a request path is a lookup key, never a filesystem path, so
 * `..` and encoded tricks have nothing to traverse. test/integration/
 * assets.test.ts fails when a file under public/ is missing from it.
 *
 * Vendored, never fetched from a CDN (public/vendor/, byte-identical copies
 * that the same test compares with node_modules): htmx.org dist/htmx.min.js
 * (0BSD) and swagger-ui-dist's bundle and stylesheet (Apache-2.0) with their
 * licence files. public/css/app.css belongs to the pages.
 *
 * Caching: stored, but revalidated on every use (no-cache) against weak
 * ETags from a content hash, answered 304. The URLs carry no version, and
 * after an upgrade a day of max-age ran the old dashboard.js against the new
 * pages; a 304 costs a round trip of headers, and htmx's boosted navigation
 * loads the files once per tab. Compressible files larger than 1 KiB are
 * gzipped once, on first request, for clients that accept it.
 */
import { Elysia } from 'elysia';
// TypeScript has no declaration for non-code files imported as files (the
// loader returns their path); each import below is a string at runtime.
// @ts-ignore
import appCss from '../../public/css/app.css' with { type: 'file' };
// @ts-ignore
import dashboardCss from '../../public/css/dashboard.css' with { type: 'file' };
// @ts-ignore
import dashboardJs from '../../public/js/dashboard.js' with { type: 'file' };
// @ts-ignore
import homeJs from '../../public/js/home.js' with { type: 'file' };
// @ts-ignore
import copyJs from '../../public/js/copy.js' with { type: 'file' };
// @ts-ignore
import bridgeJs from '../../public/js/bridge.js' with { type: 'file' };
// @ts-ignore
import docsCss from '../../public/css/docs.css' with { type: 'file' };
// @ts-ignore
import dashboardExtraCss from '../../public/css/dashboard-extra.css' with { type: 'file' };
// @ts-ignore
import favicon from '../../public/favicon.svg' with { type: 'file' };
// @ts-ignore
import htmxLicense from '../../public/vendor/htmx.LICENSE.txt' with { type: 'file' };
// @ts-ignore
import htmxJs from '../../public/vendor/htmx.min.js' with { type: 'file' };
// @ts-ignore
import swaggerInit from '../../public/vendor/swagger-ui/init.js' with { type: 'file' };
// @ts-ignore
import swaggerLicense from '../../public/vendor/swagger-ui/LICENSE' with { type: 'file' };
// @ts-ignore
import swaggerNotice from '../../public/vendor/swagger-ui/NOTICE' with { type: 'file' };
// @ts-ignore
import swaggerBundle from '../../public/vendor/swagger-ui/swagger-ui-bundle.js' with { type: 'file' };
// @ts-ignore
import swaggerBundleLicenses from '../../public/vendor/swagger-ui/swagger-ui-bundle.js.LICENSE.txt' with { type: 'file' };
// @ts-ignore
import swaggerCss from '../../public/vendor/swagger-ui/swagger-ui.css' with { type: 'file' };

/** path under public/ → embedded file */
export const EMBEDDED_ASSETS: Readonly<Record<string, string>> = {
  'css/app.css': appCss,
  'css/dashboard.css': dashboardCss,
  'css/dashboard-extra.css': dashboardExtraCss,
  'css/docs.css': docsCss,
  'js/dashboard.js': dashboardJs,
  'js/home.js': homeJs,
  'js/copy.js': copyJs,
  'js/bridge.js': bridgeJs,
  'favicon.svg': favicon,
  'vendor/htmx.LICENSE.txt': htmxLicense,
  'vendor/htmx.min.js': htmxJs,
  'vendor/swagger-ui/init.js': swaggerInit,
  'vendor/swagger-ui/LICENSE': swaggerLicense,
  'vendor/swagger-ui/NOTICE': swaggerNotice,
  'vendor/swagger-ui/swagger-ui-bundle.js': swaggerBundle,
  'vendor/swagger-ui/swagger-ui-bundle.js.LICENSE.txt': swaggerBundleLicenses,
  'vendor/swagger-ui/swagger-ui.css': swaggerCss,
};

const TEXT = 'text/plain; charset=utf-8';
export const CONTENT_TYPES: Readonly<Record<string, string>> = {
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  svg: 'image/svg+xml',
  txt: TEXT,
  json: 'application/json; charset=utf-8',
  png: 'image/png',
  ico: 'image/x-icon',
  woff2: 'font/woff2',
  webmanifest: 'application/manifest+json',
};

/** extension-less licence files read as text; anything unlisted is opaque bytes */
export function contentTypeOf(path: string): string {
  const name = path.slice(path.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  if (dot === -1) return TEXT;
  return CONTENT_TYPES[name.slice(dot + 1).toLowerCase()] ?? 'application/octet-stream';
}

const COMPRESSIBLE = /^(text\/|image\/svg\+xml|application\/(json|manifest\+json))/;
const MIN_GZIP_BYTES = 1024;

const ROBOTS_TXT = `User-agent: *
Disallow: /dashboard
Disallow: /api
Disallow: /v1
Disallow: /preview
`;

interface Prepared {
  etag: string;
  bytes: Uint8Array<ArrayBuffer>;
  gzipped: Uint8Array<ArrayBuffer> | null;
  headers: Record<string, string>;
}

/** Whether gzip is acceptable: as listed, or through `*` when not listed itself (RFC 9110 12.5.3: `gzip;q=0, *` refuses it). */
function acceptsGzip(request: Request): boolean {
  const accept = request.headers.get('accept-encoding');
  if (!accept) return false;
  const weights = new Map<string, number>();
  for (const part of accept.split(',')) {
    const [coding = '', ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    weights.set(coding.trim(), q === undefined ? 1 : Number(q.slice(2)));
  }
  const q = weights.get('gzip') ?? weights.get('x-gzip') ?? weights.get('*') ?? 0;
  return q > 0;
}

/** Weak comparison (RFC 9110 §13.1.2): the gzipped and plain bodies share one validator. */
function matches(ifNoneMatch: string | null, etag: string): boolean {
  if (ifNoneMatch === null) return false;
  if (ifNoneMatch.trim() === '*') return true;
  const opaque = etag.replace(/^W\//, '');
  return ifNoneMatch.split(',').some((tag) => tag.trim().replace(/^W\//, '') === opaque);
}

export function assetRoutes() {
  const prepared = new Map<string, Promise<Prepared>>();

  // Read once per file: the binary's copies never change while it runs.
  const prepare = (path: string, file: string): Promise<Prepared> => {
    let p = prepared.get(path);
    if (!p) {
      p = (async () => {
        const bytes = await Bun.file(file).bytes();
        const type = contentTypeOf(path);
        const gzipped = COMPRESSIBLE.test(type) && bytes.byteLength >= MIN_GZIP_BYTES ? Bun.gzipSync(bytes) : null;
        return {
          etag: `W/"${Bun.hash(bytes).toString(36)}"`,
          bytes,
          gzipped,
          headers: {
            'content-type': type,
            'cache-control': 'public, no-cache',
            'x-content-type-options': 'nosniff',
            ...(gzipped ? { vary: 'accept-encoding' } : {}),
          },
        };
      })();
      p.catch(() => prepared.delete(path));
      prepared.set(path, p);
    }
    return p;
  };

  const serve = async (path: string, request: Request): Promise<Response> => {
    const file = Object.hasOwn(EMBEDDED_ASSETS, path) ? EMBEDDED_ASSETS[path] : undefined;
    if (file === undefined) return new Response('Not Found', { status: 404, headers: { 'content-type': TEXT } });
    const asset = await prepare(path, file);
    const headers = { ...asset.headers, etag: asset.etag };
    if (matches(request.headers.get('if-none-match'), asset.etag)) return new Response(null, { status: 304, headers });
    if (asset.gzipped && acceptsGzip(request)) {
      return new Response(asset.gzipped, { headers: { ...headers, 'content-encoding': 'gzip' } });
    }
    return new Response(asset.bytes, { headers });
  };

  const hidden = { detail: { hide: true } };
  return new Elysia()
    .get('/public/*', ({ params, request }) => serve(params['*'], request), hidden)
    .get('/favicon.ico', ({ request }) => serve('favicon.svg', request), hidden)
    .get('/robots.txt', () => new Response(ROBOTS_TXT, { headers: { 'content-type': TEXT, 'cache-control': 'public, max-age=86400' } }), hidden);
}
