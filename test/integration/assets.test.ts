/**
 * /public is a lookup table of embedded files: correct types and caching,
 * conditional requests, and nothing outside the table — whatever the path.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { CONTENT_TYPES, EMBEDDED_ASSETS, contentTypeOf } from '../../src/web/assets.ts';
import { makeTestApp, type TestApp } from '../helpers/make-test-app.ts';

const ROOT = join(import.meta.dir, '..', '..');
const PUBLIC = join(ROOT, 'public');

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : [relative(PUBLIC, p).split('\\').join('/')];
  });
}

let app: TestApp;
beforeAll(async () => {
  app = await makeTestApp();
});
afterAll(() => app.close());

describe('the embed list', () => {
  test('names every file under public/ (add new files to src/web/assets.ts)', () => {
    expect(Object.keys(EMBEDDED_ASSETS).sort()).toEqual(walk(PUBLIC).sort());
  });

  test('each entry is the file of that name', () => {
    for (const [path, file] of Object.entries(EMBEDDED_ASSETS)) expect(readFileSync(file)).toEqual(readFileSync(join(PUBLIC, path)));
  });

  test('every file has a known content type', () => {
    for (const path of Object.keys(EMBEDDED_ASSETS)) expect(`${path} ${contentTypeOf(path)}`).not.toContain('octet-stream');
    expect(Object.keys(CONTENT_TYPES)).toContain('js');
  });

  test('vendored files are unmodified copies of the installed packages', () => {
    const copies: Record<string, string> = {
      'vendor/htmx.min.js': 'htmx.org/dist/htmx.min.js',
      'vendor/htmx.LICENSE.txt': 'htmx.org/LICENSE',
      'vendor/swagger-ui/swagger-ui-bundle.js': 'swagger-ui-dist/swagger-ui-bundle.js',
      'vendor/swagger-ui/swagger-ui-bundle.js.LICENSE.txt': 'swagger-ui-dist/swagger-ui-bundle.js.LICENSE.txt',
      'vendor/swagger-ui/swagger-ui.css': 'swagger-ui-dist/swagger-ui.css',
      'vendor/swagger-ui/LICENSE': 'swagger-ui-dist/LICENSE',
      'vendor/swagger-ui/NOTICE': 'swagger-ui-dist/NOTICE',
    };
    for (const [ours, theirs] of Object.entries(copies)) {
      const same = readFileSync(join(PUBLIC, ours)).equals(readFileSync(join(ROOT, 'node_modules', theirs)));
      expect(`${ours} ${same ? 'matches' : 'differs from'} node_modules/${theirs}`).toBe(`${ours} matches node_modules/${theirs}`);
    }
  });
});

describe('GET /public/*', () => {
  test('serves htmx as JavaScript, stored but revalidated (its URL carries no version: an upgrade changes it)', async () => {
    const res = await app.request('GET', '/public/vendor/htmx.min.js');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('public, no-cache');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('etag')).toMatch(/^W\/"[0-9a-z]+"$/);
    expect(await res.text()).toBe(readFileSync(join(PUBLIC, 'vendor/htmx.min.js'), 'utf8'));
  });

  test('serves the stylesheet revalidated on every use (a day of max-age ran old files against an upgrade\'s pages)', async () => {
    const res = await app.request('GET', '/public/css/app.css');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('public, no-cache');
  });

  test('answers 304 to a matching If-None-Match, and 200 to a stale one', async () => {
    const first = await app.request('GET', '/public/vendor/swagger-ui/swagger-ui.css');
    const etag = first.headers.get('etag')!;
    const again = await app.request('GET', '/public/vendor/swagger-ui/swagger-ui.css', { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    expect(again.headers.get('etag')).toBe(etag);
    expect(again.headers.get('cache-control')).toBe('public, no-cache');
    expect(await again.text()).toBe('');

    const listed = await app.request('GET', '/public/vendor/swagger-ui/swagger-ui.css', { headers: { 'if-none-match': `"stale", ${etag.slice(2)}` } });
    expect(listed.status).toBe(304);

    const stale = await app.request('GET', '/public/vendor/swagger-ui/swagger-ui.css', { headers: { 'if-none-match': 'W/"stale"' } });
    expect(stale.status).toBe(200);
  });

  test('gzips large text files for clients that accept it', async () => {
    const plain = await app.request('GET', '/public/vendor/htmx.min.js', { headers: { 'accept-encoding': 'identity' } });
    expect(plain.headers.get('content-encoding')).toBeNull();
    const zipped = await app.request('GET', '/public/vendor/htmx.min.js', { headers: { 'accept-encoding': 'gzip, deflate, br' } });
    expect(zipped.headers.get('content-encoding')).toBe('gzip');
    expect(zipped.headers.get('vary')).toBe('accept-encoding');
    expect(zipped.headers.get('etag')).toBe(plain.headers.get('etag'));
    // gzip refused by name wins over the wildcard (RFC 9110 12.5.3); the wildcard alone accepts it
    for (const [accept, encoding] of [['gzip;q=0', null], ['gzip;q=0, *', null], ['*', 'gzip'], ['br, *;q=0.1', 'gzip'], ['*;q=0', null]] as const) {
      const res = await app.request('GET', '/public/vendor/htmx.min.js', { headers: { 'accept-encoding': accept } });
      expect([accept, res.headers.get('content-encoding')]).toEqual([accept, encoding]);
    }
  });

  test('an unknown asset is 404', async () => {
    for (const path of ['/public/vendor/jquery.js', '/public/', '/public/css', '/public/CSS/app.css', '/public/css/app.css.map']) {
      const res = await app.request('GET', path);
      expect(`${path} ${res.status}`).toBe(`${path} 404`);
    }
  });

  test('path traversal reaches nothing', async () => {
    const secret = readFileSync(join(ROOT, 'package.json'), 'utf8').slice(0, 40);
    const attempts = [
      '/public/../package.json',
      '/public/%2e%2e/package.json',
      '/public/..%2fpackage.json',
      '/public/%2e%2e%2fpackage.json',
      '/public/vendor/../../package.json',
      '/public/vendor/%2e%2e/%2e%2e/package.json',
      '/public//etc/passwd',
      '/public/..%5cpackage.json',
      '/public/%252e%252e/package.json',
      '/public/vendor/htmx.min.js%00.txt',
    ];
    for (const path of attempts) {
      const res = await app.request('GET', path);
      expect(`${path} ${res.status}`).toBe(`${path} 404`);
      expect(await res.text()).not.toContain(secret);
    }
  });
});

describe('/favicon.ico and /robots.txt', () => {
  test('the favicon is the SVG icon', async () => {
    const res = await app.request('GET', '/favicon.ico');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/svg+xml');
    expect(await res.text()).toContain('<svg');
  });

  test('robots.txt keeps crawlers out of the dashboard, the APIs and previews', async () => {
    const res = await app.request('GET', '/robots.txt');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toStartWith('text/plain');
    const text = await res.text();
    expect(text).toContain('User-agent: *');
    for (const path of ['/dashboard', '/api', '/preview']) expect(text).toContain(`Disallow: ${path}\n`);
  });
});
