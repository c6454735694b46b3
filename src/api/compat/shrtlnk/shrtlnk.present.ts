/** ShrtLnk response shapes, key for key in the order its document shows them. */
import type { Link } from '../../../links/links.types.ts';

/** ShrtLnk's dates: ISO 8601 to the second with an explicit +00:00 offset. */
export const shrtlnkDate = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, '+00:00');

export const shrtlnkShortUrl = (baseUrl: string, code: string) => `${baseUrl}/s/${code}`;

function common(link: Link, baseUrl: string) {
  // a LinkShrink preview page is an interstitial too: to a ShrtLnk client it is a bridge
  const cloaked = link.redirectMode !== 'direct';
  return {
    head: {
      success: true as const,
      id: link.id,
      short_url: shrtlnkShortUrl(baseUrl, link.code),
      short_code: link.code,
      original_url: link.destination,
      redirect_mode: cloaked ? ('bridge' as const) : ('direct' as const),
    },
    preview: {
      page_title: link.pageTitle ?? link.title,
      thumbnail_url: link.thumbnailUrl,
      source: link.source,
      url_cloak: cloaked ? 1 : 0,
      cloaked,
      clicks: link.totalClicks,
    },
  };
}

/** The create answer (POST /api/links, POST /shorten). */
export function presentCreated(link: Link, existing: boolean, baseUrl: string) {
  const { head, preview } = common(link, baseUrl);
  return { ...head, ...preview, existing, created_at: shrtlnkDate(link.createdAt) };
}

/** The GET shape, also answered by PATCH/PUT. user_id is the integrator's label, never our account id. */
export function presentLink(link: Link, baseUrl: string) {
  const { head, preview } = common(link, baseUrl);
  return {
    ...head,
    bridge_delay_seconds: link.bridgeDelaySeconds,
    ...preview,
    user_id: link.labels.userId,
    created_at: shrtlnkDate(link.createdAt),
    updated_at: shrtlnkDate(link.updatedAt),
  };
}
