/**
 * The redirect path's HTML answers: views rendered into Responses with the
 * page security headers. Every page here reflects the link's state at this
 * moment (and the password form carries a CSRF token), so none may be cached.
 */
import { html } from '../http/respond.ts';
import { bridgePage, type BridgePageProps } from '../../views/bridge.ts';
import { notFoundPage } from '../../views/not-found.ts';
import { passwordPage, tooManyAttemptsPage } from '../../views/password.ts';
import { previewPage, type PreviewPageProps } from '../../views/preview.ts';

const NO_STORE = { 'cache-control': 'private, no-store' };

// the 404 page has no per-request content: render it once (with and without the public home page)
const NOT_FOUND_BODY = { home: notFoundPage(true).value, none: notFoundPage(false).value };

/** withHome: the public shorten form is open (ANONYMOUS_LINKS), so the page may send a visitor there. */
export const notFoundResponse = (withHome: boolean) => html(404, withHome ? NOT_FOUND_BODY.home : NOT_FOUND_BODY.none, NO_STORE);

export const bridgeResponse = (props: BridgePageProps) => html(200, bridgePage(props).value, NO_STORE);

export const previewResponse = (props: PreviewPageProps) => html(200, previewPage(props).value, NO_STORE);

export const passwordResponse = (status: 200 | 400 | 401 | 403, shortUrl: string, action: string, csrfToken: string, error: string | null = null) =>
  html(status, passwordPage({ shortUrl, action, csrfToken, error }).value, NO_STORE);

export const tooManyAttemptsResponse = (retryAfterSeconds: number, formUrl: string) =>
  html(429, tooManyAttemptsPage({ retryAfterSeconds, formUrl }).value, { ...NO_STORE, 'retry-after': String(retryAfterSeconds) });
