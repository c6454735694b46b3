/**
 * The HTML side: the sign-in pages and every /dashboard screen, mounted by
 * app.ts before the redirect catch-all. Each module owns one screen's routes;
 * they call the same services as the APIs, never the JSON APIs.
 */
import { Elysia } from 'elysia';
import type { AppDeps } from '../http/app-deps.ts';
import { createDashboardKit } from './dashboard-kit.ts';
import { adminRoutes } from './admin.routes.ts';
import { analyticsRoutes } from './analytics.routes.ts';
import { qrcodesRoutes } from './qrcodes.routes.ts';
import { authRoutes } from './auth.routes.ts';
import { keysRoutes } from './keys.routes.ts';
import { linkFormRoutes } from './links-form.ts';
import { linkImportRoutes } from './links-import.ts';
import { linksRoutes } from './links.routes.ts';
import { transferRoutes } from './transfer.routes.ts';
import { userKeysRoutes } from './user-keys.routes.ts';

export type WebModule = (deps: AppDeps, kit: ReturnType<typeof createDashboardKit>) => Elysia<any, any, any, any, any, any, any>;

const modules: WebModule[] = [
  authRoutes,
  linksRoutes,
  linkFormRoutes,
  linkImportRoutes,
  keysRoutes,
  analyticsRoutes,
  qrcodesRoutes,
  adminRoutes,
  userKeysRoutes,
  transferRoutes,
];

export function webRoutes(deps: AppDeps) {
  const kit = createDashboardKit(deps);
  let app = new Elysia({ name: 'web' });
  for (const m of modules) app = app.use(m(deps, kit));
  // a mistyped or outdated dashboard address: a 404 in the dashboard's own look, its menu still there
  return app.get(
    '/dashboard/*',
    kit.route((c) => kit.problem(c, 404, 'There is no dashboard page at this address.', c)),
    { detail: { hide: true } },
  );
}
