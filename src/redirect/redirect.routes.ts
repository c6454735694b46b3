/**
 * The public redirect path, mounted last so that no code shadows a route.
 *
 *   GET|HEAD /:code       302 (direct), bridge page, preview page or password form
 *   POST     /:code       password unlock (CSRF token, 10 attempts/min per IP and code)
 *   GET|HEAD /s/:code     ShrtLnk's short_url: the same answers as /:code
 *   GET|HEAD /preview/:code  LinkShrink's safety page: destination shown, no click
 *
 * Anything that cannot name a live link — unknown, deleted, expired, paused,
 * reserved or malformed (including undecodable %-escapes) — gets the same
 * HTML 404 page, never a 500. Query strings are not forwarded to the
 * destination; the ?qr=1 and ?proceed=1 markers are read and dropped.
 *
 * The handlers destructure only params, request and server: Elysia compiles
 * each route from what its handler reads, so the hot path never parses a
 * query, headers object or body it does not need.
 */
import { Elysia } from 'elysia';
import type { AppDeps } from '../http/app-deps.ts';
import { createRedirectKit } from './redirect-kit.ts';
import { createUnlockHandler } from './unlock.ts';
import { createVisitHandlers } from './visit.ts';

export function redirectRoutes(deps: AppDeps) {
  const kit = createRedirectKit(deps);
  const { visit, preview } = createVisitHandlers(kit);
  const unlock = createUnlockHandler(kit);

  return new Elysia()
    .get('/s/:code', ({ params, request, server }) => visit(params.code, request, server, 'shrtlnk'))
    .get('/preview/:code', ({ params, request }) => preview(params.code, request))
    .get('/:code', ({ params, request, server }) => visit(params.code, request, server, 'short'))
    .post('/:code', ({ params, request, server }) => unlock(params.code, request, server));
}
