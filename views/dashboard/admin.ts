/**
 * Admin screens: users (a row per user, swapped in place by htmx after a
 * role, plan or status change), plans (a form per plan, swapped in place on
 * save) and the read-only settings table. Every form also works as a plain
 * POST. A generated password is rendered once, in the response that made
 * it, and never stored in a form or a URL.
 */
import type { Plan, User } from '../../src/accounts/accounts.types.ts';
import type { TransferDone } from '../../src/accounts/transfer.service.ts';
import type { KeysOutcome } from '../../src/accounts/user-admin.service.ts';
import type { Config } from '../../src/config.ts';
import { csrfField } from '../csrf-field.ts';
import { html, type SafeHtml } from '../html.ts';
import { visibleChars } from '../url-display.ts';
import { fieldErrorText, inputAria, messageFor, type FieldError } from './field-error.ts';
import { transferNotice } from './transfer.ts';

export interface Secret {
  email: string;
  password: string;
  why: 'created' | 'reset';
  /** after a reset: what became of their API keys */
  keys?: KeysOutcome;
}

export const keysWord = (n: number) => (n === 1 ? '1 API key' : `${n} API keys`);

/** What a reset did to the user's keys, said beside the new password. */
function resetKeysText(k: KeysOutcome | undefined): string {
  if (!k) return '';
  if (k.keysRevoked > 0) return `Their ${keysWord(k.keysRevoked)} ${k.keysRevoked === 1 ? 'was' : 'were'} revoked. `;
  if (k.activeKeys > 0) {
    const one = k.activeKeys === 1;
    return `Their ${keysWord(k.activeKeys)} still ${one ? 'works' : 'work'}: revoke ${one ? 'it' : 'them'} on their keys page (“${k.activeKeys} active” in their row) if ${one ? 'it' : 'they'} may be compromised too. `;
  }
  return '';
}

/** The row's notice after a deactivation or reactivation, with what it means for the user's API keys. */
export function standingStatus(active: boolean, k: KeysOutcome): string {
  if (!active) return 'Deactivated; signed out.';
  if (k.keysRevoked > 0) return `Reactivated; ${keysWord(k.keysRevoked)} revoked.`;
  if (k.activeKeys > 0) return `Reactivated; their ${k.activeKeys} active ${k.activeKeys === 1 ? 'API key works' : 'API keys work'} again.`;
  return 'Reactivated.';
}

const date = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const selected = (on: boolean) => (on ? html` selected` : '');

export function userRow(p: { user: User; plans: Plan[]; activeKeys: number; me: number; csrfToken: string; status?: string }): SafeHtml {
  const u = p.user;
  const n = p.activeKeys;
  const who = visibleChars(u.email);
  const self = u.id === p.me;
  const form = `user-form-${u.id}`;
  const live = html`hx-post="/dashboard/users/${u.id}" hx-trigger="change" data-save-on-commit hx-include="closest tr" hx-target="closest tr" hx-swap="outerHTML"`;
  return html`<tr id="user-row-${u.id}"${u.isActive ? '' : html` class="inactive"`}>
<th scope="row" class="email"><bdi>${visibleChars(u.email)}</bdi>${self ? html` <span class="badge badge-accent">you</span>` : ''}</th>
<td data-label="Role"><label class="visually-hidden" for="role-${u.id}">Role of ${visibleChars(u.email)}</label>
<select id="role-${u.id}" name="role" form="${form}" ${live}${self ? html` disabled title="You cannot change your own role"` : ''}>
<option value="member"${selected(u.role === 'member')}>Member</option><option value="admin"${selected(u.role === 'admin')}>Admin</option></select></td>
<td data-label="Plan"><label class="visually-hidden" for="plan-${u.id}">Plan of ${visibleChars(u.email)}</label>
<select id="plan-${u.id}" name="plan" form="${form}" ${live}>${p.plans.map((pl) => html`<option value="${pl.name}"${selected(pl.id === u.planId)}>${pl.name}</option>`)}</select></td>
<td data-label="Status">${u.isActive ? 'Active' : html`<span class="badge badge-muted">Deactivated</span>`}${u.mustChangePassword ? html` <span class="badge badge-warning">temporary password</span>` : ''}</td>
<td data-label="Created"><time datetime="${new Date(u.createdAt).toISOString()}">${date(u.createdAt)}</time></td>
<td data-label="API keys"><a href="/dashboard/users/${u.id}/keys">${n} active<span class="visually-hidden"> ${n === 1 ? 'API key' : 'API keys'} of ${who}</span></a></td>
<td class="actions"><div class="user-actions">
<form id="${form}" method="post" action="/dashboard/users/${u.id}" class="inline">${csrfField(p.csrfToken)}<button type="submit" class="link-button">Save<span class="visually-hidden"> for ${who}</span></button></form>
<a href="/dashboard/users/${u.id}/transfer" class="link-button">Transfer links<span class="visually-hidden"> and QR codes of ${who}</span></a>
${self ? '' : html`${resetForm(u, n, p.csrfToken)}
${u.isActive ? deactivateForm(u, p.csrfToken) : reactivateForms(u, n, p.csrfToken)}`}
${p.status ? html`<span class="row-status" data-announce role="status">${p.status}</span>` : ''}
</div></td></tr>`;
}

