/**
 * QR codes: the list (#qr-list, swapped by search and pagination) and the
 * designer. The designer is a plain form that saves with a normal POST; htmx
 * also posts it to the preview endpoint on every change, which answers with
 * the image plus out-of-band updates of each field's error slot and of the
 * content hint, so the form validates live without any script of ours.
 * QR names and contents are hostile input: always escaped. The preview SVG
 * is rendered by our own qrcode call, the one raw() here.
 */
import type { Plan } from '../../src/accounts/accounts.types.ts';
import type { Link, Page } from '../../src/links/links.types.ts';
import type { QrCode } from '../../src/qr/qr.types.ts';
import type { QrField, QrFormValues } from '../../src/web/qr-form.ts';
import { csrfField } from '../csrf-field.ts';
import { html, raw, type SafeHtml } from '../html.ts';
import { displayUrl, titleChars, visibleChars } from '../url-display.ts';
import { ariaInvalid, messageFor, type FieldError } from './field-error.ts';

const TYPES: Record<string, { label: string; hint: string }> = {
  url: { label: 'Website (URL)', hint: 'The full address, e.g. https://example.com/menu.' },
  text: { label: 'Plain text', hint: 'Any text, shown to the person who scans it.' },
  email: { label: 'Email address', hint: 'An address such as hello@example.com; scanning opens a new email.' },
  sms: { label: 'Text message (SMS)', hint: 'A phone number, optionally followed by :message.' },
  phone: { label: 'Phone call', hint: 'A phone number with country code, e.g. +44 20 7946 0000.' },
};
const LEVELS: Record<string, string> = { L: 'L — 7 % recoverable', M: 'M — 15 %', Q: 'Q — 25 %', H: 'H — 30 % (survives a logo or damage)' };
const FIELDS: QrField[] = ['name', 'type', 'content', 'link_id', 'foreground_color', 'background_color', 'margin', 'size', 'error_correction'];

const date = (ms: number) => new Date(ms).toISOString().slice(0, 10);
// not between the halves of a surrogate pair: half an emoji shows as a replacement character
const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, /[\ud800-\udbff]/.test(s[n - 2]!) ? n - 2 : n - 1)}…` : s);
const listHref = (search: string, page: number) => `/dashboard/qrcodes?${new URLSearchParams({ ...(search ? { search } : {}), page: String(page) })}`;
const swapList = (href: string) => html`href="${href}" hx-get="${href}" hx-target="#qr-list" hx-swap="outerHTML" hx-push-url="true"`;

/** What the list shows; `dynamic`: the ids of the listed codes whose link still exists (their scans are counted). */
export interface QrListView {
  page: Page<QrCode>;
  dynamic: ReadonlySet<number>;
  search: string;
  csrfToken: string;
  /** arrived from deleting a code in the designer */
  deleted?: boolean;
}

export function qrList(p: QrListView): SafeHtml {
  const { items, total, page, perPage } = p.page;
  const pages = Math.max(1, Math.ceil(total / perPage));
  if (total === 0) {
    return html`<section id="qr-list" class="empty-state">${
      p.search
        ? html`<p data-view-summary="No QR codes match “${p.search}”.">No QR codes match “${p.search}”.</p>`
        : html`<h2>No QR codes yet</h2><p>Design one for a website, an email address or a phone number — or for one of your short links, so every scan is counted.</p><p><a class="button" href="/dashboard/qrcodes/new">Design a QR code</a></p>`
    }</section>`;
  }
  const row = (q: QrCode) => html`<tr id="qr-row-${q.id}">
