/**
 * Operations: /healthz, /metrics, the global request hooks (metrics and
 * access log on every route of the app) and the error safety net.
 */
import { afterAll, beforeAll, describe, expect, setSystemTime, spyOn, test } from 'bun:test';
import { Elysia, t, type AnyElysia } from 'elysia';
import { BASE, makeTestApp, type TestApp } from '../helpers/make-test-app.ts';
import { operations } from '../../src/http/operations.ts';
import { createLogger, formatLine } from '../../src/logger.ts';
import { createMetrics } from '../../src/metrics.ts';

// onAfterResponse runs in setImmediate, after the response has been handed over
const afterResponses = () => new Promise((resolve) => setTimeout(resolve, 5));

function captureLogger(level: Parameters<typeof createLogger>[0] = 'info') {
  const lines: string[] = [];
  const logger = createLogger(level, { out: (l) => lines.push(l), err: (l) => lines.push(l) });
  return { logger, lines };
}

let app: TestApp;
beforeAll(async () => {
  app = await makeTestApp();
});
afterAll(() => app.close());

describe('/healthz', () => {
  test('200 {"status":"ok"} when the database answers', async () => {
    const res = await app.request('GET', '/healthz');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  test('503 {"status":"unavailable"} when it does not', async () => {
    const { logger, lines } = captureLogger('warn');
    const base = deps(app);
    const failing = {
      query: () => {
        throw new Error('disk I/O error');
      },
    };
    const services = { ...base.services, db: { ...base.services.db, sqlite: failing } };
    const ops = new Elysia().use(operations({ ...base, services } as never, { logger }));
    const res = await ops.handle(new Request(`${BASE}/healthz`));
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ status: 'unavailable' });
    expect(lines.some((l) => l.includes(' warn health check failed') && l.includes('disk I/O error'))).toBe(true);
  });
});

