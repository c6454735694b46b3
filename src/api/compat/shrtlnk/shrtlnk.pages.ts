/**
 * The HTML answer of POST /shorten: a browser posting the home page's form
 * without JavaScript gets the same page back, with a fresh CSRF token, and
 * either the short link or the error beside the field. The JSON answer is the
 * dialect's (shrtlnk.routes.ts); statuses follow the same table, except that
 * success is always 200 (a page, not a resource) and a server without
 * anonymous links sends the browser to /dashboard, as GET / does.
 */
import type { Actor } from '../../../accounts/accounts.types.ts';
import { DomainError } from '../../../errors.ts';
import { isPlainObject, readBody } from '../../../http/body.ts';
import type { HttpContext } from '../../../http/context.ts';
import type { Csrf } from '../../../http/csrf.ts';
import type { FieldErrors } from '../../../http/laravel.ts';
import { empty, html } from '../../../http/respond.ts';
import type { Link } from '../../../links/links.types.ts';
import { homePage, type HomePageProps } from '../../../../views/home.ts';
import { DEFAULT_STYLE } from '../../../qr/qr.service.ts';
import { renderSvg } from '../../../qr/render.ts';
import { CSRF_STATUS, isInvalidUrl, shrtlnkStatus } from './shrtlnk.errors.ts';
import { shrtlnkShortUrl } from './shrtlnk.present.ts';

export interface ShortenPageDeps {
  csrf: Csrf;
  baseUrl: string;
  /** the dialect's access check and per-IP budget for creates */
  actor(ctx: HttpContext): Promise<Actor | null>;
  /** the dialect's own create-or-reuse, from already-read form fields */
  create(actor: Actor | null, ctx: HttpContext, fields: Record<string, unknown>): Promise<{ link: Link; existing: boolean }>;
}

const EXPIRED = 'This page expired before the form was sent. Please try again.';

/** The message to show beside the URL field, or above the form for other fields. */
function validationProps(e: DomainError): Pick<HomePageProps, 'fieldError' | 'notice'> {
  if (isInvalidUrl(e.meta)) return { fieldError: 'Invalid URL' };
  const errors = (e.meta.errors as FieldErrors | undefined) ?? {};
  const forUrl = errors.original_url?.[0];
  return forUrl ? { fieldError: forUrl } : { notice: Object.values(errors).flat()[0] ?? e.message };
}

/** The URL field of a form not read yet ('' when there is none, or the body is not a small form). */
async function typedUrl(request: Request): Promise<string> {
  try {
    const raw = (await readBody(request, { maxBytes: 16 * 1024 })).value;
    return isPlainObject(raw) && typeof raw.original_url === 'string' ? raw.original_url : '';
  } catch {
    return '';
  }
}

export function createShortenPage(deps: ShortenPageDeps) {
  const { csrf } = deps;

  return async (ctx: HttpContext): Promise<Response> => {
    const session = csrf.session(ctx.request);
    const page = (status: number, props: Omit<HomePageProps, 'csrfToken'>, headers: Record<string, string> = {}) =>
      html(status, homePage({ csrfToken: session.token, ...props }).toString(), { 'cache-control': 'private, no-store', ...session.headers, ...headers });
    let typed = '';
    try {
      // anonymous access and the per-IP budget first, so bad tokens cost attempts too
      const actor = await deps.actor(ctx);
      const raw = (await readBody(ctx.request)).value;
      const fields = isPlainObject(raw) ? raw : {};
      typed = typeof fields.original_url === 'string' ? fields.original_url : '';
      if (!csrf.verify(csrf.nonceOf(ctx.request), fields._token)) return page(CSRF_STATUS, { value: typed, notice: EXPIRED });
      const { link, existing } = await deps.create(actor, ctx, fields);
      const shortUrl = shrtlnkShortUrl(deps.baseUrl, link.code);
      // marked as a scan (?qr=1), as the designer's codes are; a short URL always fits a QR code, and should
      // drawing fail all the same, the page goes without
      const qrSvg = await renderSvg(`${shortUrl}?qr=1`, { ...DEFAULT_STYLE, size: 160 }).catch(() => null);
      return page(200, { result: { shortUrl, destination: link.destination, title: link.pageTitle ?? link.title, existing, qrSvg } });
    } catch (e) {
      if (!(e instanceof DomainError)) throw e;
      if (e.code === 'ANONYMOUS_DISABLED') return empty(302, { location: '/dashboard' });
      if (e.code === 'VALIDATION') return page(e.meta.field === 'body' ? 400 : 422, { value: typed, ...validationProps(e) });
      // refused before the body was read (the budget comes first): read what was typed now, so the form keeps it
      if (e.code === 'RATE_LIMITED' && typed === '') typed = await typedUrl(ctx.request);
      const retry = e.code === 'RATE_LIMITED' ? { 'retry-after': String(e.meta.retryAfter ?? 60) } : undefined;
      return page(shrtlnkStatus[e.code], { value: typed, notice: e.code === 'RATE_LIMITED' ? 'Too many links from your address; please wait a minute.' : e.message }, retry);
    }
  };
}