// the box is ticked by default (a reset is for a suspected compromise); unticked it sends nothing, which keeps the keys
function resetForm(u: User, n: number, csrfToken: string): SafeHtml {
  const who = visibleChars(u.email);
  // the dialog's words are fixed when the page is drawn: they follow the box's default, not its state
  const keys = n > 0 ? ` Their ${keysWord(n)} ${n === 1 ? 'is' : 'are'} revoked too if “and revoke keys” is ticked.` : '';
  return html`<form method="post" action="/dashboard/users/${u.id}/reset-password" class="inline" hx-boost="true" hx-push-url="false" hx-confirm="Reset the password of ${who}? They are signed out everywhere and get a new temporary password.${keys}">${csrfField(csrfToken)}<button type="submit" class="link-button">Reset password<span class="visually-hidden"> of ${who}</span></button>${
    n > 0 ? html` <label class="check"><input type="checkbox" name="revoke_keys" value="true" checked> and revoke keys<span class="visually-hidden"> of ${who}</span></label>` : ''
  }</form>`;
}

function deactivateForm(u: User, csrfToken: string): SafeHtml {
  const action = `/dashboard/users/${u.id}/deactivate`;
  return html`<form method="post" action="${action}" class="inline" hx-post="${action}" hx-target="closest tr" hx-swap="outerHTML" hx-confirm="Deactivate ${visibleChars(u.email)}? They are signed out and their API keys stop working.">${csrfField(csrfToken)}<button type="submit" id="standing-${u.id}" class="link-button danger">Deactivate<span class="visually-hidden"> ${visibleChars(u.email)}</span></button></form>`;
}

/** Reactivating brings back every key the deactivation stopped: said before, with a second button that revokes them instead. */
function reactivateForms(u: User, n: number, csrfToken: string): SafeHtml {
  const action = `/dashboard/users/${u.id}/reactivate`;
  const who = visibleChars(u.email);
  const form = (confirm: string, fields: SafeHtml | '', button: SafeHtml) =>
    html`<form method="post" action="${action}" class="inline" hx-post="${action}" hx-target="closest tr" hx-swap="outerHTML"${confirm ? html` hx-confirm="${confirm}"` : ''}>${csrfField(csrfToken)}${fields}${button}</form>`;
  if (n === 0) return form('', '', html`<button type="submit" id="standing-${u.id}" class="link-button">Reactivate<span class="visually-hidden"> ${who}</span></button>`);
  const keys = n === 1 ? 'active API key works' : `${n} active API keys work`;
  return html`${form(`Reactivate ${who}? They can sign in again, and their ${keys} again.`, '', html`<button type="submit" id="standing-${u.id}" class="link-button">Reactivate<span class="visually-hidden"> ${who}</span></button>`)}
${form(
  `Reactivate ${who} and revoke their ${keysWord(n)}? They can sign in again; programs using ${n === 1 ? 'that key stay' : 'those keys stay'} refused.`,
  html`<input type="hidden" name="revoke_keys" value="true">`,
  html`<button type="submit" id="standing-keys-${u.id}" class="link-button" data-then-focus="standing-${u.id}">Reactivate, revoke keys<span class="visually-hidden"> of ${who}</span></button>`,
)}`;
}

export interface UsersView {
  users: User[];
  plans: Plan[];
  /** active API keys per user id (absent: none) */
  activeKeys: Map<number, number>;
  me: number;
  csrfToken: string;
  secret?: Secret | null;
  /** after a transfer of one user's links and QR codes to another */
  transferred?: TransferDone | null;
  error?: FieldError;
  values?: { email: string; role: string; plan: string };
}

