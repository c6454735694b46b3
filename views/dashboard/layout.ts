/**
 * The shell of every dashboard page: navigation (admin screens only for
 * admins), the session's CSRF token sent by htmx on every request through
 * hx-headers, vendored htmx and our own script — no inline script, no CDN.
 * `fragment` pages (htmx swaps) skip the shell.
 */
import type { Role } from '../../src/accounts/accounts.types.ts';
import { documentHead } from '../head.ts';
import { csrfField } from '../csrf-field.ts';
import { html, type SafeHtml } from '../html.ts';

export type NavKey = 'links' | 'qrcodes' | 'keys' | 'account' | 'users' | 'plans' | 'settings';

export interface ShellProps {
  title: string;
  nav: NavKey;
  /** mustChangePassword: the account screen is all that opens, so the navigation is left out */
  user: { email: string; role: Role; mustChangePassword?: boolean };
  csrfToken: string;
  body: SafeHtml;
  /** a notice shown at the top (e.g. "change your password") */
  notice?: SafeHtml | null;
}

const NAV: { key: NavKey; href: string; label: string; admin?: boolean }[] = [
  { key: 'links', href: '/dashboard', label: 'Links' },
  { key: 'qrcodes', href: '/dashboard/qrcodes', label: 'QR codes' },
  { key: 'keys', href: '/dashboard/keys', label: 'API keys' },
  { key: 'users', href: '/dashboard/users', label: 'Users', admin: true },
  { key: 'plans', href: '/dashboard/plans', label: 'Plans', admin: true },
  { key: 'settings', href: '/dashboard/settings', label: 'Settings', admin: true },
];

export function shell(p: ShellProps): SafeHtml {
  const headers = JSON.stringify({ 'X-CSRF-Token': p.csrfToken });
  return html`${documentHead({
    title: `${p.title} · shrinkray`,
    stylesheets: ['/public/css/app.css', '/public/css/dashboard.css', '/public/css/dashboard-extra.css'],
    extra: html`<meta name="htmx-config" content='{"includeIndicatorStyles":false,"historyCacheSize":0}'>
<meta name="csrf-token" content="${p.csrfToken}">
<script src="/public/vendor/htmx.min.js" defer></script>
<script src="/public/js/copy.js" defer></script>
<script src="/public/js/dashboard.js" defer></script>`,
  })}
<body class="dashboard" hx-headers='${headers}'>
<a class="skip-link" href="#main">Skip to content</a>
<header class="topbar">
  <a class="brand" href="/dashboard">shrinkray</a>
  ${p.user.mustChangePassword ? '' : html`<nav aria-label="Main">
    <ul>
      ${NAV.filter((n) => !n.admin || p.user.role === 'admin').map(
        (n) => html`<li><a href="${n.href}"${n.key === p.nav ? html` aria-current="page"` : ''}>${n.label}</a></li>`,
      )}
    </ul>
  </nav>`}
  <div class="account">
    <a href="/dashboard/account"${p.nav === 'account' ? html` aria-current="page"` : ''}>${p.user.email}</a>
    <form method="post" action="/logout" class="inline">
      ${csrfField(p.csrfToken)}
      <button type="submit" class="link-button">Sign out</button>
    </form>
  </div>
</header>
<main id="main" tabindex="-1">
${p.notice ? html`<div class="notice" role="status">${p.notice}</div>` : ''}
${p.body}
</main>
<div id="toast" class="toast" role="status" aria-live="polite"></div>
<div id="announcer" class="sr-only" role="status" aria-live="polite"></div>
</body>
</html>`;
}
