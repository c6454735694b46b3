/**
 * Operations: /healthz, /metrics, and the lifecycle hooks every route shares
 * (request metrics, the access log, and the error safety net).
 *
 * Scoping. Elysia 1.4 hooks are local to the instance that declares them
 * unless registered with `{ as: 'global' }`; only global hooks reach routes
 * that other plugins add to the root app (onRequest is the exception: it runs
 * before routing and is always lifted to the root). createApp mounts this
 * plugin first so the hooks are in place before any other route is added.
 *
 * Hot path budget (the redirect route is benchmarked against a bare
 * Bun.serve): one performance.now() pair and one Map increment per request.
 * The Prometheus counter is fed from that Map when /metrics is scraped, and
 * the log line is built after the response has gone (onAfterResponse runs in
 * setImmediate), so the recorded duration runs from onRequest to that hook
 * and includes event-loop queueing under load. Hooks destructure exactly the context fields they read:
 * Elysia's sucrose infers from hook source which fields every route must
 * prepare, and a hook that passed the whole context to a function would make
 * every route parse its query string and headers.
 *
 * Access log: method, path and matched route, never the query string (keys
 * and LinkShrink delete/stats tokens travel there).
 *
 * Error safety net: global hooks run before a plugin's own onError, so this
 * handler first offers the error to the matched route's other error hooks and
 * answers only when none of them does. NOT_FOUND → 404 JSON under /api and
 * /v1 (with `error` and `message`, worded as Laravel words it: LinkShrink
 * documents both on every error, and the other dialects sharing /api/v1 read
 * `message`; a dialect may give its own paths its own shape: routeErrors),
 * or 405 with Allow when other methods serve the path, an HTML
 * page elsewhere; PARSE/VALIDATION → 400 JSON; storage that cannot do it
 * now (a full disk: http/storage-unavailable.ts) → 503 with Retry-After; anything
 * else is a bug: logged with its stack, answered 500 JSON.
 */
import { Elysia, ValidationError } from 'elysia';
import { safeEqual } from '../accounts/secrets.ts';
import type { Logger } from '../logger.ts';
import { methodsAt } from './allowed-methods.ts';
import type { AppDeps } from './app-deps.ts';
import { html, json } from './respond.ts';
import { storageUnavailable } from './storage-unavailable.ts';
import { loggedPath } from './logged-path.ts';

const DURATION_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
// anything else a client invents becomes OTHER, keeping label cardinality bounded
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
const PROMETHEUS_TEXT = 'text/plain; version=0.0.4; charset=utf-8';

