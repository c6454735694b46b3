import type { Services } from '../services.ts';
import type { ApiAuth } from './api-auth.ts';
import type { RateLimiter } from './rate-limit.ts';

/** What every route module receives from createApp. */
export interface AppDeps {
  services: Services;
  apiAuth: ApiAuth;
  /** shared limiter: keys are namespaced by their users (key:ID, ip:ROUTE:ADDR, login:…) */
  limiter: RateLimiter;
}
