/**
 * Create and edit a link. One form for both; after a validation error it is
 * rendered again with what the user typed (never the password) and each
 * message next to its field, tied to the input by aria-describedby. Plan
 * features the user lacks are shown disabled with the reason, so the form
 * never offers what the server will refuse. Times are UTC and say so.
 */
import type { RedirectMode } from '../../src/links/links.types.ts';
import { csrfField } from '../csrf-field.ts';
import { html, type SafeHtml } from '../html.ts';
import { displayUrl } from '../url-display.ts';
import { fieldErrorId, fieldErrorText as errorText, inputAria } from './field-error.ts';

export interface ScheduleValues {
  start: string;
  end: string;
  url: string;
}

export const UTM_KEYS = ['source', 'medium', 'campaign', 'term', 'content'] as const;

export interface LinkFormValues {
  url: string;
  code: string;
  title: string;
  expires_at: string;
  redirect_mode: RedirectMode;
  utm: Record<(typeof UTM_KEYS)[number], string>;
  schedules: ScheduleValues[];
  remove_password: boolean;
  /** the bridge page's card: overrides of what the destination's page says about itself */
  page_title: string;
  description: string;
  thumbnail_url: string;
  bridge_delay: string;
}

/** The core's bounds for the preview fields (links.service.ts clips and clamps to these). */
export const PREVIEW_LIMITS = { pageTitle: 500, description: 1000, thumbnailUrl: 2048, delayMax: 60 } as const;

export interface LinkFormProps {
  mode: 'new' | 'edit';
  action: string;
  csrfToken: string;
  values: LinkFormValues;
  errors: Record<string, string>;
  /** the schedule row errors.schedules is about, and which of its inputs to mark */
  scheduleError?: { row: number; inputs: readonly ('start' | 'end' | 'url')[] } | null;
  formError?: string | null;
  /** new: the plan's link limit is reached, in the account page's words (a form that cannot succeed says so first) */
  limitNote?: string | null;
  features: { customAlias: boolean; password: boolean; expiry: boolean; planName: string };
  /** the origin and slash every code is appended to */
  shortPrefix: string;
  utmPreview: SafeHtml;
  /** edit only: the link already has a password */
  hasPassword?: boolean;
  /** where Cancel (and, for an edit, saving) goes: the list view the form was opened from */
  back: string;
  /** new only: the link this form copies, and its short link without the scheme */
  duplicateOf?: { id: number; shortLink: string };
  /** new only: opened with values in its address (the bookmarklet) */
  prefilled?: boolean;
}

const planBadge = (allowed: boolean) => (allowed ? null : html` <span class="badge badge-warning">Pro</span>`);

function textField(p: { name: string; label: string; value: string; error?: string; hint?: string; type?: string; attrs?: SafeHtml; disabled?: boolean }): SafeHtml {
  const hintId = p.hint ? `${p.name}-hint` : null;
  return html`<div class="field">
<label for="${p.name}">${p.label}</label>
<input id="${p.name}" name="${p.name}" type="${p.type ?? 'text'}" value="${p.value}"${p.disabled ? html` disabled` : null}${p.attrs ?? null}${inputAria(p.name, p.error, hintId)}>
${p.hint ? html`<p class="hint" id="${hintId}">${p.hint}</p>` : null}
${errorText(p.name, p.error)}
</div>`;
}

const MODES: { value: RedirectMode; label: string; hint: string }[] = [
  { value: 'direct', label: 'Direct', hint: 'Visitors go straight to the destination (302).' },
  { value: 'bridge', label: 'Bridge page', hint: 'A short page with the destination’s preview, then onwards; chat apps unfurl it.' },
  { value: 'preview', label: 'Safety preview', hint: 'Shows where the link goes; the visitor chooses to continue.' },
];

// a time with seconds (set through an API) is shown with them, and the input then takes them (its step is a minute)
const stepFor = (value: string): SafeHtml | null => (value.length > 19 ? html` step="0.001"` : value.length > 16 ? html` step="1"` : null);

