/**
 * The listening server, up before the app behind it.
 *
 * Building the app — evaluating the API, dashboard and view modules, then
 * Elysia registering ~200 routes — was ~40 ms of every start, all of it
 * before the first redirect could be answered, although a redirect needs
 * none of it. So the server listens with the redirect fast path alone (Bun's
 * router, GET /:code), yields once to answer what is already waiting, and
 * only then builds the app. A request the fast path declines, or one for any
 * other route, that comes before the app is ready waits for it.
 *
 * The app's modules are imported here, dynamically, and nowhere else on the
 * server's start path, so the bundle evaluates them after listening.
 */
import type { Server } from 'bun';
import { createAppDeps } from './http/app-deps.ts';
import { createNativeRedirect, type Fallback } from './redirect/fast-path.ts';
import { createRedirectKit } from './redirect/redirect-kit.ts';
import type { Services } from './services.ts';

export interface Listening {
  server: Server<unknown>;
  /** settles once the app answers every route; rejects if it could not be built */
  app: Promise<void>;
}

const APP_FAILED = () => new Response('The server could not start.', { status: 503, headers: { 'content-type': 'text/plain; charset=utf-8' } });

type AppModule = Pick<typeof import('./app.ts'), 'createApp'>;

/** loadApp: how the app's modules are loaded (tests hold it back or make it fail). */
export function listen(services: Services, options: { port: number; host: string; maxBodyBytes: number }, loadApp: () => Promise<AppModule> = () => import('./app.ts')): Listening {
  const deps = createAppDeps(services);
  const kit = createRedirectKit(deps);
  const native = createNativeRedirect(kit);
  let settle!: (fetch: Fallback) => void;
  const built = new Promise<Fallback>((resolve) => (settle = resolve));
  let full: Fallback = (request) => built.then((fetch) => fetch(request));
  const fallback: Fallback = (request) => full(request);

  const server = Bun.serve({
    port: options.port,
    hostname: options.host,
    maxRequestBodySize: options.maxBodyBytes,
    // reusePort off: a second instance on the same port must fail, not silently share the traffic.
    // development off: no stack traces in error pages, whether run from source or compiled.
    reusePort: false,
    development: false,
    idleTimeout: 30,
    routes: { '/:code': { GET: (request, srv) => native(request, srv, fallback) } },
    fetch: fallback,
  });

  const app = (async () => {
    try {
      await new Promise((resolve) => setTimeout(resolve, 0));
      const { createApp } = await loadApp();
      const elysia = createApp(services, { deps, kit });
      // Elysia hands its routes this server (the client's address) as if it had started it
      elysia.server = server;
      full = (request) => elysia.fetch(request);
    } catch (e) {
      full = APP_FAILED;
      throw e;
    } finally {
      settle(fallback);
    }
  })();
  return { server, app };
}