export function usersPage(v: UsersView): SafeHtml {
  // plan '': the role's default (users.service: free, or enterprise for an admin, whose own first key free would refuse)
  const f = v.values ?? { email: '', role: 'member', plan: '' };
  // each invite field's error is named invite-FIELD, as its input's id
  const aria = (field: string) => inputAria(`invite-${field}`, messageFor(v.error, field));
  const error = (field: string) => fieldErrorText(`invite-${field}`, messageFor(v.error, field), true);
  return html`<header class="page-head"><h1>Users</h1><p class="muted">Everyone who can sign in to this shrinkray, with their role and plan.</p></header>
${v.secret
  ? html`<section class="secret" role="status" aria-labelledby="secret-title" data-confirmation>
<h2 id="secret-title">${v.secret.why === 'created' ? 'User created' : 'Password reset'}: temporary password for <bdi>${visibleChars(v.secret.email)}</bdi></h2>
<p><code class="secret-value">${v.secret.password}</code></p>
<p>It is shown only this once: copy it now and hand it over privately. ${v.secret.why === 'reset' ? `Their sessions have ended. ${resetKeysText(v.secret.keys)}` : ''}They choose their own password after signing in.</p>
</section>`
  : ''}
${v.transferred ? transferNotice(v.transferred) : ''}
<section class="card" aria-labelledby="invite-title">
<h2 id="invite-title">Create a user</h2>
<form method="post" action="/dashboard/users" class="invite-form" hx-boost="true" hx-push-url="false">${csrfField(v.csrfToken)}
<div class="field"><label for="invite-email">Email</label><input type="email" id="invite-email" name="email" value="${f.email}" required autocomplete="off"${aria('email')}>${error('email')}</div>
<div class="field"><label for="invite-role">Role</label><select id="invite-role" name="role"${aria('role')}><option value="member"${selected(f.role !== 'admin')}>Member</option><option value="admin"${selected(f.role === 'admin')}>Admin</option></select>${error('role')}</div>
<div class="field"><label for="invite-plan">Plan</label><select id="invite-plan" name="plan"${aria('plan')}><option value=""${selected(f.plan === '')}>Default: free, enterprise for an admin</option>${v.plans.map((p) => html`<option value="${p.name}"${selected(p.name === f.plan)}>${p.name}</option>`)}</select>${error('plan')}</div>
<div class="form-actions"><button type="submit" class="button">Create user</button></div>
</form>
<p class="hint">shrinkray generates a temporary password and shows it once; the new user must change it at first sign-in.</p>
</section>
<div class="table-wrap"><table class="data users-table">
<caption class="visually-hidden">Users</caption>
<thead><tr><th scope="col">Email</th><th scope="col">Role</th><th scope="col">Plan</th><th scope="col">Status</th><th scope="col">Created</th><th scope="col">API keys</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
<tbody>${v.users.map((user) => userRow({ user, plans: v.plans, activeKeys: v.activeKeys.get(user.id) ?? 0, me: v.me, csrfToken: v.csrfToken }))}</tbody>
</table></div>`;
}

const FEATURES: [keyof Plan, string, string][] = [
  ['apiAccess', 'api_access', 'API access'],
  ['customAlias', 'custom_alias', 'Custom aliases'],
  ['password', 'password', 'Password-protected links'],
  ['expiry', 'expiry', 'Link expiry'],
  ['qrColors', 'qr_colors', 'QR colours'],
];

export function planForm(p: { plan: Plan; csrfToken: string; error?: FieldError; saved?: boolean; values?: { rate_limit: string; max_links: string } }): SafeHtml {
  const pl = p.plan;
  const id = `plan-${pl.id}`;
  const action = `/dashboard/plans/${encodeURIComponent(pl.name)}`;
  const rate = p.values?.rate_limit ?? String(pl.rateLimitPerMinute);
  const max = p.values?.max_links ?? (pl.maxLinks === null ? '' : String(pl.maxLinks));
  // aria-describedby names the error only while there is one: an id that points nowhere is noise to a screen reader's checker
  const error = (f: string) => fieldErrorText(`${id}-${f}`, messageFor(p.error, f), true);
  return html`<form class="plan-card card" id="${id}" method="post" action="${action}" hx-post="${action}" hx-target="this" hx-swap="outerHTML" aria-labelledby="${id}-title">
${csrfField(p.csrfToken)}<h2 id="${id}-title">${pl.name}</h2>
<div class="field"><label for="${id}-rate">API requests per minute, per key</label>
<input type="number" id="${id}-rate" name="rate_limit" value="${rate}" min="1" step="1" required inputmode="numeric"${inputAria(`${id}-rate_limit`, messageFor(p.error, 'rate_limit'))}>${error('rate_limit')}</div>
<div class="field"><label for="${id}-max">Maximum links</label>
<input type="number" id="${id}-max" name="max_links" value="${max}" min="0" step="1" inputmode="numeric" placeholder="Unlimited"${inputAria(`${id}-max_links`, messageFor(p.error, 'max_links'), `${id}-max-hint`)}>
<p class="hint" id="${id}-max-hint">Leave blank for unlimited.</p>${error('max_links')}</div>
<fieldset class="field-group"><legend>Features</legend>
${FEATURES.map(([key, name, label]) => html`<label class="check"><input type="checkbox" name="${name}" value="true"${pl[key] ? html` checked` : ''}> ${label}</label>`)}
</fieldset>
<div class="form-actions"><button type="submit" class="button" id="save-plan-${pl.name}">Save ${pl.name}</button>${p.saved ? html` <span class="row-status" data-announce role="status">Saved.</span>` : ''}</div>
</form>`;
}

