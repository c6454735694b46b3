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
 *
 * Building takes the thread for ~30 ms at once. A redirect that came in with
 * the first connections (visitors retrying during a restart) is mostly a
 * code not cached yet, answered a turn later when its lookup has read the
 * database: the build used to start in between and hold it (restart to the
 * first redirect 180-200 ms, the redirect itself answered at ~90 ms). The
 * build now waits for the redirects in progress, for BUILD_WAIT_MS at most
 * so that a flood cannot keep the app from being built.
 */
import type { Server } from 'bun';
import { createAppDeps } from './http/app-deps.ts';
import { routableRequest } from './http/request-target.ts';
import { createNativeRedirect, type Fallback, type NativeRedirect } from './redirect/fast-path.ts';
import { createRedirectKit } from './redirect/redirect-kit.ts';
import type { Services } from './services.ts';

export interface Listening {
  server: Server<unknown>;
  /** settles once the app answers every route; rejects if it could not be built */
  app: Promise<void>;
}

const BUILD_WAIT_MS = 50;

/** Resolves on a later turn once busy() is false, or after maxMs whatever it says. */
export async function whenIdle(busy: () => boolean, maxMs: number): Promise<void> {
  const until = performance.now() + maxMs;
  do await new Promise((resolve) => setImmediate(resolve));
  while (busy() && performance.now() < until);
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
  const origin = services.config.baseUrl;
  const fallback: Fallback = (request) => {
    const routable = routableRequest(request, origin);
    return routable instanceof Response ? routable : full(routable);
  };
  // redirects the fast path is answering while the app is not built yet (counted only until then: the hot
  // path stays as it is); one it declines is the app's to answer, and waits for the build
  let building = true;
  let answering = 0;
  const redirect: NativeRedirect = (request, srv, fb) => {
    if (!building) return native(request, srv, fb);
    answering++;
    let counted = true;
    const done = () => {
      if (counted) answering--;
      counted = false;
    };
    let answer: ReturnType<NativeRedirect>;
    try {
      answer = native(request, srv, (declined) => (done(), fb(declined)));
    } catch (e) {
      done();
      throw e;
    }
    if (answer instanceof Promise) answer.then(done, done);
    else done();
    return answer;
  };

  const server = Bun.serve({
    port: options.port,
    hostname: options.host,
    maxRequestBodySize: options.maxBodyBytes,
    // reusePort off: a second instance on the same port must fail, not silently share the traffic.
    // development off: no stack traces in error pages, whether run from source or compiled.
    reusePort: false,
    development: false,
    idleTimeout: 30,
    routes: { '/:code': { GET: (request, srv) => redirect(request, srv, fallback) } },
    fetch: fallback,
  });

  const app = (async () => {
    try {
      await new Promise((resolve) => setTimeout(resolve, 0));
      await whenIdle(() => answering > 0, BUILD_WAIT_MS);
      const { createApp } = await loadApp();
      const elysia = createApp(services, { deps, kit });
      // Elysia hands its routes this server (the client's address) as if it had started it
      elysia.server = server;
      full = (request) => elysia.fetch(request);
    } catch (e) {
      full = APP_FAILED;
      throw e;
    } finally {
      building = false;
      settle(fallback);
    }
  })();
  return { server, app };
}
