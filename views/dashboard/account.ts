/**
 * The account screen: who is signed in, what their plan allows and how much
 * of its link limit is used, the
 * password change form, and the bookmarklet. Changing the password ends the
 * user's other sessions, which the page says before the user commits to it.
 */
import type { Plan, User } from '../../src/accounts/accounts.types.ts';
import { csrfField } from '../csrf-field.ts';
import { html, type SafeHtml } from '../html.ts';
import { fieldErrorText, inputAria } from './field-error.ts';

export interface AccountProps {
  user: User;
  plan: Plan;
  /** links counting against the plan's limit (expired ones included, until deleted), and how many of them expired */
  usage: { links: number; expired: number };
  csrfToken: string;
  errors?: Record<string, string>;
  formError?: string | null;
  /** set after a successful change (the page is reached by a redirect) */
  changed?: boolean;
  /** the new-link form's absolute URL (BASE_URL's), which the bookmarklet opens */
  newLinkUrl: string;
}

/**
 * A javascript: URL that, run from the bookmarks bar on any page, opens the
 * new-link form filled with that page's address and title. It opens a new
 * tab, so the page being read stays where it was and signing in (if needed)
 * happens beside it; noopener keeps that page from getting a handle on the
 * dashboard tab (it could navigate it elsewhere). The page's own script
 * runs it, so it could lie about its address: the form only shows values,
 * which the person checks and sends with their CSRF token. A javascript: URL
 * is percent-decoded before it runs, hence the %25.
 */
export function bookmarkletHref(newLinkUrl: string): string {
  const code = `(function(){window.open(${JSON.stringify(`${newLinkUrl}?url=`)}+encodeURIComponent(location.href)+'&title='+encodeURIComponent(document.title),'_blank','noopener')})()`;
  return `javascript:${code.replace(/%/g, '%25')}`;
}

const yes = (v: boolean) => (v ? 'Yes' : 'No');
const n = (v: number) => v.toLocaleString('en');

/** "7 of 10.", or "7 links, no limit"; a full or exceeded limit, and expired links that still count, said. */
export function linksUsed(plan: Plan, usage: AccountProps['usage']): string {
  const { links, expired } = usage;
  if (plan.maxLinks === null) return `${n(links)} ${links === 1 ? 'link' : 'links'}, no limit`;
  // over: a plan changed to a smaller one keeps the links made before
  const full = links > plan.maxLinks ? ': over the limit, so new links are refused until you delete some' : links === plan.maxLinks ? ': new links are refused until you delete some' : '';
  const stale = expired > 0 ? ` ${n(expired)} of these ${expired === 1 ? 'has' : 'have'} expired and still ${expired === 1 ? 'counts' : 'count'} until deleted.` : '';
  return `${n(links)} of ${n(plan.maxLinks)}${full}.${stale}`;
}

function passwordField(name: string, label: string, autocomplete: string, errors: Record<string, string>, hint?: string): SafeHtml {
  const error = errors[name];
  return html`<div class="field">
<label for="${name}">${label}</label>
<input id="${name}" name="${name}" type="password" autocomplete="${autocomplete}" required maxlength="256"${inputAria(name, error, hint ? `${name}-hint` : null)}>
${hint ? html`<p class="hint" id="${name}-hint">${hint}</p>` : null}
${fieldErrorText(name, error)}
</div>`;
}

export function accountBody(p: AccountProps): SafeHtml {
  const errors = p.errors ?? {};
  return html`<div class="page-head"><h1>Your account</h1></div>
${p.changed ? html`<p class="success" role="status" data-confirmation>Your password was changed. Your other sessions were signed out.</p>` : null}
<div class="grid-2">
<section class="card" aria-labelledby="profile-h">
<h2 id="profile-h">Profile</h2>
<dl class="facts">
<dt>Email</dt><dd>${p.user.email}</dd>
<dt>Role</dt><dd><span class="badge ${p.user.role === 'admin' ? 'badge-accent' : 'badge-neutral'}">${p.user.role}</span></dd>
<dt>Plan</dt><dd>${p.plan.name}</dd>
<dt>Links</dt><dd>${linksUsed(p.plan, p.usage)}</dd>
<dt>API access</dt><dd>${p.plan.apiAccess ? `Yes, ${p.plan.rateLimitPerMinute} requests a minute per key` : 'No'}</dd>
<dt>Custom aliases</dt><dd>${yes(p.plan.customAlias)}</dd>
<dt>Passwords on links</dt><dd>${yes(p.plan.password)}</dd>
<dt>Expiry dates</dt><dd>${yes(p.plan.expiry)}</dd>
</dl>
</section>
<section class="card" aria-labelledby="password-h">
<h2 id="password-h">Change password</h2>
${p.formError ? html`<p class="alert" role="alert">${p.formError}</p>` : null}
<form class="stack" method="post" action="/dashboard/account" novalidate>
${csrfField(p.csrfToken)}
<input type="email" name="username" value="${p.user.email}" autocomplete="username" hidden>
${passwordField('current_password', 'Current password', 'current-password', errors)}
${passwordField('new_password', 'New password', 'new-password', errors, 'At least 8 characters.')}
${passwordField('confirm_password', 'Repeat the new password', 'new-password', errors)}
<p class="hint">Saving signs you out everywhere else; this browser stays signed in.</p>
<div><button class="button" type="submit">Change password</button></div>
</form>
</section>
<section class="card" aria-labelledby="bookmarklet-h">
<h2 id="bookmarklet-h">Bookmarklet</h2>
<p><a class="button secondary" href="${bookmarkletHref(p.newLinkUrl)}" data-bookmarklet aria-describedby="bookmarklet-hint">Shorten with shrinkray</a></p>
<p class="hint" id="bookmarklet-hint">Drag the button to your bookmarks bar (or right-click it and choose to bookmark the link). On any page, click the bookmark to open a new short link for that page in a new tab, ready to check and create.</p>
</section>
</div>`;
}
