/**
 * An admin's view of another user's API keys: name, created, last used and
 * status, with a revoke button per active key and one for all of them. Never
 * the key itself, nor its prefix: only the owner was shown the key, once.
 * A revoke swaps its row (and the active count, out of band).
 */
import type { ApiKey, User } from '../../src/accounts/accounts.types.ts';
import { csrfField } from '../csrf-field.ts';
import { html, type SafeHtml } from '../html.ts';
import { titleChars, visibleChars } from '../url-display.ts';
import { keysWord } from './admin.ts';
import { when } from './keys.ts';

export function userKeyRow(user: User, k: ApiKey, csrfToken: string): SafeHtml {
  const action = `/dashboard/users/${user.id}/keys/${k.id}/revoke`;
  return html`<tr id="user-key-${k.id}">
<th scope="row" class="key-name"><bdi>${titleChars(k.name)}</bdi></th>
<td data-label="Created">${when(k.createdAt, '')}</td>
<td data-label="Last used">${when(k.lastUsedAt, 'Never')}</td>
<td data-label="Status">${
    k.revokedAt !== null
      ? // the revoke button's id: htmx moves the keyboard focus here when the row is redrawn without the button
        html`<span class="badge badge-expired" id="revoke-user-key-${k.id}" tabindex="-1" title="Revoked ${new Date(k.revokedAt).toISOString()}">Revoked</span>`
      : user.isActive
        ? html`<span class="badge badge-active">Active</span>`
        : // "Active" beside a deactivated account read as working: it is refused until the account is reactivated
          html`<span class="badge badge-paused" title="Refused while the account is deactivated; works again if it is reactivated">Suspended</span>`
  }</td>
<td class="row-actions">${
    k.revokedAt !== null
      ? null
      : html`<form method="post" action="${action}" hx-post="${action}" hx-target="closest tr" hx-swap="outerHTML" hx-confirm="Revoke the key “${visibleChars(k.name)}” of ${visibleChars(user.email)}? Programs using it stop working at once.">
${csrfField(csrfToken)}<button type="submit" class="button ghost small danger" id="revoke-user-key-${k.id}">Revoke<span class="visually-hidden"> ${titleChars(k.name)}</span></button></form>`
  }</td>
</tr>`;
}

/** "N active" beside the heading; `oob` sends it with a revoked row, so it stays true. */
export function userKeysCount(n: number, oob = false): SafeHtml {
  return html`<span id="user-keys-active" class="muted small"${oob ? html` hx-swap-oob="true"` : null}>${n} active</span>`;
}

export function userKeysPage(p: { user: User; keys: ApiKey[]; csrfToken: string; revoked?: number }): SafeHtml {
  const u = p.user;
  const active = p.keys.filter((k) => k.revokedAt === null).length;
  const all = `/dashboard/users/${u.id}/keys/revoke`;
  return html`<header class="page-head"><h1>API keys of <bdi>${visibleChars(u.email)}</bdi></h1>
<p class="muted"><a href="/dashboard/users">All users</a>. Revoking a key stops every program using it at once; its owner can create a new one on their API keys screen.</p></header>
${p.revoked === undefined ? null : html`<p class="notice" role="status" data-confirmation>${p.revoked === 0 ? 'No active key to revoke.' : `${keysWord(p.revoked)} revoked.`}</p>`}
${u.isActive || active === 0 ? null : html`<p class="notice">This account is deactivated: its keys are refused until it is reactivated, and then ${active === 1 ? 'its active key works' : `its ${active} active keys work`} again unless revoked.</p>`}
<section class="card stack" aria-labelledby="user-keys-h">
<h2 id="user-keys-h">Keys ${userKeysCount(active)}</h2>
${
  p.keys.length === 0
    ? html`<p class="empty-state">This user has no API keys.</p>`
    : html`<div class="table-wrap"><table class="data">
<thead><tr><th scope="col">Name</th><th scope="col">Created</th><th scope="col">Last used</th><th scope="col">Status</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
<tbody>${p.keys.map((k) => userKeyRow(u, k, p.csrfToken))}</tbody></table></div>`
}
${active === 0 ? null : html`<form method="post" action="${all}" hx-boost="true" hx-push-url="false" hx-confirm="Revoke every active API key of ${visibleChars(u.email)}? Programs using them stop working at once.">${csrfField(p.csrfToken)}<button type="submit" class="button danger">Revoke all active keys</button></form>`}
</section>`;
}
