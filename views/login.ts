/**
 * The sign-in page. It stands outside the dashboard shell (there is no
 * session yet), so its CSRF token is the public-form kind: a nonce cookie and
 * a token in the `_csrf` field. No script: a plain form post works everywhere.
 */
import { csrfField } from './csrf-field.ts';
import { documentHead } from './head.ts';
import { html, type SafeHtml } from './html.ts';

export interface LoginPageProps {
  csrfToken: string;
  /** the email typed, kept after a failed attempt (the password field then takes the focus: the email is rarely what was wrong) */
  email?: string;
  /** a same-site /dashboard path to return to after signing in */
  next?: string | null;
  error?: string | null;
  /** a neutral message (signed out, password changed) */
  info?: string | null;
}

export function loginPage(p: LoginPageProps): SafeHtml {
  const describedBy = p.error ? html` aria-describedby="login-error" aria-invalid="true"` : null;
  return html`${documentHead({ title: `${p.error ? 'Error: ' : ''}Sign in · shrinkray`, stylesheets: ['/public/css/app.css', '/public/css/dashboard.css'] })}
<body class="public login">
<main class="card stack">
<p class="eyebrow">shrinkray</p>
<h1>Sign in</h1>
${p.info ? html`<p class="notice" role="status">${p.info}</p>` : null}
${p.error ? html`<p class="alert" id="login-error" role="alert">${p.error}</p>` : null}
<form class="stack" method="post" action="/login" novalidate>
${csrfField(p.csrfToken)}
${p.next ? html`<input type="hidden" name="next" value="${p.next}">` : null}
<label for="email">Email</label>
<input id="email" name="email" type="email" autocomplete="username" required maxlength="254"${p.email ? null : html` autofocus`} value="${p.email ?? ''}"${describedBy}>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required maxlength="256"${p.email ? html` autofocus` : null}${describedBy}>
<button class="button" type="submit">Sign in</button>
</form>
<p class="muted small">First start? Use the admin email and password the server printed when it created the database.</p>
</main>
<footer class="site-footer"><a href="/docs">API documentation</a></footer>
</body>
</html>`;
}
