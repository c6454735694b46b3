/**
 * createApp(): one ordered mount list. Operations and docs first, then the
 * JSON APIs, the HTML pages, and the redirect catch-all last so that no code
 * can shadow a route (reserved words keep it that way).
 */
import { Elysia } from 'elysia';
import { nativeApi } from './api/native/native.routes.ts';
import { compatDialects } from './api/compat/index.ts';
import { createApiAuth } from './http/api-auth.ts';
import type { AppDeps } from './http/app-deps.ts';
import { docsRoutes } from './http/docs.ts';
import { operations } from './http/operations.ts';
import { createRateLimiter } from './http/rate-limit.ts';
import { redirectRoutes } from './redirect/redirect.routes.ts';
import type { Services } from './services.ts';
import { assetRoutes } from './web/assets.ts';
import { webRoutes } from './web/index.ts';
import { homeRoutes } from './web/home.routes.ts';

export function createApp(services: Services) {
  const limiter = createRateLimiter();
  const deps: AppDeps = { services, limiter, apiAuth: createApiAuth({ keys: services.keys, limiter }) };
  let app = new Elysia({ name: 'shrinkray' }).use(operations(deps)).use(docsRoutes(deps)).use(assetRoutes()).use(nativeApi(deps));
  for (const dialect of compatDialects) app = app.use(dialect.routes(deps));
  return app.use(homeRoutes(deps)).use(webRoutes(deps)).use(redirectRoutes(deps));
}
export type App = ReturnType<typeof createApp>;