<td class="qr-cell"><img class="qr-thumb" src="/dashboard/qrcodes/${q.id}/download/svg" alt="" width="48" height="48" loading="lazy"></td>
<td data-label="Name"><a href="/dashboard/qrcodes/${q.id}/edit" class="link-title">${q.name}</a></td>
<td data-label="Type">${TYPES[q.type]?.label ?? q.type}</td>
<td data-label="Content" class="destination">${clip(q.type === 'url' ? displayUrl(q.content) : q.content, 60)}</td>
<td data-label="Scans">${p.dynamic.has(q.id) ? html`<span class="badge badge-accent">Counts scans</span>` : html`<span class="muted">Static</span>`}</td>
<td data-label="Created"><time datetime="${new Date(q.createdAt).toISOString()}">${date(q.createdAt)}</time></td>
<td class="actions">
<a href="/dashboard/qrcodes/${q.id}/download/png" download>PNG<span class="visually-hidden"> of ${q.name}</span></a>
<a href="/dashboard/qrcodes/${q.id}/download/svg" download>SVG<span class="visually-hidden"> of ${q.name}</span></a>
<form method="post" action="/dashboard/qrcodes/${q.id}/delete" class="inline" hx-post="/dashboard/qrcodes/${q.id}/delete" hx-confirm="Delete the QR code “${visibleChars(q.name)}”? Printed copies of a linked code keep redirecting; scans stop being counted here." hx-target="closest tr" hx-swap="outerHTML">
${csrfField(p.csrfToken)}<button type="submit" class="link-button danger">Delete<span class="visually-hidden"> ${q.name}</span></button>
</form></td>
</tr>`;
  return html`<section id="qr-list">
<div class="table-wrap" data-view-summary="${total} QR code${total === 1 ? '' : 's'}${p.search ? ` match “${p.search}”` : ''}, page ${page} of ${pages}."><table class="data">
<caption class="visually-hidden">Your QR codes, newest first</caption>
<thead><tr><th scope="col"><span class="visually-hidden">Image</span></th><th scope="col">Name</th><th scope="col">Type</th><th scope="col">Content</th><th scope="col">Scans</th><th scope="col">Created</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
<tbody>${items.map(row)}</tbody>
</table></div>
<nav class="pagination" aria-label="Pages">
<span class="page-of">Page ${page} of ${pages} · ${total} QR code${total === 1 ? '' : 's'}</span>
${page > 1 ? html`<a id="qr-page-prev" ${swapList(listHref(p.search, page - 1))} rel="prev">Previous</a>` : html`<span id="qr-page-prev" class="muted" tabindex="-1" aria-disabled="true">Previous</span>`}
${page < pages ? html`<a id="qr-page-next" ${swapList(listHref(p.search, page + 1))} rel="next">Next</a>` : html`<span id="qr-page-next" class="muted" tabindex="-1" aria-disabled="true">Next</span>`}
</nav>
</section>`;
}

export function qrListPage(p: QrListView): SafeHtml {
  return html`<header class="page-head page-head-row"><h1>QR codes</h1><a class="button" href="/dashboard/qrcodes/new">New QR code</a></header>
