/** The page for a code that is unknown, deleted, expired, paused or malformed. */
import { html, type SafeHtml } from './html.ts';
import { layout } from './layout.ts';

// Deliberately one message for every reason: telling "expired" from "never
// existed" would let anyone probe which codes were once in use.
export function notFoundPage(): SafeHtml {
  return layout({
    title: 'Link not found',
    body: html`<p class="eyebrow">404</p>
<h1>This short link doesn’t lead anywhere</h1>
<p class="muted">It may have been mistyped, or it has expired or been removed by its owner.</p>
<p><a class="button" href="/">Go to the home page</a></p>`,
  });
}
