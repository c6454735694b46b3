/**
 * The one registry of compatibility dialects. Each entry mounts a thin
 * adapter over the core; app.ts mounts them in this order, after the native
 * API and before the redirect catch-all.
 */
import type { Elysia } from 'elysia';
import type { AppDeps } from '../../http/app-deps.ts';

export interface CompatDialect {
  name: string;
  routes: (deps: AppDeps) => Elysia<any, any, any, any, any, any, any>;
}

export const compatDialects: CompatDialect[] = [];
