/**
 * The bridge page: what a chat or social app unfurls (Open Graph and Twitter
 * card tags built from page_title and thumbnail_url) and what a person sees
 * for a moment before they are taken on: at once by a meta refresh, or after
 * the link's delay by public/js/bridge.js, which counts down and offers to
 * stay (WCAG 2.2.1: a time limit the reader can stop; the refresh alone
 * could not be), with the meta refresh kept for browsers without script. Every value here may come
 * from the destination site, so all of it goes through html`` escaping, and
 * the title shows its hidden and direction-changing characters (a U+202E
 * made "gpj.exe" read "exe.jpg" here and in every unfurl).
 */
import { html, type SafeHtml } from './html.ts';
import { hostOf, httpUrl, layout } from './layout.ts';
import { titleChars } from './url-display.ts';

export interface BridgePageProps {
  title: string;
  description: string | null;
  thumbnailUrl: string | null;
  destination: string;
  /** the URL of this page (og:url): the short link itself, so a re-scrape lands here again */
  pageUrl: string;
  delaySeconds: number;
}

export function bridgePage(props: BridgePageProps): SafeHtml {
  const p = { ...props, title: titleChars(props.title), description: props.description === null ? null : titleChars(props.description) };
  const target = httpUrl(p.destination);
  const image = httpUrl(p.thumbnailUrl);
  const host = hostOf(p.destination);
  const delay = Math.max(0, Math.trunc(p.delaySeconds));
  const head = html`<meta property="og:type" content="website">
<meta property="og:title" content="${p.title}">
${p.description ? html`<meta property="og:description" content="${p.description}">
<meta name="description" content="${p.description}">` : null}
${image ? html`<meta property="og:image" content="${image}">` : null}
<meta property="og:url" content="${p.pageUrl}">
<meta name="twitter:card" content="${image ? 'summary_large_image' : 'summary'}">
<meta name="twitter:title" content="${p.title}">
${target && delay === 0 ? html`<meta http-equiv="refresh" content="0;url=${target}">` : null}
${target && delay > 0
  ? html`<noscript><meta http-equiv="refresh" content="${delay};url=${target}"></noscript>
<script src="/public/js/bridge.js" defer></script>`
  : null}`;

  return layout({
    title: p.title,
    head,
    body: html`${image ? html`<img class="thumb" src="${image}" alt="" referrerpolicy="no-referrer">` : null}
<h1 class="clamp-3"><bdi>${p.title}</bdi></h1>
${p.description ? html`<p class="muted"><bdi>${p.description}</bdi></p>` : null}
<p class="destination">You are going to <strong>${host}</strong></p>
${target
  ? html`<p class="muted small" id="bridge-wait" data-delay="${delay}" data-target="${target}">${delay > 0 ? `Taking you there in ${delay} second${delay === 1 ? '' : 's'}…` : 'Taking you there…'}</p>
<p class="actions"><a class="button" href="${target}" rel="nofollow noopener">Continue</a>${delay > 0 ? html`<button type="button" class="button secondary" id="bridge-stay" hidden>Stay on this page</button>` : null}</p>`
  : null}`,
  });
}
