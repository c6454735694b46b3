/**
 * API keys: a create form, the new key shown once (only its hash is kept),
 * and the list with last use and a revoke button per active key. The whole
 * screen is one #keys-panel that the create form swaps; a revoke swaps its row.
 */
import type { ApiKey, Plan } from '../../src/accounts/accounts.types.ts';
import { csrfField } from '../csrf-field.ts';
import { html, type SafeHtml } from '../html.ts';
import { titleChars, visibleChars } from '../url-display.ts';
import { fieldErrorText, inputAria } from './field-error.ts';
import { copyButton } from './links.ts';

export interface KeysProps {
  keys: ApiKey[];
  plan: Plan;
  csrfToken: string;
  /** the key just created: its only appearance */
  created?: { key: string; record: ApiKey } | null;
  nameError?: string | null;
  name?: string;
  /** the public origin, for the usage example */
  baseUrl: string;
}

// built on first use: loading ICU's date data at module load cost every start ~15 ms
let fmt: Intl.DateTimeFormat | undefined;
/** A time as the key lists show it (the user's own and an admin's view of theirs), or `none`, muted. */
export const when = (ms: number | null, none: string) =>
  ms === null
    ? html`<span class="muted">${none}</span>`
    : html`<time datetime="${new Date(ms).toISOString()}">${(fmt ??= new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' })).format(ms)} UTC</time>`;

export function keyRow(k: ApiKey, csrfToken: string): SafeHtml {
  const revoked = k.revokedAt !== null;
  return html`<tr id="key-${k.id}">
<td data-label="Name" class="key-name"><bdi>${titleChars(k.name)}</bdi></td>
<td data-label="Key" class="nowrap"><code>${k.prefix}…</code></td>
<td data-label="Created">${when(k.createdAt, '')}</td>
<td data-label="Last used">${when(k.lastUsedAt, 'Never')}</td>
<td data-label="Status">${
    revoked
      ? // the revoke button's id: htmx moves the keyboard focus here when the row is redrawn without the button
        html`<span class="badge badge-expired" id="revoke-${k.id}" tabindex="-1" title="Revoked ${new Date(k.revokedAt!).toISOString()}">Revoked</span>`
      : html`<span class="badge badge-active">Active</span>`
  }</td>
<td class="row-actions">${
    revoked
      ? null
      : html`<form method="post" action="/dashboard/keys/${k.id}/revoke" hx-post="/dashboard/keys/${k.id}/revoke" hx-target="closest tr" hx-swap="outerHTML" hx-confirm="Revoke the key “${visibleChars(k.name)}”? Programs using it stop working at once.">
${csrfField(csrfToken)}<button type="submit" class="button ghost small danger" id="revoke-${k.id}">Revoke<span class="sr-only"> ${titleChars(k.name)}</span></button></form>`
  }</td>
</tr>`;
}

function createdPanel(c: NonNullable<KeysProps['created']>): SafeHtml {
  return html`<section class="card key-once stack" role="status" aria-labelledby="new-key-h" data-confirmation data-shows="key-${c.record.id}">
<h2 id="new-key-h">Your new key “<bdi>${c.record.name}</bdi>”</h2>
<p class="warning"><strong>Copy it now.</strong> This is the only time it is shown; shrinkray keeps only a fingerprint of it.</p>
<div class="copy-field"><code id="new-key">${c.key}</code>${copyButton(c.key, 'Copy the new API key')}</div>
</section>`;
}

/** The "N active" beside the heading; `oob` sends it out of band with a revoked row, so it stays true. */
export function activeCount(n: number, oob = false): SafeHtml {
  return html`<span id="keys-active" class="muted small"${oob ? html` hx-swap-oob="true"` : null}>${n} active</span>`;
}

export function keysBody(p: KeysProps): SafeHtml {
  const active = p.keys.filter((k) => k.revokedAt === null).length;
  return html`<section id="keys-panel" class="stack">
<div class="page-head"><h1>API keys</h1></div>
${p.plan.apiAccess ? null : html`<p class="notice" role="status">Your plan (${p.plan.name}) has no API access: requests with these keys are refused with 403 until an admin moves you to another plan.</p>`}
${p.created ? createdPanel(p.created) : null}
<section class="card stack" aria-labelledby="create-key-h">
<h2 id="create-key-h">Create a key</h2>
<form class="inline-form" method="post" action="/dashboard/keys" hx-post="/dashboard/keys" hx-target="#keys-panel" hx-swap="outerHTML">
${csrfField(p.csrfToken)}
<div class="field grow"><label for="key-name">Name</label>
<input id="key-name" name="name" type="text" maxlength="100" placeholder="e.g. Zapier, CI, my laptop" value="${p.name ?? ''}" autocomplete="off"${inputAria('name', p.nameError, 'key-name-hint')}>
<p class="hint" id="key-name-hint">A label to recognise it by later.</p>
${fieldErrorText('name', p.nameError)}</div>
<div><button class="button" type="submit">Create key</button></div>
</form>
</section>
<section class="card stack" aria-labelledby="keys-h">
<h2 id="keys-h">Your keys ${activeCount(active)}</h2>
${
  p.keys.length === 0
    ? html`<div class="empty-state"><h3>No API keys yet</h3><p>Create one above to shorten links from scripts and other apps.</p></div>`
    : html`<div class="table-wrap"><table class="data">
<thead><tr><th scope="col">Name</th><th scope="col">Key</th><th scope="col">Created</th><th scope="col">Last used</th><th scope="col">Status</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
<tbody>${p.keys.map((k) => keyRow(k, p.csrfToken))}</tbody></table></div>`
}
<p class="hint">Send a key as <code>Authorization: Bearer KEY</code>, for example <code>curl -H "Authorization: Bearer KEY" ${p.baseUrl}/api/v1/links</code>. See the <a href="/docs">API documentation</a>.</p>
</section>
</section>`;
}
