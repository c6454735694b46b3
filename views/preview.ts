/**
 * The safety preview: the full destination shown as text (never as a link
 * here) in its display form (url-display.ts: a look-alike host or a reversed
 * file name would defeat the page), its host called out, and a "Proceed to
 * site" button that goes back through the short link so that proceeding, not
 * looking, is what counts.
 */
import { html, type SafeHtml } from './html.ts';
import { hostOf, httpUrl, layout } from './layout.ts';
import { displayUrl, titleChars, unicodeHostOf } from './url-display.ts';

export interface PreviewPageProps {
  title: string | null;
  description: string | null;
  destination: string;
  /** the same-origin URL that records the click and redirects */
  proceedUrl: string;
}

export function previewPage(p: PreviewPageProps): SafeHtml {
  const safe = httpUrl(p.destination) !== null;
  const unicodeHost = unicodeHostOf(p.destination);
  return layout({
    title: 'Check where this link goes',
    body: html`<p class="eyebrow">Link preview</p>
<h1>Check where this link goes</h1>
${p.title ? html`<p class="link-title clamp-3"><bdi>${titleChars(p.title)}</bdi></p>` : null}
${p.description ? html`<p class="muted"><bdi>${titleChars(p.description)}</bdi></p>` : null}
<p class="muted small">This short link leads to <strong>${hostOf(p.destination)}</strong>:</p>
<p class="url-box"><code>${displayUrl(p.destination)}</code></p>
${unicodeHost ? html`<p class="muted small">This is an international domain name, written <bdi>${unicodeHost}</bdi>. Letters from other alphabets can look like familiar ones, so the name is shown above in a form that cannot.</p>` : null}
<p class="muted small">Only continue if you trust this address.</p>
${safe ? html`<p><a class="button" href="${p.proceedUrl}" rel="nofollow">Proceed to site</a></p>` : null}`,
  });
}
