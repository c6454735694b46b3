/** The page for a code that is unknown, deleted, expired, paused or malformed. */
import { html, type SafeHtml } from './html.ts';
import { layout } from './layout.ts';

// Deliberately one message for every reason: telling "expired" from "never
// existed" would let anyone probe which codes were once in use.
// withHome: the home page is the public shorten form (ANONYMOUS_LINKS); otherwise "/" is the admins' sign-in,
// no place to send a visitor holding a dead link
export function notFoundPage(withHome: boolean): SafeHtml {
  return layout({
    title: 'Link not found',
    body: html`<p class="eyebrow">404</p>
<h1>This short link doesn’t lead anywhere</h1>
<p class="muted">It may have been mistyped, or it has expired or been removed by its owner.${withHome ? '' : ' Whoever shared it with you may have a new one.'}</p>
${withHome ? html`<p><a class="button" href="/">Go to the home page</a></p>` : null}`,
  });
}
