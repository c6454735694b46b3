/**
 * Visiting a short link: GET|HEAD /:code and /s/:code (the hot path), and the
 * LinkShrink safety page GET /preview/:code. Order of decisions: unknown → 404
 * (or the 302 to NOT_FOUND_REDIRECT: pages.ts);
 * password → the form (password beats mode); then the link's mode.
 *
 * Counting: exactly one click per visit that reaches the destination's side.
 * - direct: the 302 counts.
 * - bridge: serving the bridge page to a GET counts (its refresh and Continue
 *   link go straight to the destination, not back through here).
 * - preview: the page counts nothing; its "Proceed to site" button is
 *   /CODE?proceed=TOKEN (signed for the link as shown and its password), which counts
 *   and 302s. It also skips a bridge, for a visitor arriving from
 *   /preview/CODE who has already seen the destination, and the password a
 *   visitor gave to see the preview (redirect/unlock.ts).
 * - /s/:code (ShrtLnk's documented visit call) also counts HTTP libraries.
 * - HEAD never counts (link checkers and unfurl pre-flights use it); it gets
 *   the same status and headers. Elysia answers HEAD through the GET handler,
 *   which is why the method is checked here.
 */
import type { ServerLike } from '../http/context.ts';
import type { PageFacts, RedirectTarget } from '../links/links.types.ts';
import { hostOf } from '../links/url-policy.ts';
import { bridgeResponse, notFoundResponse, passwordResponse, previewResponse } from './pages.ts';
import { carriedReferrer, CARRIES_REFERRER, flagsOf, PREVIEWING, PROCEED, referrerToCarry, SCRIPTS_COUNT, unlockAction, type RedirectKit } from './redirect-kit.ts';

/** Which public URL served the page; the bridge page names itself in og:url. */
export type VisitRoute = 'short' | 'shrtlnk';

export function createVisitHandlers(kit: RedirectKit) {
  const { links, config } = kit;

  const notFound = () => notFoundAnswer(kit);

  /** The password form; its action keeps ?qr=1 so an unlocked scan still counts as a scan, and ?preview=1 from /preview/CODE. */
  function passwordForm(code: string, flags: number, request: Request): Response {
    kit.count('password');
    return passwordResponse(200, `${config.baseUrl}/${code}`, unlockAction(code, flags, referrerToCarry(request)), kit.tokens.issue(code));
  }

  /** The answer for a resolved (or unknown) code; synchronous so a cached code needs no promise at all. */
  function answer(code: string, target: RedirectTarget | null, request: Request, server: ServerLike | null, route: VisitRoute): Response {
    if (target === null) return notFound();
    const flags = flagsOf(request.url) | (route === 'shrtlnk' ? SCRIPTS_COUNT : 0);
    const proceeding = (flags & PROCEED) !== 0 && kit.proceed.ok(code, target, request.url);
    if (target.passwordHash !== null && !proceeding) return passwordForm(code, flags, request);

    // Proceed comes from our preview page: the visit's referrer is the one it carried, and so is that of
    // a visit our password form sent on (its password went meanwhile); only a URL with a query has one
    const carried = flags & CARRIES_REFERRER ? carriedReferrer(request.url) : null;
    if (proceeding) return kit.direct(target, request, server, flags, carried) ?? notFound();
    if (target.redirectMode === 'direct') return kit.direct(target, request, server, flags, carried ?? undefined) ?? notFound();
    if (target.redirectMode === 'preview') return previewPage(kit, code, target, target.page, flags, referrerToCarry(request));

    const destination = links.destinationFor(target);
    if (request.method !== 'HEAD') kit.record(target, request, server, flags, carried ?? undefined);
    kit.count('bridge');
    return bridgeResponse({
      title: target.page?.title ?? hostOf(destination) ?? destination,
      description: target.page?.description ?? null,
      thumbnailUrl: target.page?.thumbnailUrl ?? null,
      destination,
      pageUrl: route === 'shrtlnk' ? `${config.baseUrl}/s/${code}` : `${config.baseUrl}/${code}`,
      delaySeconds: target.page?.delaySeconds ?? 0,
    });
  }

  return {
    visit(rawCode: unknown, request: Request, server: ServerLike | null, route: VisitRoute): Response | Promise<Response> {
      const code = kit.validCode(rawCode);
      if (code === null) return notFound();
      const cached = links.resolveCached(code);
      if (cached !== undefined) return answer(code, cached, request, server, route);
      return links.resolve(code).then((target) => answer(code, target, request, server, route));
    },

    /** GET /preview/:code: shows where the link goes and counts nothing. */
    async preview(rawCode: unknown, request: Request): Promise<Response> {
      const code = kit.validCode(rawCode);
      const target = code === null ? null : await links.resolve(code);
      if (code === null || target === null) return notFound();
      const flags = flagsOf(request.url);
      // given, the password shows this page, not the destination (the previewUrl promises it)
      if (target.passwordHash !== null) return passwordForm(code, flags | PREVIEWING, request);
      return previewPage(kit, code, target, await links.pageFacts(target), flags, referrerToCarry(request));
    },
  };
}

/**
 * A code that names no live link, counted: the 404 page, or NOT_FOUND_REDIRECT (303 after a POST). Here,
 * not in the kit: the kit is loaded before the server listens, the pages' views after.
 */
export function notFoundAnswer(kit: RedirectKit, status: 302 | 303 = 302): Response {
  kit.count('not_found');
  return notFoundResponse(kit.config, status);
}

/** The safety preview: where the link goes, counting nothing; Proceed comes back signed (kit.proceed). */
export function previewPage(kit: RedirectKit, code: string, target: RedirectTarget, page: PageFacts | null, flags: number, ref: string | null): Response {
  kit.count('preview');
  return previewResponse({
    title: page?.title ?? null,
    description: page?.description ?? null,
    destination: kit.links.destinationFor(target),
    proceedUrl: kit.proceed.url(code, target, flags, ref),
  });
}
