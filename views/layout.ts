/**
 * The shell of every public page (404, password, bridge, preview): one
 * stylesheet from /public, no script (the CSP forbids inline script and these
 * pages need none), and noindex because a short link's interstitial is not
 * content a search engine should list.
 */
import { documentHead } from './head.ts';
import { html, type SafeHtml } from './html.ts';

export interface LayoutProps {
  title: string;
  /** extra <head> markup (Open Graph tags, meta refresh) */
  head?: SafeHtml;
  body: SafeHtml;
}

export function layout({ title, head, body }: LayoutProps): SafeHtml {
  return html`${documentHead({ title, extra: head })}
<body class="public">
<main class="card">
${body}
</main>
<footer class="site-footer">Short link served by <a href="/">shrinkray</a></footer>
</body>
</html>`;
}

/**
 * The URL when it may go into an href or a refresh target: http(s) only, so a
 * stored javascript: or data: URL can never become a clickable link even if
 * something upstream let it through.
 */
export function httpUrl(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : null;
  } catch {
    return null;
  }
}

export function hostOf(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return url;
  }
}
