/**
 * createApp(): one ordered mount list. Operations and docs first, then the
 * JSON APIs, the HTML pages, and the redirect catch-all last so that no code
 * can shadow a route (reserved words keep it that way).
 */
import type { Server } from 'bun';
import { Elysia } from 'elysia';
import { nativeApi } from './api/native/native.routes.ts';
import { compatDialects } from './api/compat/index.ts';
import { createAppDeps, type AppDeps } from './http/app-deps.ts';
import { cors } from './http/cors.ts';
import { docsRoutes } from './http/docs.ts';
import { operations } from './http/operations.ts';
import type { RedirectKit } from './redirect/redirect-kit.ts';
import { createRedirect } from './redirect/redirect.routes.ts';
import type { Services } from './services.ts';
import { assetRoutes } from './web/assets.ts';
import { webRoutes } from './web/index.ts';
import { homeRoutes } from './web/home.routes.ts';

/** early: what src/listen.ts built to answer redirects before the app existed (the app's routes share it). */
export function createApp(services: Services, early?: { deps: AppDeps; kit: RedirectKit }) {
  const deps = early?.deps ?? createAppDeps(services);
  const redirect = createRedirect(deps, early?.kit);
  // GET /:code goes to Bun's router first (see redirect/fast-path.ts); reserved words (healthz, dashboard…) fall through to Elysia
  let full: (request: Request) => Response | Promise<Response> = () => new Response(null, { status: 503 });
  const serve = {
    routes: { '/:code': { GET: (req: Request, server: Server<unknown>): Response | Promise<Response> => redirect.native(req, server, full) } },
  };
  // systemRouter off: Elysia no longer mirrors its ~200 routes into Bun's router at listen (~20 ms of every
  // start, before the first redirect). Bun's router keeps only GET /:code above; everything else, single
  // segments the fast path declines included, is routed by Elysia (measured: same create throughput).
  // standardHostname off: Elysia otherwise searches for the path's first slash from the 11th character,
  // past it under hosts of 1–3 characters (http://go/healthz routed as a path that does not exist; `go/`
  // links are a classic intranet setup). Searching from the 7th is right: request URLs here are always
  // http:// (Bun.serve without TLS; tests use http:// too).
  let app = new Elysia({ name: 'shrinkray', serve, systemRouter: false, handler: { standardHostname: false } }).use(operations(deps, { routeErrors: compatDialects.flatMap((d) => d.routeErrors ?? []) })).use(cors({ anonymous: services.config.anonymousLinks })).use(docsRoutes(deps, Object.assign({}, ...compatDialects.map((d) => d.docPaths ?? {})))).use(assetRoutes()).use(nativeApi(deps));
  for (const dialect of compatDialects) app = app.use(dialect.routes(deps));
  const built = app.use(homeRoutes(deps)).use(webRoutes(deps)).use(redirect.routes);
  full = (request) => built.fetch(request);
  return built;
}
export type App = ReturnType<typeof createApp>;
