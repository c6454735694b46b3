/**
 * The hidden input that carries a form's CSRF token. Three checkers read
 * three names, so the name is part of the contract, not a style choice:
 * `_csrf` for dashboard and sign-in forms (http/session-auth.ts,
 * web/auth.routes.ts), `_token` for ShrtLnk's home form (the name its
 * document gives), `csrf_token` for a protected link's unlock form
 * (redirect/unlock.ts).
 */
import { html, type SafeHtml } from './html.ts';

export type CsrfFieldName = '_csrf' | '_token' | 'csrf_token';

export const csrfField = (token: string, name: CsrfFieldName = '_csrf'): SafeHtml => html`<input type="hidden" name="${name}" value="${token}">`;