${p.deleted ? html`<div class="success" role="status" data-confirmation>QR code deleted.</div>` : ''}
<form class="toolbar search" method="get" action="/dashboard/qrcodes" role="search">
<label for="qr-search" class="visually-hidden">Search QR codes by name</label>
<input type="search" id="qr-search" name="search" value="${p.search}" placeholder="Search by name" hx-get="/dashboard/qrcodes" hx-trigger="input changed delay:300ms, search" hx-target="#qr-list" hx-swap="outerHTML" hx-push-url="true" autocomplete="off">
</form>
${qrList(p)}`;
}

// every field has its slot even when empty: the preview's out-of-band swaps need a target to replace. An
// alert only after a submit: the live preview checks half-typed values ("5" on the way to "500"), and its
// messages are read with the field they describe instead (data-error-slot: dashboard.js marks it invalid)
const errorSlot = (field: string, error: FieldError, oob = false) => {
  const message = messageFor(error, field);
  return html`<p class="field-error" id="qr-err-${field}" data-error-slot${oob ? html` hx-swap-oob="true"` : ''}${message !== undefined ? html`${oob ? '' : html` role="alert"`}>${message}` : html`>`}</p>`;
};
const hint = (type: string, oob = false) => html`<p class="hint" id="qr-content-hint"${oob ? html` hx-swap-oob="true"` : ''}>${TYPES[type]?.hint ?? ''}</p>`;

/** What the preview endpoint answers: the image (or why there is none) and every field's error slot. */
export function qrPreview(p: { svg: string | null; error: FieldError; type: string; oob?: boolean }): SafeHtml {
  const image = p.svg
    ? html`<div class="qr-image" role="img" aria-label="Preview of the QR code">${raw(p.svg)}</div>`
    : html`<p class="muted">${p.error ? 'Fix the highlighted field to see the preview.' : 'Fill in the content to see a preview.'}</p>`;
  return p.oob === false ? image : html`${image}${FIELDS.map((f) => errorSlot(f, p.error, true))}${hint(p.type, true)}`;
}

export interface DesignerProps {
  qr: QrCode | null;
  values: QrFormValues;
  error: FieldError;
  links: Link[];
  shortUrl: (code: string) => string;
  plan: Plan;
  /** the code being edited has colours other than the defaults (saved on a plan that had them): they stay */
  keepsColours: boolean;
  svg: string | null;
  saved: boolean;
  csrfToken: string;
  /** the link asked for (?link_id=) or saved with the code is gone or not the user's: the picker shows it unlinked */
  linkGone: boolean;
  /** where Cancel leads: the page the designer was opened from */
  back: string;
}

export function qrDesignerPage(p: DesignerProps): SafeHtml {
  const v = p.values;
  const described = (f: string, extra = '') => html` aria-describedby="qr-err-${f}${extra}"${ariaInvalid(messageFor(p.error, f))}`;
  // pairs, not an object: an object lists number-like keys (link ids) first and ascending, which put the
  // oldest link first and preselected it when the one asked for was not among them
  const options = (pairs: [string, string][], current: string) =>
    pairs.map(([value, label]) => html`<option value="${value}"${value === current ? html` selected` : ''}>${label}</option>`);
  const typeLabels = Object.entries(TYPES).map(([k, t]): [string, string] => [k, t.label]);
  const linkLabels: [string, string][] = [
    ['', 'Not linked — encode the content as it is'],
    ...p.links.map((l): [string, string] => [String(l.id), clip(`${p.shortUrl(l.code)} — ${l.title?.trim() ? titleChars(l.title.trim()) : displayUrl(l.destination)}`, 90)]),
  ];
  const colours = !p.plan.qrColors;
  const colour = (f: 'foreground_color' | 'background_color', label: string) => html`<div class="field field-colour">
<label for="qr-${f}">${label}</label>
<input type="color" id="qr-${f}" name="${f}" value="${v[f].toLowerCase()}"${colours ? html` disabled` : ''}${described(f, colours ? ' qr-colour-note' : '')}>
${errorSlot(f, p.error)}</div>`;
  const action = p.qr ? `/dashboard/qrcodes/${p.qr.id}` : '/dashboard/qrcodes';

  return html`<header class="page-head"><div><p class="eyebrow"><a href="/dashboard/qrcodes">QR codes</a> / ${p.qr ? 'Edit' : 'New'}</p>