function scheduleRow(i: number | '__i__', s: ScheduleValues, invalid: readonly string[] = []): SafeHtml {
  const id = (part: string) => `schedule_${part}_${i}`;
  // the fieldset's one message (#schedules-error) names this row: its refused inputs point to it
  const aria = (part: string) => (invalid.includes(part) ? html` aria-invalid="true" aria-describedby="${fieldErrorId('schedules')}"` : null);
  return html`<div class="schedule-row" data-row>
<div class="field"><label for="${id('start')}">Starts (UTC)</label><input type="datetime-local" id="${id('start')}" name="${id('start')}" value="${s.start}"${stepFor(s.start)}${aria('start')}></div>
<div class="field"><label for="${id('end')}">Ends (UTC)</label><input type="datetime-local" id="${id('end')}" name="${id('end')}" value="${s.end}"${stepFor(s.end)}${aria('end')}></div>
<div class="field grow"><label for="${id('url')}">Alternate destination</label><input type="url" inputmode="url" id="${id('url')}" name="${id('url')}" value="${s.url}" placeholder="https://example.com/sale"${aria('url')}></div>
<button type="button" class="button ghost small" data-remove-row>Remove<span class="sr-only"> this schedule</span></button>
</div>`;
}

function schedulesBlock(p: LinkFormProps): SafeHtml {
  const rows = p.values.schedules.length ? p.values.schedules : [{ start: '', end: '', url: '' }];
  const error = p.errors.schedules;
  return html`<fieldset class="card stack">
<legend>Schedules</legend>
<p class="hint" id="schedules-hint">During a window, visitors go to the alternate destination instead. Leave a start or end empty for an open window. Rows left empty are ignored.</p>
${errorText('schedules', error)}
<div id="schedule-rows" class="stack" data-next-index="${rows.length}">${rows.map((s, i) => scheduleRow(i, s, error && p.scheduleError?.row === i ? p.scheduleError.inputs : []))}</div>
<template id="schedule-template">${scheduleRow('__i__', { start: '', end: '', url: '' })}</template>
<div><button type="button" class="button secondary small" data-add-row="#schedule-rows" data-template="#schedule-template">Add a schedule</button></div>
</fieldset>`;
}

/**
 * The bridge page's card. The fields hold what the page shows now, fetched or
 * typed (the core keeps one value of each, not both); an emptied field
 * removes that value, and an emptied preview title falls back to the link's
 * title. The core fetches the destination's preview when a link is created,
 * filling only the fields left empty.
 */
function previewBlock(p: LinkFormProps): SafeHtml {
  const { values: v, errors: e } = p;
  const L = PREVIEW_LIMITS;
  return html`<fieldset class="card stack">
<legend>Link card (bridge page)</legend>
<p class="hint" id="preview-hint">What the bridge page and chat apps’ link cards show; used only when visitors get the bridge page.${p.mode === 'new' ? ' Left empty, the image and description are the destination page’s own, fetched when the link is created, and the preview title is the link’s title.' : ' Empty a field to remove it; an empty preview title shows the link’s title.'}</p>
${textField({ name: 'page_title', label: 'Preview title', value: v.page_title, error: e.page_title, attrs: html` maxlength="${L.pageTitle}"` })}
<div class="field">
<label for="description">Description</label>
<textarea id="description" name="description" class="prose" rows="3" maxlength="${L.description}"${inputAria('description', e.description, 'description-hint')}>${v.description}</textarea>
<p class="hint" id="description-hint">Up to ${L.description} characters.</p>
${errorText('description', e.description)}
</div>
<div class="grid-2">
${textField({ name: 'thumbnail_url', label: 'Image URL', value: v.thumbnail_url, error: e.thumbnail_url, type: 'url', hint: 'An http(s) address of the picture on the card.', attrs: html` inputmode="url" maxlength="${L.thumbnailUrl}" autocomplete="off" placeholder="https://example.com/card.png"` })}
${textField({ name: 'bridge_delay', label: 'Delay (seconds)', value: v.bridge_delay, error: e.bridge_delay, type: 'number', hint: `How long the bridge page shows before going on: 0 to ${L.delayMax} (empty: 0, at once).`, attrs: html` min="0" max="${L.delayMax}" step="1" inputmode="numeric"` })}
</div>
</fieldset>`;
}

