/**
 * The safety preview: the full destination shown as text (never as a link
 * here), its host called out, and a "Proceed to site" button that goes back
 * through the short link so that proceeding, not looking, is what counts.
 */
import { html, type SafeHtml } from './html.ts';
import { hostOf, httpUrl, layout } from './layout.ts';

export interface PreviewPageProps {
  title: string | null;
  description: string | null;
  destination: string;
  /** the same-origin URL that records the click and redirects */
  proceedUrl: string;
}

export function previewPage(p: PreviewPageProps): SafeHtml {
  const safe = httpUrl(p.destination) !== null;
  return layout({
    title: 'Check where this link goes',
    body: html`<p class="eyebrow">Link preview</p>
<h1>Check where this link goes</h1>
${p.title ? html`<p class="link-title">${p.title}</p>` : null}
${p.description ? html`<p class="muted">${p.description}</p>` : null}
<p class="muted small">This short link leads to <strong>${hostOf(p.destination)}</strong>:</p>
<p class="url-box"><code>${p.destination}</code></p>
<p class="muted small">Only continue if you trust this address.</p>
${safe ? html`<p><a class="button" href="${p.proceedUrl}" rel="nofollow">Proceed to site</a></p>` : null}`,
  });
}
