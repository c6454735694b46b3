/**
 * POST /:code: unlocking a password-protected link. Four checks in order:
 * the link exists and is protected; the form's CSRF token is ours (403 and a
 * fresh form otherwise); the client has attempts left (10 a minute per IP and
 * code, then 429 with Retry-After); the password matches (401 and the form
 * again otherwise). A correct password counts the click and 302s straight to
 * the destination — the form already was the interstitial, a bridge would
 * only be in the way — except where the visitor must see the destination
 * first: a link in preview mode, or a form opened from /preview/CODE. Those
 * get the preview page, counting nothing; its Proceed is signed for the link
 * as shown and this password (redirect-kit.ts proceed), and counts. The link is read
 * again after the comparison (links.unlock): one deleted, paused or given
 * another password while it ran does not open.
 */
import { DomainError } from '../errors.ts';
import { isPlainObject, readBody } from '../http/body.ts';
import { throttleKey } from '../http/client-ip.ts';
import { passwordGuessBudgets } from '../http/rate-limit.ts';
import type { ServerLike } from '../http/context.ts';
import { passwordResponse, tooManyAttemptsResponse } from './pages.ts';
import { carriedHost, flagsOf, PREVIEWING, QR, referrerOf, unlockAction, type RedirectKit } from './redirect-kit.ts';
import { notFoundAnswer, previewPage } from './visit.ts';

/** The submitted fields, or null when the body is unreadable (too large, malformed). */
async function readFields(request: Request): Promise<Record<string, unknown> | null> {
  try {
    const { value } = await readBody(request, { maxBytes: 16 * 1024 });
    return isPlainObject(value) ? value : null;
  } catch (e) {
    if (e instanceof DomainError) return null;
    throw e;
  }
}

export function createUnlockHandler(kit: RedirectKit) {
  const { links } = kit;
  // 303 to NOT_FOUND_REDIRECT when it is set: the browser follows a redirect of this POST with a GET
  const notFound = () => notFoundAnswer(kit, 303);

  return async function unlock(rawCode: unknown, request: Request, server: ServerLike | null): Promise<Response> {
    const code = kit.validCode(rawCode);
    const target = code === null ? null : await links.resolve(code);
    if (code === null || target === null) return notFound();
    const flags = flagsOf(request.url);
    // the referrer the visit came with, carried by the form (this request's Referer is the form itself)
    const ref = carriedHost(request.url);
    const referrer = referrerOf(ref);
    const formUrl = unlockAction(code, flags, ref);
    // the password was removed while the form was open: let the normal visit decide (a form opened from
    // /preview/CODE goes back there: /CODE would send a direct link's visitor on without the preview)
    if (target.passwordHash === null) {
      const location = flags & PREVIEWING ? `/preview${unlockAction(code, flags & QR, ref)}` : formUrl;
      return new Response(null, { status: 303, headers: { location, 'cache-control': 'no-store' } });
    }

    kit.count('password');
    const form = (status: 400 | 401 | 403, error: string) => passwordResponse(status, `${kit.config.baseUrl}/${code}`, formUrl, kit.tokens.issue(code), error);
    const fields = await readFields(request);
    if (fields === null) return form(400, 'The form could not be read. Please enter the password again.');
    if (!kit.tokens.verify(code, fields.csrf_token)) return form(403, 'This form has expired or did not come from this site. Please enter the password again.');

    const refused = kit.limiter.hitAll(passwordGuessBudgets(code, throttleKey(kit.clientIp(request, server))));
    if (refused !== null) return tooManyAttemptsResponse(refused.retryAfter, formUrl);

    const password = typeof fields.password === 'string' ? fields.password : '';
    let opened;
    try {
      opened = await links.unlock(code, target, password);
    } catch (e) {
      if (e instanceof DomainError && e.code === 'INVALID_TOKEN') return form(401, 'That password is not correct. Please try again.');
      throw e;
    }
    if (!opened) return notFound();
    // a link that must show its destination first (or a visitor who came from /preview/CODE): the
    // preview, counting nothing; its signed Proceed gets past the password (redirect-kit.ts proceed)
    if (opened.redirectMode === 'preview' || flags & PREVIEWING) return previewPage(kit, code, opened, await links.pageFacts(opened), flags & ~PREVIEWING, ref);
    const res = kit.redirect(links.destinationFor(opened));
    if (!res) return notFound();
    kit.record(opened, request, server, flags, referrer);
    return res;
  };
}
