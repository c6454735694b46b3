/**
 * LinkShrink dialect (seeds/linkshrink-api.txt), mounted at /api/v1.
 *
 * Endpoints: POST /shorten, /shorten/bulk, /shorten/utm; GET /expand/:code;
 * GET /stats/:code, /stats/:code/export; POST /stats/batch;
 * GET /qr/:code.png|.svg; DELETE /:code?delete_token=; POST /verify/:code;
 * GET /unshorten?url=. GET /preview/:code (the safety page) is served by the
 * redirect module; previewUrl points at it.
 *
 * Auth: none, per the document, within the per-IP limits of its table
 * (shorten 20, bulk 5, stats+export+batch 60 shared, expand+qr+delete 100
 * shared, unshorten 30 per minute; 429 with Retry-After). Creating links
 * (shorten, bulk, utm) and unshorten need ANONYMOUS_LINKS=true or an API key
 * (401 {"error":"Unauthorized"} saying how, otherwise): that switch closes the
 * server to strangers, and unshorten would make it an open fetch proxy.
 * Routes on an existing link (expand, stats, export, batch, QR, verify,
 * delete) work in any mode: the code or token is the credential, and links a
 * keyed user made here must stay usable when anonymous creation is off.
 * An API key (Bearer, X-API-Key or ?api_key=) makes the caller a user: the
 * key's plan budget replaces the IP's, the user owns what is created (API
 * access, custom alias, password, expiry features and link quota apply: 403
 * {"error":"Forbidden"}), and an owner reads private stats without a token.
 *
 * Envelope: {"status":"success","data":…}; errors {"error","message"} (+ hint
 * on delete and on expanding a protected link). 400 bad input or malformed
 * JSON (shorten routes titled "Failed to shorten URL"), 401 token/key
 * problems, 403 plan limits (keys only), 404 "Short URL not found or
 * expired" (missing, deleted or expired), 429 rate limited. Bodies are read
 * as JSON whatever the content type (curl -d labels JSON as a form).
 *
 * Where the document is silent, or we chose:
 * - customAlias is 3–20 of [A-Za-z0-9-]; route words (api, preview, …) read
 *   as taken. Generated codes are 7 alphanumerics.
 * - Every link gets an expiry (default 30 days) — except a keyed user whose
 *   plan has no expiry feature and sends no ttl_seconds: no expiry then.
 * - Titles are fetched in the background, so creating never waits on the
 *   destination. Tokens are 48 hex characters, returned once, stored hashed.
 * - /shorten/utm shares the shorten budget, stores the tagged URL as the
 *   destination and the UTM set on the link, and also accepts password and
 *   private_stats; its response is the /shorten object plus taggedUrl, utm.
 * - expand counts a click, as documented, for whoever calls it — HTTP tools
 *   and requests without a User-Agent included (its callers are scripts;
 *   such a click has device "other"); crawlers and link unfurlers are
 *   recorded but not counted, as on redirects, and HEAD counts nothing. A
 *   password-protected link answers 401 {"error": "Password required"} with
 *   a hint to use /verify, and counts nothing.
 * - verify counts no click. Guesses are limited to 10 a minute per IP and
 *   code and 60 per IP across links, shared with the password page, even
 *   with a key (and 60 requests per IP overall without one). A link without
 *   a password answers 200 even without a password field; a protected one
 *   needs it (400).
 * - stats: clicksByDay newest first, referrers and countries largest first;
 *   direct visits and unlocated visitors are left out of those two lists.
 *   Export days run oldest first, from the creation day to today by default,
 *   days without clicks omitted. A private link's stats with a missing or
 *   wrong token are 401 (in batch: that item fails). A user's link made
 *   elsewhere (dashboard, native API, other dialects) never opted into
 *   public stats: here it reads as private, opened only by the owner's key.
 *   A password-protected link's stats (and export, and batch item) show
 *   originalUrl null unless the owner's key asks: the password guards the
 *   destination, and stats are public by default (a stats token opens the
 *   numbers, not the destination).
 *   Links made here carry source "linkshrink".
 * - QR images encode exactly the short URL (scans count as link clicks) and
 *   accept fg/bg colours without a plan check; unknown extensions are 404.
 * - delete needs the token even for the owner (the document says it is the
 *   only way); an expired link is 404 like everywhere. Delete is permanent as
 *   documented — the link's clicks and stats are erased — but the code stays
 *   reserved, so an old printed link can never lead somewhere new.
 * - unshorten: 400 when url is missing or not http(s), and 400 {"error":"Failed
 *   to unshorten URL"} (the document lists no 422) when following it fails or
 *   a hop is a private address (unless ALLOW_PRIVATE_TARGETS=true).
 */
import { Elysia } from 'elysia';
import type { AppDeps } from '../../../http/app-deps.ts';
import { linkRoutes } from './linkshrink-links.routes.ts';
import { shortenRoutes } from './linkshrink-shorten.routes.ts';
import { statsRoutes } from './linkshrink-stats.routes.ts';
import { createLinkshrinkKit } from './linkshrink.kit.ts';

export function linkshrinkRoutes(deps: AppDeps) {
  const kit = createLinkshrinkKit(deps);
  // DELETE /api/v1/:code takes one segment and Elysia's router prefers static segments, so it shadows no other route
  return new Elysia({ name: 'linkshrink' }).use(shortenRoutes(kit)).use(statsRoutes(kit)).use(linkRoutes(kit));
}