// the fields in the order the page shows them, for the summary of a form refused on several
const FIELD_ORDER = ['url', 'title', 'code', 'redirect_mode', 'password', 'expires_at', ...UTM_KEYS.map((k) => `utm_${k}`), 'page_title', 'description', 'thumbnail_url', 'bridge_delay', 'schedules'];

// a summary link lands on the input to mend, which takes the focus: its id is its name, but for the groups
const INPUT_OF: Record<string, string> = { redirect_mode: 'redirect_mode_direct', schedules: 'schedule_start_0' };

/**
 * A form refused on several fields says so before the form, each message a
 * link to its field's message, and takes the focus (public/js/dashboard.js):
 * a person learns at once how much there is to mend, not one fault a submit.
 */
function errorSummary(errors: Record<string, string>, scheduleError: LinkFormProps['scheduleError']): SafeHtml | null {
  const fields = Object.keys(errors).sort((a, b) => rank(a) - rank(b));
  if (fields.length < 2) return null;
  const target = (f: string) => (f === 'schedules' && scheduleError ? `schedule_${scheduleError.inputs[0]}_${scheduleError.row}` : (INPUT_OF[f] ?? (FIELD_ORDER.includes(f) ? f : fieldErrorId(f))));
  return html`<div class="alert error-summary" role="alert" id="error-summary" data-error-summary>
<p>${fields.length} fields need a change:</p>
<ul>${fields.map((f) => html`<li><a href="#${target(f)}">${errors[f]}</a></li>`)}</ul>
</div>`;
}
function rank(field: string): number {
  const i = FIELD_ORDER.indexOf(field);
  return i < 0 ? FIELD_ORDER.length : i;
}

/** The page's heading (and title): what the form does. */
export const linkFormTitle = (p: { mode: LinkFormProps['mode']; duplicateOf?: unknown }) => (p.mode === 'edit' ? 'Edit link' : p.duplicateOf ? 'Duplicate link' : 'New link');

