/**
 * GET /: the public shorten form when anonymous links are on (SPEC "Public
 * pages"), else a redirect to ROOT_REDIRECT when it is set (an admin's main
 * site: s.example.com/ is not an address to hand out for the dashboard), or
 * to the dashboard. The form posts to ShrtLnk's
 * POST /shorten, which checks the CSRF token issued here against the
 * browser's cookie; both sides share the app's one instance (AppDeps.csrf).
 */
import { Elysia } from 'elysia';
import type { AppDeps } from '../http/app-deps.ts';
import { empty, html } from '../http/respond.ts';
import { homePage } from '../../views/home.ts';

export function homeRoutes(deps: AppDeps) {
  const { config } = deps.services;
  const { csrf } = deps;

  return new Elysia().get(
    '/',
    ({ request }) => {
      if (!config.anonymousLinks) {
        // no-store: a changed ROOT_REDIRECT (or anonymous links turned on) takes effect at the next visit
        return config.rootRedirect === null ? empty(302, { location: '/dashboard' }) : empty(302, { location: config.rootRedirect, 'cache-control': 'private, no-store' });
      }
      const session = csrf.session(request);
      // the page carries a token: never shared through a cache
      return html(200, homePage({ csrfToken: session.token }).toString(), { 'cache-control': 'private, no-store', ...session.headers });
    },
    {
      detail: {
        tags: ['ShrtLnk'],
        summary: 'Home page (HTML shorten form)',
        description: 'With ANONYMOUS_LINKS=true: the form, with <meta name="csrf-token"> for fetch() clients of POST /shorten. Otherwise 302 to ROOT_REDIRECT when it is set, else to /dashboard.',
        security: [],
        responses: {
          200: { description: 'The form (anonymous links on).', content: { 'text/html': { schema: { type: 'string' } } } },
          302: { description: 'Anonymous links off: to ROOT_REDIRECT, or /dashboard.' },
        },
      },
    },
  );
}