describe('click writes that fail', () => {
  test('are logged (once, then on recovery), make /healthz 503 when they last, and a shutdown that cannot write them says so', async () => {
    const own = await makeTestApp({ env: { LOG_LEVEL: 'warn' } });
    const lines: string[] = [];
    const stderr = spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    try {
      const actor = await own.services.users.actorFor((await own.user('pro')).user);
      const { link } = await own.services.links.create(actor, { destination: 'https://example.com/disk-full' });
      // as a full disk would: every click batch is refused
      own.sqlite.exec("CREATE TRIGGER disk_full BEFORE INSERT ON clicks BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END");
      const visit = () => own.app.handle(new Request(`${BASE}/${link.code}`, { headers: { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0' } }));
      expect((await visit()).status).toBe(302);
      await own.flush();
      await visit();
      await own.flush();
      const errors = lines.filter((l) => l.includes('clicks could not be written'));
      expect(errors).toHaveLength(1);
      expect(errors[0]).toContain('database or disk is full');
      expect(own.services.recorder.depth).toBe(2);
      // a moment's failure is not unhealthy; one that lasts is
      expect((await own.request('GET', '/healthz')).status).toBe(200);
      setSystemTime(new Date(Date.now() + 11_000));
      const sick = await own.request('GET', '/healthz');
      setSystemTime();
      expect(sick.status).toBe(503);
      // the reason, not the error (it is in the log): the probe is public
      expect(await sick.json()).toEqual({ status: 'unavailable', reason: 'clicks cannot be written' });
      // stopping now would lose them: the shutdown fails loudly instead of reporting success
      await expect(own.services.shutdown()).rejects.toThrow('2 queued clicks could not be written (database or disk is full)');
      // the disk is freed: the next write goes through, and the log says so
      own.sqlite.exec('DROP TRIGGER disk_full');
      await own.flush();
      expect(own.services.recorder.depth).toBe(0);
      expect(lines.some((l) => l.includes('click writes recovered'))).toBe(true);
      expect((await own.request('GET', '/healthz')).status).toBe(200);
    } finally {
      stderr.mockRestore();
      await own.close();
    }
  });
});

describe('/metrics', () => {
  test('with METRICS_TOKEN set, only a scraper sending it as a Bearer token reads the metrics', async () => {
    const token = 'scrape-me-0123456789abcdef';
    const own = await makeTestApp({ env: { METRICS_TOKEN: token } });
    try {
      for (const authorization of [undefined, 'Bearer wrong-token-0123456789ab', token, `Bearer ${token}x`, `Basic ${btoa(`x:${token}`)}`]) {
        const res = await own.request('GET', '/metrics', { headers: authorization ? { authorization } : {} });
        expect([authorization, res.status, res.headers.get('www-authenticate'), (await res.text()).includes('shrinkray_')]).toEqual([authorization, 401, 'Bearer realm="metrics"', false]);
      }
      for (const authorization of [`Bearer ${token}`, `bearer  ${token}`]) {
        const ok = await own.request('GET', '/metrics', { headers: { authorization } });
        expect([authorization, ok.status, (await ok.text()).includes('# TYPE shrinkray_http_requests_total counter')]).toEqual([authorization, 200, true]);
      }
    } finally {
      await own.close();
    }
    // unset (the default), open as before
    expect((await app.request('GET', '/metrics')).status).toBe(200);
  });

  test('Prometheus text with per-route request counts and a duration histogram', async () => {
    await app.request('GET', '/api/v1/links/12345?api_key=nope');
    await app.request('GET', '/healthz');
    await afterResponses();
    const res = await app.request('GET', '/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toStartWith('text/plain; version=0.0.4');
    const text = await res.text();
    expect(text).toContain('# TYPE shrinkray_http_requests_total counter');
    expect(text).toMatch(/^shrinkray_http_requests_total\{method="GET",route="\/api\/v1\/links\/:id",status="401"\} \d+$/m);
    expect(text).toMatch(/^shrinkray_http_requests_total\{method="GET",route="\/healthz",status="200"\} \d+$/m);
    expect(text).toContain('# TYPE shrinkray_http_request_duration_seconds histogram');
    expect(text).toMatch(/^shrinkray_http_request_duration_seconds_count [1-9]\d*$/m);
    // the raw path and its query never become a label
    expect(text).not.toContain('12345');
    expect(text).not.toContain('api_key');
  });

  test('process memory, both JS heaps and the click queue are reported', async () => {
    const text = await (await app.request('GET', '/metrics')).text();
    const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
    // a live process has tens of MB resident and a JS heap of its own
    expect(value('process_resident_memory_bytes')).toBeGreaterThan(10e6);
    expect(value('shrinkray_js_heap_bytes')).toBeGreaterThan(1e6);
    // the test app writes clicks inline: no worker heap to report
    expect(value('shrinkray_flush_worker_js_heap_bytes')).toBe(0);
    expect(value('shrinkray_click_queue_depth')).toBeGreaterThanOrEqual(0);
    expect(value('shrinkray_clicks_dropped_total')).toBe(0);
    expect(text).toContain('# TYPE shrinkray_clicks_dropped_total counter');
  });

  test('unmatched paths share one label, so cardinality stays bounded', async () => {
    for (let i = 0; i < 5; i++) await app.request('GET', `/no/such/path-${i}`);
    await afterResponses();
    const text = await (await app.request('GET', '/metrics')).text();
    expect(text).toMatch(/^shrinkray_http_requests_total\{method="GET",route="unmatched",status="404"\} ([5-9]|\d\d+)$/m);
    expect(text).not.toContain('path-');
  });
});

describe('not found', () => {
  test('an unknown path under /api/ answers JSON with both fields LinkShrink clients read', async () => {
    const res = await app.request('GET', '/api/v1/does/not/exist');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toStartWith('application/json');
    expect(await res.json()).toEqual({ error: 'Not Found', message: 'The route api/v1/does/not/exist could not be found.' });
  });

  test('an unknown path under /v1/ answers JSON', async () => {
    const res = await app.request('DELETE', '/v1/nothing/here');
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: 'Not Found', message: 'The route v1/nothing/here could not be found.' });
  });

  test('a path served under other methods answers 405 with Allow and Laravel\'s message; a short-link path stays 404', async () => {
    const lnkz = await app.request('POST', '/api/v1/urls/5');
    expect(lnkz.status).toBe(405);
    expect(lnkz.headers.get('allow')).toBe('GET, HEAD, PUT, PATCH, DELETE');
    // under lnkz's paths, in lnkz's {code, message}; elsewhere with LinkShrink's `error` beside the message
    expect(await lnkz.json()).toEqual({
      code: 'METHOD_NOT_ALLOWED',
      message: 'The POST method is not supported for route api/v1/urls/5. Supported methods: GET, HEAD, PUT, PATCH, DELETE.',
    });
    const minilnk = await app.request('POST', '/api/v1/links/7');
    expect(minilnk.headers.get('allow')).toBe('GET, HEAD, PUT, PATCH, DELETE');
    expect(await minilnk.json()).toEqual({
      error: 'Method Not Allowed',
      message: 'The POST method is not supported for route api/v1/links/7. Supported methods: GET, HEAD, PUT, PATCH, DELETE.',
    });
    const page = await app.request('DELETE', '/healthz', { headers: { accept: 'text/html' } });
    expect([page.status, page.headers.get('allow'), page.headers.get('content-type')]).toEqual([405, 'GET, HEAD', 'text/html; charset=utf-8']);
    expect(await page.text()).toContain('<title>Not allowed</title>');
    // OPTIONS without CORS asks which methods a path takes
    const options = await app.request('OPTIONS', '/api/v1/urls/5');
    expect([options.status, options.headers.get('allow')]).toEqual([204, 'GET, HEAD, PUT, PATCH, DELETE, OPTIONS']);
    // the methods a path does serve are untouched, and short codes are not routes
    expect((await app.request('HEAD', '/healthz')).status).toBe(200);
    for (const [method, path] of [['PUT', '/somecode'], ['DELETE', '/public/app.css'], ['GET', '/api/v1/links/1/nope']] as const) {
      const res = await app.request(method, path);
      expect([method, path, res.status, res.headers.get('allow')]).toEqual([method, path, 404, null]);
    }
  });

  test('an unknown deep path answers an HTML page with the page security headers', async () => {
    const res = await app.request('GET', '/some/deep/page?x=<script>', { headers: { accept: 'text/html' } });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toStartWith('text/html');
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    const body = await res.text();
    expect(body).toContain('<!doctype html>');
    expect(body).not.toContain('<script');
  });
});

describe('request log', () => {
  /** What an app at LOG_LEVEL=info writes to stdout while `send` runs. */
  async function stdoutOf(send: (app: TestApp) => Promise<unknown>): Promise<string[]> {
    const logged = await makeTestApp({ env: { LOG_LEVEL: 'info' } });
    const written: string[] = [];
    const spy = spyOn(process.stdout, 'write').mockImplementation(((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    }) as typeof process.stdout.write);
    try {
      await send(logged);
      await afterResponses();
    } finally {
      spy.mockRestore();
      await logged.close();
    }
    return written;
  }

  test('one info line per request with method, path, route, status and ms — never the query string', async () => {
    const written = await stdoutOf(async (logged) => {
      await logged.request('GET', '/api/v1/links/7?api_key=sk_live_secret&x=1');
      await logged.request('GET', '/nothing/here?token=hunter2');
      await logged.request('DELETE', '/api/v1/abc123?delete_token=deadbeef');
    });
    const lines = written.join('').split('\n').filter((l) => / info request /.test(l));
    expect(lines.length).toBeGreaterThanOrEqual(3);
    const links = lines.find((l) => l.includes('route=/api/v1/links/:id'))!;
    expect(links).toMatch(/^\d{4}-\d\d-\d\dT\S+Z info request method=GET path=\/api\/v1\/links\/7 route=\/api\/v1\/links\/:id status=401 ms=\d+\.\d$/);
    expect(lines.some((l) => l.includes('path=/nothing/here') && l.includes('status=404') && !l.includes('route='))).toBe(true);
    for (const l of written) {
      expect(l).not.toContain('?');
      expect(l).not.toContain('sk_live_secret');
      expect(l).not.toContain('hunter2');
      expect(l).not.toContain('deadbeef');
    }
  });

  test('a long path is logged as its first 200 characters and its length, not whole', async () => {
    const written = await stdoutOf((logged) => logged.request('GET', `/nothing/${'a'.repeat(15_000)}`));
    const line = written.join('').split('\n').find((l) => / info request /.test(l))!;
    expect(line).toContain(`path="/nothing/${'a'.repeat(191)}… (15009 characters)"`);
    expect(line.length).toBeLessThan(400);
  });

  test('health checks and scrapes that succeed are logged at debug only; a failing health check at info', async () => {
    const at = async (level: 'info' | 'debug', sqlite?: unknown) => {
      const { logger, lines } = captureLogger(level);
      const base = deps(app);
      const services = sqlite ? { ...base.services, db: { ...base.services.db, sqlite } } : base.services;
      const ops = new Elysia().use(operations({ ...base, services } as never, { logger }));
      for (const path of ['/healthz', '/metrics', '/elsewhere']) await ops.handle(new Request(BASE + path));
      await afterResponses();
      return lines.filter((l) => l.includes(' request ')).map((l) => /(\w+) request .*path=(\S+).*status=(\d+)/.exec(l)!.slice(1).join(' '));
    };
    expect(await at('info')).toEqual(['info /elsewhere 404']);
    expect(await at('debug')).toEqual(['debug /healthz 200', 'debug /metrics 200', 'info /elsewhere 404']);
    const failing = {
      query: () => {
        throw new Error('disk I/O error');
      },
    };
    expect(await at('info', failing)).toContain('info /healthz 503');
  });

  test('nothing is logged per request at warn', async () => {
    const { logger, lines } = captureLogger('warn');
    const ops = new Elysia().use(operations(deps(app), { logger }));
    await ops.handle(new Request(`${BASE}/healthz`));
    await afterResponses();
    expect(lines).toEqual([]);
  });
});

describe('error safety net', () => {
  function appWith(plugin: AnyElysia, level: Parameters<typeof createLogger>[0] = 'info') {
    const { logger, lines } = captureLogger(level);
    return { lines, handle: new Elysia().use(operations(deps(app), { logger })).use(plugin) };
  }

  test('Elysia validation and parse errors answer 400 JSON', async () => {
    const { handle } = appWith(
      new Elysia()
        .get('/typed/:n', ({ params }) => params.n, { params: t.Object({ n: t.Numeric() }) })
        .post('/typed', ({ body }) => body, { body: t.Object({ name: t.String() }) }),
    );
    const invalid = await handle.handle(new Request(`${BASE}/typed/abc`));
    expect(invalid.status).toBe(400);
    expect((await invalid.json()).message).toStartWith('Invalid params');

    const unparsable = await handle.handle(new Request(`${BASE}/typed`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":' }));
    expect(unparsable.status).toBe(400);
    expect(await unparsable.json()).toEqual({ message: expect.any(String) });
  });

  test('anything else is logged with its stack and answers 500 JSON', async () => {
    const { handle, lines } = appWith(
      new Elysia().get('/broken', () => {
        throw new TypeError('cannot read properties of undefined');
      }),
    );
    const res = await handle.handle(new Request(`${BASE}/broken?api_key=sk_secret`));
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ message: 'Server Error' });
    const line = lines.find((l) => l.includes(' error unhandled error'))!;
    expect(line).toContain('path=/broken');
    expect(line).toContain('TypeError: cannot read properties of undefined');
    expect(line).toContain('operations.test.ts'); // the stack
    expect(line).not.toContain('sk_secret');
    expect(line.includes('\n')).toBe(false);
    await afterResponses();
    expect(lines.some((l) => l.includes('info request') && l.includes('route=/broken') && l.includes('status=500'))).toBe(true);
  });

  test("a plugin's own onError still answers first; the safety net only catches what it leaves", async () => {
    const { handle } = appWith(
      new Elysia()
        .onError(({ code }) => (code === 'VALIDATION' ? new Response(JSON.stringify({ message: 'The given data was invalid.', errors: {} }), { status: 422 }) : undefined))
        .post('/laravel', ({ body }) => body, { body: t.Object({ url: t.String() }) })
        .get('/laravel-bug', () => {
          throw new Error('bug');
        }),
    );
    const res = await handle.handle(new Request(`${BASE}/laravel`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }));
    expect(res.status).toBe(422);
    expect((await res.json()).message).toBe('The given data was invalid.');

    const bug = await handle.handle(new Request(`${BASE}/laravel-bug`));
    expect(bug.status).toBe(500);
    expect(await bug.json()).toEqual({ message: 'Server Error' });
  });
});

describe('logger', () => {
  test('formats one line, quoting values that would break it', () => {
    const line = formatLine('info', 'request', { method: 'GET', path: '/a b', n: 3, skipped: undefined, err: new Error('x\ny') }, new Date(0));
    expect(line.startsWith('1970-01-01T00:00:00.000Z info request method=GET path="/a b" n=3 err="Error: x\\ny')).toBe(true);
    expect(line).not.toContain('skipped');
    expect(line.includes('\n')).toBe(false);
  });

  test('routes levels: debug/info to stdout, warn/error to stderr, nothing below the threshold or at silent', () => {
    const out: string[] = [];
    const err: string[] = [];
    const log = createLogger('info', { out: (l) => out.push(l), err: (l) => err.push(l) });
    log.debug('hidden');
    log.info('shown');
    log.warn('careful');
    log.error('broken');
    expect(out.map((l) => l.split(' ').slice(1).join(' '))).toEqual(['info shown']);
    expect(err.map((l) => l.split(' ').slice(1).join(' '))).toEqual(['warn careful', 'error broken']);

    const silent = createLogger('silent', { out: (l) => out.push(l), err: (l) => err.push(l) });
    silent.error('nothing');
    expect(out.length + err.length).toBe(3);
  });
});

/** the test app's services with a registry of their own, so extra operations() instances leave its metrics alone */
function deps(testApp: TestApp) {
  return {
    services: { ...testApp.services, metrics: createMetrics() },
    limiter: undefined as never,
    apiAuth: undefined as never,
    csrf: undefined as never,
    logger: createLogger('silent'),
  };
}
