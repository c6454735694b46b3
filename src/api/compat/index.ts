/**
 * The one registry of compatibility dialects. Each entry mounts a thin
 * adapter over the core; app.ts mounts them in this order, after the native
 * API and before the redirect catch-all.
 */
import type { Elysia } from 'elysia';
import type { AppDeps } from '../../http/app-deps.ts';
import type { RouteErrorShape } from '../../http/operations.ts';
import { QR_DOC_PATHS } from './linkshrink/linkshrink-links.routes.ts';
import { linkshrinkRoutes } from './linkshrink/linkshrink.routes.ts';
import { linxlyRoutes } from './linxly/linxly.routes.ts';
import { LNKZ_ROUTE_ERRORS } from './lnkz/lnkz.errors.ts';
import { lnkzRoutes } from './lnkz/lnkz.routes.ts';
import { SHRTLNK_ROUTE_ERRORS } from './shrtlnk/shrtlnk.errors.ts';
import { shrtlnkRoutes } from './shrtlnk/shrtlnk.routes.ts';

export interface CompatDialect {
  name: string;
  routes: (deps: AppDeps) => Elysia<any, any, any, any, any, any, any>;
  /** OpenAPI path items for routes the router cannot spell as their document does */
  docPaths?: Record<string, object>;
  /** how an unknown method or path under the dialect's own prefix answers, when not as LinkShrink's {error, message} */
  routeErrors?: RouteErrorShape;
}

export const compatDialects: CompatDialect[] = [
  { name: 'linkshrink', routes: linkshrinkRoutes, docPaths: QR_DOC_PATHS },
  { name: 'linxly', routes: linxlyRoutes },
  { name: 'lnkz', routes: lnkzRoutes, routeErrors: LNKZ_ROUTE_ERRORS },
  { name: 'shrtlnk', routes: shrtlnkRoutes, routeErrors: SHRTLNK_ROUTE_ERRORS },
];
