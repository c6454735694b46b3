import type { Logger } from '../logger.ts';
import type { Services } from '../services.ts';
import type { ApiAuth } from './api-auth.ts';
import type { Csrf } from './csrf.ts';
import type { RateLimiter } from './rate-limit.ts';

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
