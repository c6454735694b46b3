/** The unlock form of a password-protected link, and the page shown when its attempts are used up. */
import { csrfField } from './csrf-field.ts';
import { html, type SafeHtml } from './html.ts';
import { layout } from './layout.ts';

export interface PasswordPageProps {
  /** where the form posts: /CODE, with ?qr=1 kept so a scan is still counted as one */
  action: string;
  csrfToken: string;
  error?: string | null;
  /** the short link itself: named on the page, and the "username" a password manager files the password under */
  shortUrl: string;
}

/**
 * Password inputs here and in the dashboard allow 256: passwords are up to 128
 * characters, and a browser's maxlength counts UTF-16 units (an emoji is two).
 */
export function passwordPage({ action, csrfToken, error, shortUrl }: PasswordPageProps): SafeHtml {
  return layout({
    // a refused password says so in the title and on the field, which takes the focus (autofocus) when the page
    // comes back: a screen reader reads the field and its message, where an alert present at load is not announced
    title: error ? 'Error: Password required' : 'Password required',
    body: html`<p class="eyebrow">Protected link</p>
<h1>Enter the password to continue</h1>
<p class="muted">The owner of this short link, <code>${shortUrl.replace(/^https?:\/\//, '')}</code>, protected it with a password.</p>
${error ? html`<p class="alert" id="password-error" role="alert">${error}</p>` : null}
<form class="stack" method="post" action="${action}">
${csrfField(csrfToken, 'csrf_token')}
<input type="text" name="username" autocomplete="username" value="${shortUrl}" readonly hidden>
<label for="password">Password</label>
<input id="password" name="password" type="password" required autocomplete="current-password" autofocus maxlength="256"${error ? html` aria-invalid="true" aria-describedby="password-error"` : null}>
<button class="button" type="submit">Unlock</button>
</form>`,
  });
}

export function tooManyAttemptsPage({ retryAfterSeconds, formUrl }: { retryAfterSeconds: number; formUrl: string }): SafeHtml {
  return layout({
    title: 'Too many attempts',
    body: html`<p class="eyebrow">Slow down</p>
<h1>Too many password attempts</h1>
<p class="muted">To protect this link, only a few attempts are allowed per minute. Try again in ${retryAfterSeconds} second${retryAfterSeconds === 1 ? '' : 's'}.</p>
<p><a class="button secondary" href="${formUrl}">Back to the password form</a></p>`,
  });
}