// Same shell as views/layout.ts (one stylesheet, no script) without making
// http/ depend on views/; deliberately echoes nothing from the request.
const NOT_FOUND_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>Not found</title>
<link rel="stylesheet" href="/public/css/app.css">
</head>
<body class="public">
<main class="card">
<p class="eyebrow">404</p>
<h1>Nothing here</h1>
<p class="muted">There is no page at this address. Check it for typos.</p>
<p><a class="button" href="/">Go to the home page</a></p>
</main>
</body>
</html>`;

const METHOD_NOT_ALLOWED_PAGE = NOT_FOUND_PAGE.replace('<title>Not found</title>', '<title>Not allowed</title>')
  .replace('<p class="eyebrow">404</p>', '<p class="eyebrow">405</p>')
  .replace('<h1>Nothing here</h1>', '<h1>Not this way</h1>')
  .replace('There is no page at this address. Check it for typos.', 'This address does not take that kind of request.');

const UNAVAILABLE_PAGE = NOT_FOUND_PAGE.replace('<title>Not found</title>', '<title>Try again later</title>')
  .replace('<p class="eyebrow">404</p>', '<p class="eyebrow">503</p>')
  .replace('<h1>Nothing here</h1>', '<h1>Try again later</h1>')
  .replace('There is no page at this address. Check it for typos.', 'The server cannot reach its storage right now.');

/** The context property onRequest stamps; named to avoid clashing with Elysia's own fields. */
interface Stamped {
  shrinkrayStartedAt?: number;
}

type StatusLike = number | string | undefined;
type ErrorHookFn = (ctx: unknown) => unknown;
interface RouteRecord {
  method: string;
  path: string;
  hooks: { error?: Array<{ fn: ErrorHookFn } | ErrorHookFn> };
}

/** Click writes may fail for a moment (a lock held by a backup); failing past this, the server is unhealthy. */
const CLICK_WRITE_GRACE_MS = 10_000;

const isJsonPath = (path: string) => path.startsWith('/api/') || path.startsWith('/v1/') || path === '/api' || path === '/v1';

function statusOf(responseValue: unknown, status: StatusLike): number {
  if (responseValue instanceof Response) return responseValue.status;
  return typeof status === 'number' ? status : Number(status) || 500;
}

function validationMessage(error: unknown): string {
  if (error instanceof ValidationError) {
    if (typeof error.customError === 'string') return error.customError;
    const first = error.all[0];
    const detail = first?.summary ?? first?.message;
    return detail ? `Invalid ${error.type}: ${detail}` : `Invalid ${error.type}.`;
  }
  return 'The request is invalid.';
}

/** The body of a 404, 405 or 503 for paths a dialect owns whose errors have a shape of their own. */
export interface RouteErrorShape {
  path: RegExp;
  body: (status: RouteErrorStatus, message: string) => object;
}
export type RouteErrorStatus = 404 | 405 | 503;
const ERROR_TITLES: Record<RouteErrorStatus, string> = { 404: 'Not Found', 405: 'Method Not Allowed', 503: 'Service Unavailable' };

export interface OperationsOptions {
  /** defaults to the app's logger */
  logger?: Logger;
  /** first match wins; elsewhere {error, message}: LinkShrink's shape, whose `message` the other dialects read */
  routeErrors?: readonly RouteErrorShape[];
}

export function operations(deps: AppDeps, opts: OperationsOptions = {}) {
  const { metrics, db, clickWrites, config } = deps.services;
  const metricsToken = config.metricsToken;
  const logger = opts.logger ?? deps.logger;
  const logRequests = logger.enabled('info');
  const logProbes = logger.enabled('debug');
  const routeErrors = opts.routeErrors ?? [];
  const routeError = (path: string, status: RouteErrorStatus, message: string, headers?: Record<string, string>) => {
    const shape = routeErrors.find((r) => r.path.test(path));
    // no-store, as every routed API answer (dialect.ts): a shared cache keys no credential sent as X-API-Key or ?api_key=
    return json(status, shape ? shape.body(status, message) : { error: ERROR_TITLES[status], message }, { 'cache-control': 'no-store', ...headers });
  };

  const countRequests = metrics.counter('shrinkray_http_requests_total', 'HTTP requests by method, matched route pattern and status.');
  const observeSeconds = metrics.histogram('shrinkray_http_request_duration_seconds', 'Time from receiving a request to producing its response (all but the redirects the fast path answers, which shrinkray_http_requests_total counts as route /:code).', DURATION_BUCKETS);
  const pending = new Map<string, { labels: { method: string; route: string; status: number }; n: number }>();
  const flushRequestCounts = () => {
    for (const entry of pending.values()) {
      if (entry.n === 0) continue;
      countRequests(entry.labels, entry.n);
      entry.n = 0;
    }
  };

  const healthQuery = () => db.sqlite.query('SELECT 1').get();

  // Built on the first error, when every plugin has been mounted.
  let methodsAtPath: ((path: string) => string[]) | undefined;
  let errorHooksByRoute: Map<string, ErrorHookFn[]> | undefined;
  const otherErrorHooks = (method: string, route: string | undefined): ErrorHookFn[] => {
    if (!route) return [];
    if (!errorHooksByRoute) {
      errorHooksByRoute = new Map();
      // the root's route table, as @elysiajs/openapi reads it (protected in the typings only)
      const routes = (plugin as unknown as { getGlobalRoutes(): RouteRecord[] }).getGlobalRoutes();
      for (const r of routes) {
        const fns = (r.hooks.error ?? []).map((h) => (typeof h === 'function' ? h : h.fn)).filter((fn) => fn !== (safetyNet as unknown));
        if (fns.length) errorHooksByRoute.set(`${r.method} ${r.path}`, fns);
      }
    }
    return (
      errorHooksByRoute.get(`${method} ${route}`) ??
      (method === 'HEAD' ? errorHooksByRoute.get(`GET ${route}`) : undefined) ??
      errorHooksByRoute.get(`ALL ${route}`) ??
      []
    );
  };

  // Destructured parameters keep sucrose's inference minimal; `arguments[0]`
  // is the whole context, handed unchanged to the route's own error hooks.
  async function safetyNet({ code, error, path, route, request, set }: { code: string | number; error: unknown; path: string; route?: string; request: Request; set: { status?: StatusLike } }): Promise<unknown> {
    const ctx: unknown = arguments[0];
    for (const hook of otherErrorHooks(request.method, route)) {
      const answer = await hook(ctx);
      if (answer !== undefined) {
        if (answer instanceof Response) set.status = answer.status;
        return answer;
      }
    }
    // `throw status(…)` carries its own response; Elysia renders it
    if (typeof code === 'number') return undefined;
    switch (code) {
      case 'NOT_FOUND': {
        methodsAtPath ??= methodsAt((plugin as unknown as { getGlobalRoutes(): RouteRecord[] }).getGlobalRoutes());
        // the router serves /x/ as /x (and Laravel trims the slash before routing), so the methods at /x/ are those at /x
        const routePath = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
        const allowed = methodsAtPath(routePath);
        // OPTIONS asks which methods a path takes (CORS preflights are answered before routing)
        if (allowed.length && request.method === 'OPTIONS') {
          set.status = 204;
          return new Response(null, { status: 204, headers: { allow: [...allowed, 'OPTIONS'].join(', ') } });
        }
        if (allowed.length && !allowed.includes(request.method)) {
          set.status = 405;
          const headers = { allow: allowed.join(', ') };
          const message = `The ${request.method} method is not supported for route ${routePath.slice(1)}. Supported methods: ${allowed.join(', ')}.`;
          return isJsonPath(path) ? routeError(path, 405, message, headers) : html(405, METHOD_NOT_ALLOWED_PAGE, headers);
        }
        set.status = 404;
        return isJsonPath(path) ? routeError(path, 404, `The route ${path.slice(1)} could not be found.`) : html(404, NOT_FOUND_PAGE);
      }
      case 'PARSE':
        set.status = 400;
        return json(400, { message: 'The request body could not be parsed.' });
      case 'VALIDATION':
        set.status = 400;
        return json(400, { message: validationMessage(error) });
      case 'INVALID_COOKIE_SIGNATURE':
        set.status = 400;
        return json(400, { message: 'Invalid cookie.' });
      default: {
        const unavailable = storageUnavailable(error, logger, request);
        if (unavailable) {
          set.status = 503;
          const headers = { 'retry-after': String(unavailable.meta.retryAfter) };
          return isJsonPath(path) ? routeError(path, 503, unavailable.message, headers) : html(503, UNAVAILABLE_PAGE, headers);
        }
        logger.error('unhandled error', { method: request.method, path: loggedPath(path), route, error });
        set.status = 500;
        return json(500, { message: 'Server Error' });
      }
    }
  }

  const plugin = new Elysia()
    // request hooks run before routing, so Elysia lifts them to the root whatever their scope
    .onRequest((ctx) => {
      (ctx as Stamped).shrinkrayStartedAt = performance.now();
    })
    .onAfterResponse({ as: 'global' }, (ctx) => {
      const { request, path, route, set, responseValue } = ctx;
      const startedAt = (ctx as Stamped).shrinkrayStartedAt;
      const ms = startedAt === undefined ? 0 : performance.now() - startedAt;
      const method = METHODS.has(request.method) ? request.method : 'OTHER';
      const status = statusOf(responseValue, set.status);
      const label = route || 'unmatched';
      const key = `${method} ${status} ${label}`;
      const entry = pending.get(key);
      if (entry) entry.n++;
      else pending.set(key, { labels: { method, route: label, status }, n: 1 });
      observeSeconds(ms / 1000);
      // a container's health check and a Prometheus scrape every few seconds would bury the requests
      // that matter: an answer they expect is logged at debug, a failing one (503) at info like the rest
      const probe = (route === '/healthz' || route === '/metrics') && status < 400;
      if (probe ? logProbes : logRequests) logger[probe ? 'debug' : 'info']('request', { method: request.method, path: loggedPath(path), route, status, ms: ms.toFixed(1) });
    })
    .onError({ as: 'global' }, safetyNet)
    .get(
      '/healthz',
      () => {
        try {
          healthQuery();
          // clicks that cannot be written (a full disk) pile up in memory and are lost with the process
          const failing = clickWrites.failingSince;
          if (failing !== null && Date.now() - failing > CLICK_WRITE_GRACE_MS) {
            // the error itself is in the log (public: a probe needs no more than the reason)
            return json(503, { status: 'unavailable', reason: 'clicks cannot be written' }, { 'cache-control': 'no-store' });
          }
          return json(200, { status: 'ok' }, { 'cache-control': 'no-store' });
        } catch (error) {
          logger.warn('health check failed', { error });
          return json(503, { status: 'unavailable' }, { 'cache-control': 'no-store' });
        }
      },
      {
        detail: {
          tags: ['Operations'],
          summary: 'Readiness check',
          description: 'Answers 200 {"status":"ok"} when the database answers and clicks are being written, 503 {"status":"unavailable"} otherwise (click writes failing for over 10 s: with a reason).',
          security: [],
          responses: {
            200: { description: 'Ready.', content: { 'application/json': { schema: { type: 'object', properties: { status: { type: 'string', enum: ['ok'] } }, required: ['status'] } } } },
            503: { description: 'Not ready.', content: { 'application/json': { schema: { type: 'object', properties: { status: { type: 'string', enum: ['unavailable'] }, reason: { type: 'string' } }, required: ['status'] } } } },
          },
        },
      },
    )
    .get(
      '/metrics',
      ({ request }) => {
        // the scheme in any case (RFC 9110 11.1), the token compared in constant time
        const given = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.get('authorization') ?? '')?.[1] ?? '';
        if (metricsToken !== null && !safeEqual(given, metricsToken)) {
          return new Response('Unauthorized: /metrics needs the METRICS_TOKEN as a Bearer token.\n', {
            status: 401,
            headers: { 'content-type': 'text/plain; charset=utf-8', 'www-authenticate': 'Bearer realm="metrics"', 'cache-control': 'no-store' },
          });
        }
        flushRequestCounts();
        return new Response(metrics.render(), { headers: { 'content-type': PROMETHEUS_TEXT, 'cache-control': 'no-store' } });
      },
      {
        detail: {
          tags: ['Operations'],
          summary: 'Prometheus metrics',
          description: 'Prometheus text exposition format 0.0.4. Open to anyone who can reach the server unless METRICS_TOKEN is set; then `Authorization: Bearer <METRICS_TOKEN>` (401 otherwise).',
          // the METRICS_TOKEN is a Bearer token of its own, not an API key
          security: [],
          responses: {
            200: { description: 'The metrics.', content: { 'text/plain': { schema: { type: 'string' } } } },
            401: { description: 'METRICS_TOKEN is set and was not sent.', content: { 'text/plain': { schema: { type: 'string' } } } },
          },
        },
      },
    );
  return plugin;
}
