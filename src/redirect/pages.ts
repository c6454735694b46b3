/**
 * The redirect path's HTML answers: views rendered into Responses with the
 * page security headers. Every page here reflects the link's state at this
 * moment (and the password form carries a CSRF token), so none may be cached.
 */
import type { Config } from '../config.ts';
import { html } from '../http/respond.ts';
import { bridgePage, type BridgePageProps } from '../../views/bridge.ts';
import { notFoundPage } from '../../views/not-found.ts';
import { passwordPage, tooManyAttemptsPage } from '../../views/password.ts';
import { previewPage, type PreviewPageProps } from '../../views/preview.ts';

const NO_STORE = { 'cache-control': 'private, no-store' };

// the 404 page has no per-request content: render it once (with and without the public home page)
const NOT_FOUND_BODY = { home: notFoundPage(true).value, none: notFoundPage(false).value };

/**
 * The answer for a code that names no live link: the redirect to NOT_FOUND_REDIRECT when it is set (303 after
 * a POST, so that the browser follows it with a GET; no-store, so that a link created or resumed later is found
 * at once), else the 404 page (offering the public home page when ANONYMOUS_LINKS opens it).
 */
export function notFoundResponse(config: Pick<Config, 'anonymousLinks' | 'notFoundRedirect'>, status: 302 | 303 = 302): Response {
  if (config.notFoundRedirect !== null) return new Response(null, { status, headers: { location: config.notFoundRedirect, ...NO_STORE } });
  return html(404, config.anonymousLinks ? NOT_FOUND_BODY.home : NOT_FOUND_BODY.none, NO_STORE);
}

export const bridgeResponse = (props: BridgePageProps) => html(200, bridgePage(props).value, NO_STORE);

export const previewResponse = (props: PreviewPageProps) => html(200, previewPage(props).value, NO_STORE);

export const passwordResponse = (status: 200 | 400 | 401 | 403, shortUrl: string, action: string, csrfToken: string, error: string | null = null) =>
  html(status, passwordPage({ shortUrl, action, csrfToken, error }).value, NO_STORE);

export const tooManyAttemptsResponse = (retryAfterSeconds: number, formUrl: string) =>
  html(429, tooManyAttemptsPage({ retryAfterSeconds, formUrl }).value, { ...NO_STORE, 'retry-after': String(retryAfterSeconds) });
