/**
 * /openapi.json is generated from the app's routes; /docs is Swagger UI that
 * works offline: every script and stylesheet it loads is served by the
 * binary itself under /public.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import pkg from '../../package.json' with { type: 'json' };
import { DOC_TAGS } from '../../src/http/docs.ts';
import { makeTestApp, type TestApp } from '../helpers/make-test-app.ts';

let app: TestApp;
beforeAll(async () => {
  app = await makeTestApp();
});
afterAll(() => app.close());

describe('/openapi.json', () => {
  test('is an OpenAPI 3.x document titled shrinkray with the package version', async () => {
    const res = await app.request('GET', '/openapi.json');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/json');
    const spec = JSON.parse(await res.text());
    expect(spec.openapi).toMatch(/^3\.\d+\.\d+$/);
    expect(spec.info.title).toBe('shrinkray');
    expect(spec.info.version).toBe(pkg.version);
    expect(spec.info.description).toContain('X-API-Key');
    expect(spec.info.description).toContain('api_key');
    expect(spec.info.description).toContain('Bearer');
  });

  test('documents integer fields as integers, not as "a string or an integer"', async () => {
    const spec = await (await app.request('GET', '/openapi.json')).json();
    const clicks = spec.paths['/api/v1/stats/{code}'].get.responses['200'].content['application/json'].schema.properties.data.properties.clicks;
    expect(clicks).toEqual({ type: 'integer' });
    // Elysia's t.Integer() documents a string-or-integer union (it coerces query strings); responses never send strings
    expect(JSON.stringify(spec)).not.toContain('"format":"integer"');
  });

  test('declares the three API key schemes and the dialect tags', async () => {
    const spec = await (await app.request('GET', '/openapi.json')).json();
    expect(spec.components.securitySchemes).toEqual({
      bearer: expect.objectContaining({ type: 'http', scheme: 'bearer' }),
      apiKeyHeader: expect.objectContaining({ type: 'apiKey', in: 'header', name: 'X-API-Key' }),
      apiKeyQuery: expect.objectContaining({ type: 'apiKey', in: 'query', name: 'api_key' }),
    });
    expect(spec.tags.map((t: { name: string }) => t.name)).toEqual(['Native (Minilnk)', 'LinkShrink', 'Linx.ly', 'ShrtLnk', 'lnkz', 'Redirects', 'Operations']);
    expect(DOC_TAGS.length).toBe(7);
  });

  test('is built from the routes of every module, without the docs, spec and static files', async () => {
    const spec = await (await app.request('GET', '/openapi.json')).json();
    const paths = Object.keys(spec.paths);
    expect(paths).toContain('/healthz');
    expect(paths).toContain('/metrics');
    expect(spec.paths['/healthz'].get.tags).toEqual(['Operations']);
    expect(paths.some((p) => p.startsWith('/api/'))).toBe(true); // mounted after docs, still described
    for (const hidden of ['/docs', '/openapi.json', '/favicon.ico', '/robots.txt']) expect(paths).not.toContain(hidden);
    expect(paths.filter((p) => p.startsWith('/public'))).toEqual([]);
  });

  test('the password form\'s POST documents every answer it gives, the preview page and the 303 included', async () => {
    const spec = await (await app.request('GET', '/openapi.json')).json();
    expect(Object.keys(spec.paths['/{code}'].post.responses).sort()).toEqual(['200', '302', '303', '400', '401', '403', '404', '429']);
  });

  test('every operation references only declared security schemes', async () => {
    const spec = await (await app.request('GET', '/openapi.json')).json();
    const declared = new Set(Object.keys(spec.components.securitySchemes));
    const undeclared: string[] = [];
    for (const [path, ops] of Object.entries<Record<string, { security?: Record<string, unknown>[] }>>(spec.paths))
      for (const [method, op] of Object.entries(ops))
        for (const requirement of op.security ?? []) for (const name of Object.keys(requirement)) if (!declared.has(name)) undeclared.push(`${method} ${path}: ${name}`);
    expect(undeclared).toEqual([]);
  });

  test('LinkShrink\'s /shorten/utm documents every field the route accepts, password and private_stats included', async () => {
    const spec = await (await app.request('GET', '/openapi.json')).json();
    const body = spec.paths['/api/v1/shorten/utm'].post.requestBody.content['application/json'].schema;
    expect(Object.keys(body.properties).sort()).toEqual(
      ['url', 'utm_source', 'utm_medium', 'utm_campaign', 'utm_term', 'utm_content', 'customAlias', 'ttl_seconds', 'password', 'private_stats', 'force_preview'].sort(),
    );
    expect(body.properties.password).toMatchObject({ type: 'string', minLength: 4, maxLength: 128 });
    expect(body.properties.private_stats).toMatchObject({ type: 'boolean', default: false });
    expect(body.required).not.toContain('password');
    expect(body.required).not.toContain('private_stats');
  });

  test('a route with a path parameter documents its query parameters too (a delete token, a stats token, a range), as generated clients and Try it out send them', async () => {
    const spec = await (await app.request('GET', '/openapi.json')).json();
    const params = (path: string, method: string) => (spec.paths[path][method].parameters as { name: string; in: string; required?: boolean }[]).map((p) => `${p.in}:${p.name}${p.required ? '!' : ''}`);
    expect(params('/api/v1/{code}', 'delete')).toEqual(['path:code!', 'query:delete_token!']);
    expect(params('/api/v1/stats/{code}', 'get')).toContain('query:token');
    expect(params('/api/v1/stats/{code}/export', 'get')).toEqual(['path:code!', 'query:format', 'query:from', 'query:to', 'query:token']);
    expect(params('/api/v1/links/{id}/analytics', 'get')).toEqual(expect.arrayContaining(['path:id!', 'query:from', 'query:to']));
    expect(params('/api/v1/links', 'get')).toEqual(expect.arrayContaining(['query:search', 'query:page']));
    expect(params('/api/v1/qr/{code}.png', 'get')).toEqual(['path:code!', 'query:size', 'query:fg', 'query:bg']);
    expect(spec.paths['/api/v1/qr/{code}.svg'].get.operationId).toBe('getLinkShrinkQrSvg');
    // asked for again (the plugin keeps one document), the same
    const again = await (await app.request('GET', '/openapi.json')).text();
    expect(JSON.parse(again).paths['/api/v1/{code}'].delete.parameters).toEqual(spec.paths['/api/v1/{code}'].delete.parameters);
    expect(again).not.toContain('x-shrinkray-query');
  });

  test('every operation says what it answers, and which take no API key say so; request bodies as the routes read them', async () => {
    const spec = await (await app.request('GET', '/openapi.json')).json();
    const missing: string[] = [];
    for (const [path, item] of Object.entries<Record<string, { responses?: object; security?: unknown[] }>>(spec.paths)) {
      for (const [method, op] of Object.entries(item)) {
        if (!op.responses || !Object.keys(op.responses).length) missing.push(`${method} ${path}: responses`);
        if (!op.security) missing.push(`${method} ${path}: security`);
      }
    }
    expect(missing).toEqual([]);
    expect(spec.paths['/healthz'].get.security).toEqual([]);
    expect(Object.keys(spec.paths['/healthz'].get.responses)).toEqual(['200', '503']);
    expect(Object.keys(spec.paths['/metrics'].get.responses['200'].content)).toEqual(['text/plain']);
    expect(spec.paths['/{code}'].get.security).toEqual([]);
    expect(spec.paths['/{code}'].post.requestBody.content['application/x-www-form-urlencoded'].schema.required).toEqual(['password', 'csrf_token']);
    // Laravel dialects read a form as well as JSON; LinkShrink and lnkz only JSON
    expect(Object.keys(spec.paths['/api/v1/links'].post.requestBody.content)).toEqual(['application/json', 'application/x-www-form-urlencoded']);
    expect(Object.keys(spec.paths['/v1/client/short-links'].post.requestBody.content)).toEqual(['application/json', 'application/x-www-form-urlencoded']);
    expect(Object.keys(spec.paths['/api/v1/shorten'].post.requestBody.content)).toEqual(['application/json']);
    expect(Object.keys(spec.paths['/api/v1/stats/{code}/export'].get.responses['200'].content)).toEqual(['application/json', 'text/csv']);
    expect(Object.keys(spec.paths['/dashboard/qrcodes/{id}/download/{format}'].get.responses)).not.toContain('400');
  });

  test('every operationId is unique and a plain identifier, as client generators name methods by it', async () => {
    const spec = await (await app.request('GET', '/openapi.json')).json();
    const ids = Object.values<Record<string, { operationId?: string }>>(spec.paths).flatMap((item) => Object.values(item).map((op) => op.operationId));
    expect(ids.filter((id) => !id || !/^[A-Za-z][A-Za-z0-9_]*$/.test(id))).toEqual([]);
    expect(new Set(ids).size).toBe(ids.length);
    expect(spec.paths['/v1/client/short-links/{short_code}'].patch.operationId).toBe('patchLinxlyShortLink');
  });

  test('the native list routes document every field of the paginator they answer (last_page, per_page, next_page_url…)', async () => {
    const spec = await (await app.request('GET', '/openapi.json')).json();
    const u = await app.user('pro');
    for (const path of ['/api/v1/links', '/api/v1/qrcodes']) {
      const documented = spec.paths[path].get.responses['200'].content['application/json'].schema;
      const body = await (await app.request('GET', `${path}?page=1`, { headers: u.auth })).json();
      expect(Object.keys(documented.properties).sort()).toEqual(Object.keys(body).sort());
      expect(documented.required.sort()).toEqual(Object.keys(body).sort());
    }
  });
});

describe('/docs', () => {
  const refs = (html: string, tag: 'script' | 'link') =>
    [...html.matchAll(tag === 'script' ? /<script\b[^>]*\bsrc="([^"]*)"/g : /<link\b[^>]*\bhref="([^"]*)"/g)].map((m) => m[1]!);

  test('is an HTML page that loads only local scripts and styles, no inline script', async () => {
    const res = await app.request('GET', '/docs', { headers: { accept: 'text/html' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toStartWith('text/html');
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await res.text();
    const scripts = refs(html, 'script');
    expect(scripts).toContain('/public/vendor/swagger-ui/swagger-ui-bundle.js');
    for (const src of scripts) expect(src).toStartWith('/public/');
    for (const href of refs(html, 'link')) expect(href).toStartWith('/public/');
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//i);
    expect(html).not.toMatch(/<script\b(?![^>]*\bsrc=)[^>]*>/i); // every <script> has a src
    expect(html).not.toContain('<style');
    expect(html).toContain('data-spec-url="/openapi.json"');
  });

  test('everything the page loads is served by the app itself', async () => {
    const html = await (await app.request('GET', '/docs')).text();
    for (const url of [...refs(html, 'script'), ...refs(html, 'link')]) {
      const res = await app.request('GET', url);
      expect(`${url} ${res.status}`).toBe(`${url} 200`);
    }
  });

  test('the init script points Swagger UI at the spec without reaching the network', async () => {
    const init = await (await app.request('GET', '/public/vendor/swagger-ui/init.js')).text();
    expect(init).toContain('SwaggerUIBundle(');
    expect(init).toContain('data-spec-url');
    expect(init).toContain('validatorUrl: null');
    expect(init).not.toMatch(/https?:\/\//);
  });
});
