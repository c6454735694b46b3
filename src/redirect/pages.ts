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

// the 404 page has no per-request content: render it once
const NOT_FOUND_BODY = notFoundPage().value;

export const notFoundResponse = () => html(404, NOT_FOUND_BODY, NO_STORE);

export const bridgeResponse = (props: BridgePageProps) => html(200, bridgePage(props).value, NO_STORE);

export const previewResponse = (props: PreviewPageProps) => html(200, previewPage(props).value, NO_STORE);

export const passwordResponse = (status: 200 | 400 | 401 | 403, shortUrl: string, action: string, csrfToken: string, error: string | null = null) =>
  html(status, passwordPage({ shortUrl, action, csrfToken, error }).value, NO_STORE);

export const tooManyAttemptsResponse = (retryAfterSeconds: number, formUrl: string) =>
  html(429, tooManyAttemptsPage({ retryAfterSeconds, formUrl }).value, { ...NO_STORE, 'retry-after': String(retryAfterSeconds) });