<h1>${p.qr ? p.qr.name : 'Design a QR code'}</h1></div></header>
${p.saved ? html`<div class="success" role="status" data-confirmation>Saved. Download it below, or keep adjusting.</div>` : ''}
${p.error ? html`<div class="alert" role="alert">${p.error.message}</div>` : ''}
${p.linkGone ? html`<div class="warning" role="status" id="qr-link-gone">${p.qr ? 'The short link this code counted its scans through no longer exists.' : 'The short link you chose no longer exists.'} The code is not linked: it encodes its content as it is.</div>` : ''}
<div class="qr-designer">
<form class="qr-form" method="post" action="${action}" hx-post="/dashboard/qrcodes/preview${p.qr ? `?id=${p.qr.id}` : ''}" hx-trigger="input changed delay:250ms" hx-target="#qr-preview" hx-swap="innerHTML" novalidate>
${csrfField(p.csrfToken)}<input type="hidden" name="back" value="${p.back}">
<div class="field"><label for="qr-name">Name</label>
<input type="text" id="qr-name" name="name" value="${v.name}" maxlength="255" required${described('name')}>${errorSlot('name', p.error)}</div>
<div class="field"><label for="qr-type">Type</label>
<select id="qr-type" name="type"${described('type')}>${options(typeLabels, v.type)}</select>${errorSlot('type', p.error)}</div>
<div class="field"><label for="qr-content">Content</label>
<textarea id="qr-content" name="content" rows="3" maxlength="1000" required${described('content', ' qr-content-hint')}>${v.content}</textarea>
${hint(v.type)}${errorSlot('content', p.error)}</div>
<div class="field"><label for="qr-link_id">Count scans through a short link</label>
<select id="qr-link_id" name="link_id"${described('link_id', ' qr-link-hint')}>${options(linkLabels, v.link_id)}</select>
<p class="hint" id="qr-link-hint">When linked, the code encodes the short link, scans show up in its analytics as QR scans, and you can change where it leads without reprinting.</p>
${errorSlot('link_id', p.error)}</div>
<fieldset class="field-group"><legend>Colours</legend>
${colour('foreground_color', 'Foreground')}${colour('background_color', 'Background')}
${colours ? html`<p class="hint" id="qr-colour-note">${p.keepsColours ? `This code keeps the colours it was saved with; your plan (${p.plan.name}) cannot change them.` : `Your plan (${p.plan.name}) prints black on white.`} Custom QR colours come with the Pro and Enterprise plans.</p>` : ''}
</fieldset>
<div class="field-row">
<div class="field"><label for="qr-margin">Margin (modules, 0–10)</label>
<input type="number" id="qr-margin" name="margin" value="${v.margin}" min="0" max="10" step="1" inputmode="numeric"${described('margin')}>${errorSlot('margin', p.error)}</div>
<div class="field"><label for="qr-size">Size (pixels, 100–1000)</label>
<input type="number" id="qr-size" name="size" value="${v.size}" min="100" max="1000" step="10" inputmode="numeric"${described('size')}>${errorSlot('size', p.error)}</div>
</div>
<div class="field"><label for="qr-error_correction">Error correction</label>
<select id="qr-error_correction" name="error_correction"${described('error_correction')}>${options(Object.entries(LEVELS), v.error_correction)}</select>${errorSlot('error_correction', p.error)}</div>
<div class="form-actions"><button type="submit" class="button">${p.qr ? 'Save changes' : 'Save QR code'}</button>
<a href="${p.back}" class="button secondary">Cancel</a></div>
</form>
<aside class="qr-preview-pane" aria-labelledby="qr-preview-title">
<h2 id="qr-preview-title">Preview</h2>
<div id="qr-preview">${qrPreview({ svg: p.svg, error: p.error, type: v.type, oob: false })}</div>
${p.qr
  ? html`<p class="downloads"><a class="button" href="/dashboard/qrcodes/${p.qr.id}/download/png" download>Download PNG</a>
<a class="button secondary" href="/dashboard/qrcodes/${p.qr.id}/download/svg" download>Download SVG</a></p>
<p class="hint">Downloads show the saved design; save first to include your changes.</p>
<form method="post" action="/dashboard/qrcodes/${p.qr.id}/delete" hx-post="/dashboard/qrcodes/${p.qr.id}/delete" hx-confirm="Delete the QR code “${visibleChars(p.qr.name)}”? Printed copies of a linked code keep redirecting; scans stop being counted here.">${csrfField(p.csrfToken)}<button type="submit" class="link-button danger">Delete this QR code</button></form>`
  : html`<p class="hint">Save it to download PNG and SVG files.</p>`}
</aside>
</div>`;
}