export function plansPage(p: { plans: Plan[]; csrfToken: string }): SafeHtml {
  return html`<header class="page-head"><h1>Plans</h1><p class="muted">Limits and features of each plan. Changes apply to every user on the plan at their next request.</p></header>
<div class="plan-grid">${p.plans.map((plan) => planForm({ plan, csrfToken: p.csrfToken }))}</div>`;
}

// anonymous links make / the public shorten form: a ROOT_REDIRECT set then is shown, and why it does nothing
function rootRedirectValue(c: Config): string {
  if (!c.anonymousLinks) return c.rootRedirect ?? 'not set: / opens the dashboard';
  return c.rootRedirect === null ? 'not set: / is the public shorten form' : `${c.rootRedirect} (not used: anonymous links make / the public shorten form)`;
}

export function settingsPage(c: Config): SafeHtml {
  const onOff = (b: boolean) => (b ? 'on' : 'off');
  const rows: [string, string, string, string][] = [
    ['Base URL (origin of every short link)', c.baseUrl, 'BASE_URL', '--base-url'],
    ['Anonymous links (public shorten form and anonymous APIs)', onOff(c.anonymousLinks), 'ANONYMOUS_LINKS', '--anonymous-links'],
    ['Private targets (links to internal hosts)', onOff(c.allowPrivateTargets), 'ALLOW_PRIVATE_TARGETS', '--allow-private-targets'],
    ['Trust proxy (client IP from X-Forwarded-For)', onOff(c.trustProxy), 'TRUST_PROXY', '--trust-proxy'],
    ['Open Graph fetch (page titles and previews)', onOff(c.ogFetch), 'OG_FETCH', '--og-fetch'],
    ['Log level', c.logLevel, 'LOG_LEVEL', '--log-level'],
    ['Root redirect (where / sends visitors)', rootRedirectValue(c), 'ROOT_REDIRECT', '--root-redirect'],
    ['Not-found redirect (unknown, deleted, expired and paused links)', c.notFoundRedirect ?? 'not set: the 404 page', 'NOT_FOUND_REDIRECT', '--not-found-redirect'],
    ['Raw click retention (analytics are kept whatever it says)', c.clickRetentionDays === 0 ? '0: raw clicks kept forever' : `${c.clickRetentionDays} days`, 'CLICK_RETENTION_DAYS', '--click-retention-days'],
    ['Metrics token (/metrics answers only with it)', c.metricsToken === null ? 'not set: /metrics is open' : 'set', 'METRICS_TOKEN', '--metrics-token'],
    ['Data directory (SQLite database)', c.dataDir, 'DATA_DIR', '--data-dir'],
    ['Listen address', c.host, 'HOST', '--host'],
    ['Port', String(c.port), 'PORT', '--port'],
  ];
  return html`<header class="page-head"><h1>Settings</h1>
<p class="muted">The running configuration, read once at start-up. To change a setting, set its environment variable (or pass the flag, which wins) and restart shrinkray; a restart is needed for any change to take effect.</p></header>
<div class="table-wrap"><table class="data settings-table">
<caption class="visually-hidden">Running configuration</caption>
<thead><tr><th scope="col">Setting</th><th scope="col">Current value</th><th scope="col">Environment variable</th><th scope="col">Flag</th></tr></thead>
<tbody>${rows.map(([label, value, env, flag]) => html`<tr><th scope="row">${label}</th><td data-label="Current value"><code>${value}</code></td><td data-label="Environment variable"><code>${env}</code></td><td data-label="Flag"><code>${flag}</code></td></tr>`)}</tbody>
</table></div>
<p class="hint">Example: <code>ANONYMOUS_LINKS=true shrinkray serve</code> or <code>shrinkray serve --anonymous-links true</code>.</p>`;
}