export function linkFormBody(p: LinkFormProps): SafeHtml {
  const { values: v, errors: e, features: f } = p;
  const denied = (what: string) => `Your plan (${f.planName}) does not include ${what}.`;
  const utm = UTM_KEYS.map((k) =>
    textField({ name: `utm_${k}`, label: `utm_${k}`, value: v.utm[k], error: e[`utm_${k}`], attrs: html` maxlength="255" data-utm autocomplete="off"` }),
  );
  return html`<div class="page-head"><h1>${linkFormTitle(p)}</h1>
<div class="actions"><a class="button secondary" href="${p.back}">Cancel</a></div></div>
${p.duplicateOf ? html`<p class="hint" id="duplicate-of">A copy of <code>${p.duplicateOf.shortLink}</code> with its own short link. The password and expiry date are not copied.</p>` : null}
${p.prefilled ? html`<p class="hint" id="prefilled">Filled in from the page you were on. Nothing is saved until you create the link.</p>` : null}
${p.limitNote ? html`<p class="warning" role="status" id="link-limit">Your links: ${p.limitNote}</p>` : null}
${p.formError ? html`<p class="alert" role="alert" id="form-error">${p.formError}</p>` : null}
${errorSummary(e, p.scheduleError)}
<form class="link-form stack" method="post" action="${p.action}" novalidate>
${csrfField(p.csrfToken)}<input type="hidden" name="back" value="${p.back}">${p.duplicateOf ? html`<input type="hidden" name="from" value="${p.duplicateOf.id}">` : null}
<section class="card stack" aria-labelledby="dest-h">
<h2 id="dest-h">Destination</h2>
${textField({ name: 'url', label: 'Destination URL', value: v.url, error: e.url, type: 'url', attrs: html` inputmode="url" required maxlength="2048" placeholder="https://example.com/a/long/page" data-utm autocomplete="off"` })}
${textField({ name: 'title', label: 'Title', value: v.title, error: e.title, hint: p.mode === 'new' ? 'Leave empty to use the title of the page.' : undefined, attrs: html` maxlength="500"` })}
<div class="field">
<label for="code">Short link${planBadge(f.customAlias)}</label>
<div class="input-group"><span class="prefix" aria-hidden="true">${p.shortPrefix}</span>
<input id="code" name="code" type="text" value="${v.code}" maxlength="32" pattern="[A-Za-z0-9_\\-]{3,32}" autocomplete="off" spellcheck="false"${p.mode === 'new' ? html` placeholder="generated"` : null}${f.customAlias ? null : html` disabled`}${inputAria('code', e.code, 'code-hint')}></div>
<p class="hint" id="code-hint">${f.customAlias ? '3 to 32 letters A–Z or a–z, digits, - or _. Case-sensitive.' + (p.mode === 'new' ? ' Leave empty for a generated code.' : '') : denied('custom aliases')}</p>
${errorText('code', e.code)}
</div>
</section>
<fieldset class="card stack">
<legend>When someone opens it</legend>
<div class="radio-cards">
${MODES.map(
  (m) => html`<label class="radio-card"><input type="radio" name="redirect_mode" id="redirect_mode_${m.value}" value="${m.value}"${v.redirect_mode === m.value ? html` checked` : null}>
<span><strong>${m.label}</strong><span class="hint">${m.hint}</span></span></label>`,
)}
</div>
${errorText('redirect_mode', e.redirect_mode)}
</fieldset>
<fieldset class="card stack">
<legend>Protection</legend>
<div class="grid-2">
<div class="field">
<label for="password">Password${planBadge(f.password)}</label>
<input id="password" name="password" type="password" autocomplete="new-password" maxlength="256"${f.password ? null : html` disabled`}${inputAria('password', e.password, 'password-hint')}>
<p class="hint" id="password-hint">${!f.password ? denied('password-protected links') : p.hasPassword ? 'This link has a password. Type a new one to replace it. The password page takes the place of a bridge or preview page.' : 'Visitors must enter it before they are sent on; the password page takes the place of a bridge or preview page.'}</p>
${errorText('password', e.password)}
${p.hasPassword ? html`<label class="checkbox"><input type="checkbox" name="remove_password" value="1"${v.remove_password ? html` checked` : null}> Remove the password</label>` : null}
</div>
${textField({ name: 'expires_at', label: 'Expires (UTC)', value: v.expires_at, error: e.expires_at, type: 'datetime-local', attrs: stepFor(v.expires_at) ?? undefined, disabled: !f.expiry, hint: f.expiry ? 'Interpreted as UTC. Leave empty to keep the link forever.' : denied('expiry dates') })}
</div>
</fieldset>
<fieldset class="card stack">
<legend>UTM parameters</legend>
<p class="hint">Added to the destination on every visit. Existing values of the same name are replaced.</p>
<div class="grid-3">${utm}</div>
<div class="field"><span class="label" id="utm-preview-label">Tagged URL</span>
<output id="utm-preview" class="utm-preview" aria-labelledby="utm-preview-label" aria-live="polite" hx-get="/dashboard/links/utm-preview" hx-trigger="input changed delay:200ms from:[data-utm]" hx-include="[data-utm]" hx-swap="innerHTML">${p.utmPreview}</output></div>
</fieldset>
${previewBlock(p)}
${schedulesBlock(p)}
<div class="form-actions"><button class="button" type="submit">${p.mode === 'new' ? 'Create link' : 'Save changes'}</button>
<a class="button secondary" href="${p.back}">Cancel</a></div>
</form>`;
}

/** The tagged-URL preview: the destination with the UTM values applied, or why there is none yet. */
export function utmPreview(state: { url: string } | 'empty' | 'invalid'): SafeHtml {
  if (state === 'empty') return html`<span class="muted">Fill in a UTM field to see the tagged URL.</span>`;
  if (state === 'invalid') return html`<span class="muted">Enter a valid http(s) destination to see the tagged URL.</span>`;
  return html`<code>${displayUrl(state.url)}</code>`;
}
