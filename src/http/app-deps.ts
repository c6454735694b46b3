import { createLogger, type Logger } from '../logger.ts';
import type { Services } from '../services.ts';
import { createApiAuth, type ApiAuth } from './api-auth.ts';
import { createCsrf, type Csrf } from './csrf.ts';
import { createRateLimiter, type RateLimiter } from './rate-limit.ts';

/** What every route module receives from createApp. */
export interface AppDeps {
  services: Services;
  apiAuth: ApiAuth;
  /** shared limiter: keys are namespaced by their users (key:ID, ip:ROUTE:ADDR, login:…) */
  limiter: RateLimiter;
  /** the app's logger (request log, errors): one per app, so apps in one process (tests) never share it */
  logger: Logger;
  /** the browser forms' CSRF protection: the module serving a form and the one receiving it share it */
  csrf: Csrf;
}

/** Free of Elysia, like everything the redirect fast path needs: the server builds these before the app (src/listen.ts). */
export function createAppDeps(services: Services): AppDeps {
  const limiter = createRateLimiter();
  const { config } = services;
  return {
    services,
    limiter,
    apiAuth: createApiAuth({ keys: services.keys, limiter }),
    logger: createLogger(config.logLevel),
    csrf: createCsrf({ secure: config.baseUrl.startsWith('https:') }),
  };
}
