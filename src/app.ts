/**
 * createApp(): one ordered mount list. Operations and docs first, then the
 * JSON APIs, the HTML pages, and the redirect catch-all last so that no code
 * can shadow a route (reserved words keep it that way).
 */
import type { Server } from 'bun';
import { Elysia } from 'elysia';
import { nativeApi } from './api/native/native.routes.ts';
import { compatDialects } from './api/compat/index.ts';
import { createApiAuth } from './http/api-auth.ts';
import { createCsrf } from './http/csrf.ts';
import type { AppDeps } from './http/app-deps.ts';
import { docsRoutes } from './http/docs.ts';
import { operations } from './http/operations.ts';
import { createRateLimiter } from './http/rate-limit.ts';
import { createLogger } from './logger.ts';
import { createRedirect } from './redirect/redirect.routes.ts';
import type { Services } from './services.ts';
import { assetRoutes } from './web/assets.ts';
import { webRoutes } from './web/index.ts';
import { homeRoutes } from './web/home.routes.ts';

export function createApp(services: Services) {
  const limiter = createRateLimiter();
  const { config } = services;
  const deps: AppDeps = {
    services,
    limiter,
    apiAuth: createApiAuth({ keys: services.keys, limiter }),
    logger: createLogger(config.logLevel),
    csrf: createCsrf({ secure: config.baseUrl.startsWith('https:') }),
  };
  const redirect = createRedirect(deps);
  // GET /:code goes to Bun's router first (see redirect/fast-path.ts); reserved words (healthz, dashboard…) fall through to Elysia
  let full: (request: Request) => Response | Promise<Response> = () => new Response(null, { status: 503 });
  const serve = {
    routes: { '/:code': { GET: (req: Request, server: Server<unknown>): Response | Promise<Response> => redirect.native(req, server, full) } },
  };
  // systemRouter off: Elysia no longer mirrors its ~200 routes into Bun's router at listen (~20 ms of every
  // start, before the first redirect). Bun's router keeps only GET /:code above; everything else, single
  // segments the fast path declines included, is routed by Elysia (measured: same create throughput).
  let app = new Elysia({ name: 'shrinkray', serve, systemRouter: false }).use(operations(deps)).use(docsRoutes(deps)).use(assetRoutes()).use(nativeApi(deps));
  for (const dialect of compatDialects) app = app.use(dialect.routes(deps));
  const built = app.use(homeRoutes(deps)).use(webRoutes(deps)).use(redirect.routes);
  full = (request) => built.fetch(request);
  return built;
}
export type App = ReturnType<typeof createApp>;
