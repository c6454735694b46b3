/**
 * The public home page: a shorten form that works without JavaScript (a real
 * POST to /shorten with the CSRF token in `_token`), and the same page again
 * with the result or the error. The token is also in
 * <meta name="csrf-token">, where ShrtLnk's document tells fetch() clients to
 * read it for X-CSRF-TOKEN. The page needs no script: a result's Copy button
 * is shown by /public/js/home.js alone (the CSP allows none inline), and its
 * QR code is an image drawn by the server. Everything echoed back — the URL
 * typed, the destination, the page title fetched from another site — is escaped.
 */
import { csrfField } from './csrf-field.ts';
import { documentHead } from './head.ts';
import { html, type SafeHtml } from './html.ts';
import { httpUrl } from './layout.ts';
import { displayUrl, titleChars } from './url-display.ts';

export interface ShortenResult {
  shortUrl: string;
  destination: string;
  title: string | null;
  existing: boolean;
  /** the short URL's QR code as an SVG document, when it could be drawn */
  qrSvg?: string | null;
}

export interface HomePageProps {
  csrfToken: string;
  /** what the visitor typed, kept in the field after an error */
  value?: string;
  /** the message shown under the URL field */
  fieldError?: string | null;
  /** a problem with the request itself (expired page, too many attempts) */
  notice?: string | null;
  result?: ShortenResult | null;
}

function resultBlock(r: ShortenResult): SafeHtml {
  const href = httpUrl(r.shortUrl);
  return html`<section class="stack" id="result" tabindex="-1" aria-live="polite">
<p class="eyebrow">${r.existing ? 'Already shortened' : 'Your short link'}</p>
<div class="url-box copy-row"><code id="short-url">${href ? html`<a href="${href}">${r.shortUrl}</a>` : r.shortUrl}</code><button type="button" class="button secondary small" data-copy="${r.shortUrl}" aria-describedby="copy-status" hidden>Copy</button></div>
<p id="copy-status" class="muted small" role="status"></p>
${r.title ? html`<p class="link-title"><bdi>${titleChars(r.title)}</bdi></p>` : null}
<p class="muted small destination">Goes to ${displayUrl(r.destination)}</p>
${r.qrSvg ? qrBlock(r.qrSvg, r.shortUrl) : null}
</section>`;
}

/** The QR code as an image (right-click saves it) and a download of the same file. */
function qrBlock(svg: string, shortUrl: string): SafeHtml {
  const src = `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;
  const name = `${shortUrl.slice(shortUrl.lastIndexOf('/') + 1)}-qr.svg`;
  return html`<figure class="qr-result"><img src="${src}" width="160" height="160" alt="QR code of ${shortUrl}"><figcaption><a href="${src}" download="${name}">Download the QR code (SVG)</a></figcaption></figure>`;
}

export function homePage(p: HomePageProps): SafeHtml {
  const error = p.fieldError ?? null;
  return html`${documentHead({ title: `${error ? 'Error: ' : ''}Shorten a link · shrinkray`, noindex: false, extra: html`<meta name="csrf-token" content="${p.csrfToken}">` })}
<body class="public">
<main class="card stack">
<p class="eyebrow">shrinkray</p>
<h1>Shorten a link</h1>
${p.notice ? html`<p class="alert" role="alert">${p.notice}</p>` : null}
<form class="stack" method="post" action="/shorten">
${csrfField(p.csrfToken, '_token')}
<label for="original_url">Long URL</label>
<input id="original_url" name="original_url" type="text" inputmode="url" required maxlength="2048" autocomplete="off"
  placeholder="https://example.com/a/long/page" value="${p.value ?? ''}"${error ? html` aria-invalid="true" aria-describedby="original_url-error" autofocus` : null}>
${error ? html`<p class="alert" id="original_url-error" role="alert">${error}</p>` : null}
<button class="button" type="submit">Shorten</button>
</form>
${p.result ? resultBlock(p.result) : null}
</main>
<footer class="site-footer"><a href="/docs">API documentation</a> · <a href="/dashboard">Sign in</a></footer>
${p.result ? html`<script src="/public/js/copy.js" defer></script>
<script src="/public/js/home.js" defer></script>` : null}
</body>
</html>`;
}
