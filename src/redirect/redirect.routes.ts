/**
 * The public redirect path, mounted last so that no code shadows a route.
 *
 *   GET|HEAD /:code       302 (direct), bridge page, preview page or password form
 *   POST     /:code       password unlock (CSRF token, 10 attempts/min per IP and code, 60 across links)
 *   GET|HEAD /s/:code     ShrtLnk's short_url: the same answers as /:code
 *   GET|HEAD /preview/:code  LinkShrink's safety page: destination shown, no click
 *
 * Anything that cannot name a live link — unknown, deleted, expired, paused,
 * reserved or malformed (including undecodable %-escapes) — gets the same
 * HTML 404 page, never a 500; or, with NOT_FOUND_REDIRECT set, the same 302
 * there (303 for POST), so that nothing tells which codes exist either way.
 * Query strings are not forwarded to the destination; the ?qr=1, ?preview=1,
 * signed ?proceed= and ?ref= (a referrer carried through our pages) markers
 * are read and dropped.
 *
 * Hot path. The handlers destructure only params, request and server:
 * Elysia compiles each route from what its handler reads, so nothing parses
 * a query, a headers object or a body it does not need. A code already in
 * the redirect cache is answered synchronously (no promise), and the click is
 * one push onto the recorder's in-memory queue.
 */
import { Elysia } from 'elysia';
import type { AppDeps } from '../http/app-deps.ts';
import { createNativeRedirect } from './fast-path.ts';
import { createRedirectKit, type RedirectKit } from './redirect-kit.ts';
import { createUnlockHandler } from './unlock.ts';
import { createVisitHandlers } from './visit.ts';

/**
 * The redirect routes for Elysia, and `native`: the GET /:code handler for
 * Bun's router (fast-path.ts). `kit` is given when the server built it
 * before the app, to answer redirects while the app is being built.
 */
export function createRedirect(deps: AppDeps, kit: RedirectKit = createRedirectKit(deps)) {
  const { visit, preview } = createVisitHandlers(kit);
  const unlock = createUnlockHandler(kit);
  const native = createNativeRedirect(kit);

  const tags = ['Redirects'];
  // the password page's form: its token comes with the page (GET /{code}), so a call from /docs is refused (403)
  const UNLOCK_FORM = {
    required: true,
    content: {
      'application/x-www-form-urlencoded': {
        schema: {
          type: 'object' as const,
          properties: { password: { type: 'string' as const, maxLength: 256 }, csrf_token: { type: 'string' as const, description: 'The hidden field of the password page.' } },
          required: ['password', 'csrf_token'],
        },
      },
    },
  };
  const page = (description: string) => ({ description, content: { 'text/html': { schema: { type: 'string' as const } } } });
  const notFound = page('Unknown, deleted, expired or paused (unless NOT_FOUND_REDIRECT is set).');
  const toNotFoundRedirect = 'When NOT_FOUND_REDIRECT is set: redirect there for a code that is unknown, deleted, expired or paused, instead of the 404 page.';
  const routes = new Elysia()
    .get('/s/:code', ({ params, request, server }) => visit(params.code, request, server, 'shrtlnk'), {
      detail: { tags, security: [], summary: 'ShrtLnk short URL', description: 'Bridge page for cloaked links (og:title/og:image/twitter:card), else a 302. Counts a click.', responses: { 200: page('Bridge or password page.'), 302: { description: `Redirect to the destination. ${toNotFoundRedirect}` }, 404: notFound } },
    })
    .get('/preview/:code', ({ params, request }) => preview(params.code, request), {
      detail: { tags, security: [], summary: 'Safety preview', description: 'Shows the destination before going there. Counts no click.', responses: { 200: page('Preview or password page.'), 302: { description: toNotFoundRedirect }, 404: notFound } },
    })
    // in production Bun's router ran the fast path (native) before this: what reaches here is what it did not answer
    .get('/:code', ({ params, request, server }) => visit(params.code, request, server, 'short'), {
      detail: {
        tags,
        security: [],
        summary: 'Follow a short link',
        description: '302 to the destination (schedules and UTM applied), or the password, bridge or safety page the link asks for. `?qr=1` marks a QR scan. HEAD answers the same without counting a click.',
        responses: { 200: page('Password, bridge or preview page.'), 302: { description: `Redirect to the destination. ${toNotFoundRedirect}` }, 404: notFound },
      },
    })
    .post('/:code', ({ params, request, server }) => unlock(params.code, request, server), {
      detail: { tags, security: [], summary: 'Unlock a password-protected link', description: 'Form post with `password` and the form token; 10 attempts a minute per IP and code, 60 per IP across links (shared with LinkShrink verify).', requestBody: UNLOCK_FORM, responses: { 200: page('Right password on a preview-mode link, or from the /preview/ form (`?preview=1`): the preview page, counting nothing until Proceed.'), 302: { description: 'Right password: redirect.' }, 303: { description: `The password was removed meanwhile: back to the link (or its preview). ${toNotFoundRedirect}` }, 400: page('The form could not be read.'), 401: page('Wrong password.'), 403: page('Missing or expired form token.'), 404: notFound, 429: page('Too many attempts; see Retry-After.') } },
    });
  return { routes, native };
}
