/**
 * The links home: a filter form, and the table fragment htmx swaps into
 * #links-table on search, sort, paging and bulk actions. Every link in the
 * table is a real href as well as an hx-get, so the page works without
 * script and a copied URL opens the same view. The sort state lives in
 * hidden inputs inside the fragment, tied to the filter form by the form=
 * attribute, so typing a search keeps the current sort.
 */
import type { Link, LinkStatus, Page } from '../../src/links/links.types.ts';
import { csrfField } from '../csrf-field.ts';
import { html, raw, type SafeHtml } from '../html.ts';
import { httpUrl } from '../layout.ts';
import { displayHostPath, displayUrl, hostWrittenNote, titleChars } from '../url-display.ts';

export type SortKey = 'code' | 'destination' | 'title' | 'clicks' | 'unique' | 'created';
export interface LinkView {
  q: string;
  /** only links of this standing ('' for all) */
  status: LinkStatus | '';
  sort: SortKey;
  dir: 'asc' | 'desc';
  page: number;
  /** admins: every user's links */
  all: boolean;
}
export const DEFAULT_VIEW: LinkView = { q: '', status: '', sort: 'created', dir: 'desc', page: 1, all: false };

/** The query string of a view, defaults left out so URLs stay short. */
export function viewQuery(v: LinkView, patch: Partial<LinkView> = {}): string {
  const x = { ...v, ...patch };
  const p = new URLSearchParams();
  if (x.q) p.set('q', x.q);
  if (x.status) p.set('status', x.status);
  if (x.sort !== DEFAULT_VIEW.sort || x.dir !== DEFAULT_VIEW.dir) {
    p.set('sort', x.sort);
    p.set('dir', x.dir);
  }
  if (x.page > 1) p.set('page', String(x.page));
  if (x.all) p.set('all', '1');
  const s = p.toString();
  return s ? `?${s}` : '';
}

export interface LinksTableProps {
  view: LinkView;
  page: Page<Link>;
  isAdmin: boolean;
  actorId: number;
  csrfToken: string;
  shortUrl: (code: string) => string;
  now: number;
  /** admins, every user's view: who owns the other users' links on the page (email by user id) */
  owners?: ReadonlyMap<number, string>;
}

export interface LinksPageProps extends LinksTableProps {
  /** the link just created, shown with its short URL */
  created?: Link | null;
  /** the link just edited, confirmed */
  saved?: Link | null;
}

const COPY_ICON = raw('<svg aria-hidden="true" viewBox="0 0 24 24" width="16" height="16"><rect x="9" y="9" width="11" height="11" rx="2" fill="none" stroke="currentColor" stroke-width="2"/><path d="M5 15V5a2 2 0 0 1 2-2h8" fill="none" stroke="currentColor" stroke-width="2"/></svg>');
const icon = (d: string) => raw(`<svg aria-hidden="true" viewBox="0 0 24 24" width="16" height="16" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"><path d="${d}"/></svg>`);
const ICONS = {
  edit: icon('M4 20h4L19 9l-4-4L4 16v4zM13.5 6.5l4 4'),
  stats: icon('M5 20v-8M12 20V4M19 20v-5'),
  pause: icon('M9 5v14M15 5v14'),
  play: icon('M7 4.5v15L19.5 12z'),
  trash: icon('M4 7h16M10 11v6M14 11v6M9 7V4h6v3M6 7l1 13h10l1-13'),
  duplicate: icon('M14 3H6v18h12V7zM14 3v4h4M12 11v6M9 14h6'),
  qr: icon('M4 4h6v6H4zM14 4h6v6h-6zM4 14h6v6H4zM14 14h2v2h-2zM18 18h2v2h-2zM14 18h2M18 14h2'),
};
// built on first use: constructing it loads ICU date data, ~12 ms that every start paid before its first redirect
let dateFmt: Intl.DateTimeFormat | undefined;
const utcDay = (ms: number) => (dateFmt ??= new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeZone: 'UTC' })).format(ms);
const iso = (ms: number) => new Date(ms).toISOString();
// the day shown is UTC's, which is not everyone's: the hover names the zone ("…Z" says it only to some)
const utcMinute = (ms: number) => `${iso(ms).slice(0, 16).replace('T', ' ')} UTC`;

// when a link stops (or stopped) answering: an admin cannot open another user's edit form to find out
const expiryNote = (l: Link, now: number): SafeHtml | null =>
  l.expiresAt === null
    ? null
    : html`<span class="expiry muted small">${l.expiresAt <= now ? 'expired' : 'expires'} <time datetime="${iso(l.expiresAt)}" title="${utcMinute(l.expiresAt)}">${utcDay(l.expiresAt)}</time></span>`;

export const copyButton = (text: string, label: string) =>
  html`<button type="button" class="icon-button" data-copy="${text}" aria-label="${label}" title="Copy">${COPY_ICON}</button>`;

export function linkStatus(l: Link, now: number): { key: 'active' | 'paused' | 'expired' | 'password'; label: string } {
  if (!l.isActive) return { key: 'paused', label: 'Paused' };
  if (l.expiresAt !== null && l.expiresAt <= now) return { key: 'expired', label: 'Expired' };
  if (l.passwordHash !== null) return { key: 'password', label: 'Password' };
  return { key: 'active', label: 'Active' };
}

const hostPath = (url: string) => url.replace(/^https?:\/\//, '');
const hostOf = (url: string) => hostPath(url).replace(/\/.*$/, '');
// the destination cell is cut to one line: its tooltip holds the whole address and, for an international host, its name as written
const destTitle = (destination: string) => {
  const note = hostWrittenNote(destination);
  return note ? `${displayUrl(destination)} (${note})` : displayUrl(destination);
};
const TABLE = html` hx-target="#links-table" hx-push-url="true" hx-indicator="#links-table"`;

/** Who a link belongs to, as an admin's table and export name it. */
export function ownerLabel(l: Link, owners: ReadonlyMap<number, string> | undefined): string {
  if (l.userId === null) return 'anonymous';
  return owners?.get(l.userId) ?? `user ${l.userId}`;
}

export function linkRow(l: Link, p: Pick<LinksTableProps, 'actorId' | 'csrfToken' | 'shortUrl' | 'now' | 'isAdmin' | 'owners'>): SafeHtml {
  const short = p.shortUrl(l.code);
  const dest = httpUrl(l.destination);
  const status = linkStatus(l, p.now);
  const own = l.userId === p.actorId;
  // an admin may pause or delete anyone's link (abuse, anonymous links), never edit it
  const manage = own || p.isAdmin;
  const owner = own ? null : ownerLabel(l, p.owners);
  const toggleAndDelete = html`<form method="post" action="/dashboard/links/${l.id}/toggle" hx-post="/dashboard/links/${l.id}/toggle" hx-target="closest tr" hx-swap="outerHTML">${csrfField(p.csrfToken)}<input type="hidden" name="active" value="${l.isActive ? '0' : '1'}"><button type="submit" class="icon-button" data-single-click id="toggle-${l.id}" title="${l.isActive ? 'Pause' : 'Activate'}">${l.isActive ? ICONS.pause : ICONS.play}<span class="sr-only">${l.isActive ? 'Pause' : 'Activate'} ${l.code}</span></button></form>
<form method="post" action="/dashboard/links/${l.id}/delete" hx-post="/dashboard/links/${l.id}/delete" hx-target="closest tr" hx-swap="outerHTML swap:150ms" hx-confirm="${owner === null ? `Delete ${l.code}? Its short URL stops working.` : l.userId === null ? `Delete ${l.code}, an anonymous link? Its short URL stops working.` : `Delete ${l.code}, a link of ${owner}? Its short URL stops working.`}">${csrfField(p.csrfToken)}<button type="submit" class="icon-button danger" title="Delete">${ICONS.trash}<span class="sr-only">Delete ${l.code}</span></button></form>`;
  return html`<tr id="link-${l.id}">
<td class="select">${manage ? html`<input type="checkbox" name="select_${l.id}" value="1" form="bulk-form" data-select aria-label="Select ${l.code}">` : null}</td>
<td data-label="Short link"><span class="short-cell"><a class="short" href="${short}" target="_blank" rel="noopener"><span class="code">${l.code}</span> <span class="host">${hostOf(short)}</span></a>${copyButton(short, `Copy ${short}`)}</span>${owner !== null && manage ? html`<span class="owner muted small" title="${l.userId === null ? 'Made through the public form or the API without a key' : owner}">Owner: <bdi>${owner}</bdi></span>` : null}</td>
<td data-label="Destination" class="truncate">${dest ? html`<a href="${dest}" title="${destTitle(l.destination)}" target="_blank" rel="noopener noreferrer nofollow">${displayHostPath(l.destination)}</a>` : html`<span title="${destTitle(l.destination)}">${displayUrl(l.destination)}</span>`}</td>
<td data-label="Title" class="truncate" title="${l.title === null ? '' : titleChars(l.title)}">${l.title !== null ? html`<bdi>${titleChars(l.title)}</bdi>` : html`<span class="muted">—</span>`}</td>
<td data-label="Clicks" class="num">${l.totalClicks.toLocaleString('en')}</td>
<td data-label="Unique" class="num">${l.uniqueClicks.toLocaleString('en')}</td>
<td data-label="Status"><span class="badge badge-${status.key}">${status.label}</span>${expiryNote(l, p.now)}</td>
<td data-label="Created" class="nowrap"><time datetime="${iso(l.createdAt)}" title="${utcMinute(l.createdAt)}">${utcDay(l.createdAt)}</time></td>
<td class="row-actions">${
    own
      ? html`<a class="icon-button" href="/dashboard/links/${l.id}/edit" title="Edit">${ICONS.edit}<span class="sr-only">Edit ${l.code}</span></a>
<a class="icon-button" href="/dashboard/links/${l.id}/analytics" title="Analytics">${ICONS.stats}<span class="sr-only">Analytics of ${l.code}</span></a>
<a class="icon-button" href="/dashboard/links/new?from=${l.id}" title="Duplicate">${ICONS.duplicate}<span class="sr-only">Duplicate ${l.code}</span></a>
<a class="icon-button" href="/dashboard/qrcodes/new?link_id=${l.id}" title="QR code">${ICONS.qr}<span class="sr-only">QR code for ${l.code}</span></a>
${toggleAndDelete}`
      : manage
        ? html`<a class="icon-button" href="/dashboard/links/${l.id}/analytics" title="Analytics">${ICONS.stats}<span class="sr-only">Analytics of ${l.code}</span></a>
${toggleAndDelete}`
        : html`<span class="muted small">Another user’s link</span>`
  }</td>
</tr>`;
}

const SORT_DEFAULT_DIR: Record<SortKey, 'asc' | 'desc'> = { code: 'asc', destination: 'asc', title: 'asc', clicks: 'desc', unique: 'desc', created: 'desc' };

function sortHeader(v: LinkView, key: SortKey, label: string, cls = ''): SafeHtml {
  const active = v.sort === key;
  const dir = active ? (v.dir === 'asc' ? 'desc' : 'asc') : SORT_DEFAULT_DIR[key];
  const href = `/dashboard${viewQuery(v, { sort: key, dir, page: 1 })}`;
  const ariaSort = active ? (v.dir === 'asc' ? 'ascending' : 'descending') : null;
  return html`<th scope="col"${cls ? html` class="${cls}"` : null}${ariaSort ? html` aria-sort="${ariaSort}"` : null}><a class="sort" id="sort-${key}" href="${href}" hx-get="${href}"${TABLE}>${label}<span class="sort-arrow" aria-hidden="true">${active ? (v.dir === 'asc' ? '▲' : '▼') : '↕'}</span></a></th>`;
}

function pagination(p: LinksTableProps): SafeHtml {
  const { total, perPage, page } = p.page;
  const pages = Math.max(1, Math.ceil(total / perPage));
  if (pages === 1) return html``;
  const link = (to: number, label: string, rel: string) => {
    // the same id when disabled (and focusable by script only): htmx can then keep the focus here at either end
    if (to < 1 || to > pages) return html`<span class="button secondary small" id="page-${rel}" tabindex="-1" aria-disabled="true">${label}</span>`;
    const href = `/dashboard${viewQuery(p.view, { page: to })}`;
    // ids: htmx puts the focus back on the control of the same id in the redrawn table (keyboard users stay put)
    return html`<a class="button secondary small" id="page-${rel}" rel="${rel}" href="${href}" hx-get="${href}"${TABLE}>${label}</a>`;
  };
  return html`<nav class="pagination" aria-label="Pages">${link(page - 1, '← Previous', 'prev')}<span class="page-of">Page ${page.toLocaleString('en')} of ${pages.toLocaleString('en')}</span>${link(page + 1, 'Next →', 'next')}</nav>`;
}

function emptyState(v: LinkView): SafeHtml {
  if (v.q) {
    const which = v.status ? ` among ${STATUS_WORDS[v.status]} links` : '';
    return html`<div class="empty-state" data-view-summary="No links match “${v.q}”${which}."><h2>No links match “${v.q}”${which}</h2><p>Try another word, or <a href="/dashboard${viewQuery(v, { q: '', page: 1 })}">clear the search</a>.</p></div>`;
  }
  if (v.status) {
    return html`<div class="empty-state" data-view-summary="No ${STATUS_WORDS[v.status]} links."><h2>No ${STATUS_WORDS[v.status]} links</h2><p><a href="/dashboard${viewQuery(v, { status: '', page: 1 })}">Show every link</a>.</p></div>`;
  }
  return html`<div class="empty-state" data-view-summary="No links yet."><h2>No links yet — create your first one</h2>
<p>Paste a long URL and get a short one you can share, track and change later.</p>
<p class="actions"><a class="button" href="/dashboard/links/new">Create a link</a><a class="button secondary" href="/dashboard/links/import">Import a CSV</a></p></div>`;
}

/** A standing as words in a sentence ("No paused links") and as the filter's options. */
const STATUS_WORDS: Record<LinkStatus, string> = { active: 'active', paused: 'paused', expired: 'expired', password: 'password-protected' };
const STATUS_OPTIONS: [LinkStatus | '', string][] = [['', 'Any status'], ['active', 'Active'], ['paused', 'Paused'], ['expired', 'Expired'], ['password', 'Password-protected']];

const SORT_WORDS: Record<SortKey, string> = { code: 'short link', destination: 'destination', title: 'title', clicks: 'clicks', unique: 'unique clicks', created: 'date created' };

/** What a redrawn table now shows, in words: read out after a search, sort or page (public/js/dashboard.js). */
function viewSummary(v: LinkView, first: number, last: number, total: number): string {
  const count = `${total.toLocaleString('en')} ${total === 1 ? 'link' : 'links'}`;
  const which = v.status ? ` (${STATUS_WORDS[v.status]})` : '';
  return `${v.q ? `${count} match “${v.q}”` : count}${which}, ${first} to ${last} shown, sorted by ${SORT_WORDS[v.sort]}, ${v.dir === 'asc' ? 'ascending' : 'descending'}.`;
}

/** The inside of #links-table: bulk bar, table (or empty state), pagination. */
export function linksTable(p: LinksTableProps): SafeHtml {
  const v = p.view;
  const { total, perPage, page, items } = p.page;
  const first = total === 0 ? 0 : (page - 1) * perPage + 1;
  const view = html`<input type="hidden" name="sort" value="${v.sort}" form="links-filter"><input type="hidden" name="dir" value="${v.dir}" form="links-filter">`;
  if (items.length === 0) return html`${view}${emptyState(v)}`;
  const keep = (['q', 'status', 'sort', 'dir', 'page'] as const).map((k) => html`<input type="hidden" name="${k}" value="${String(v[k])}">`);
  return html`${view}
<form id="bulk-form" class="bulk-bar" method="post" action="/dashboard/links/bulk" data-view-summary="${viewSummary(v, first, first + items.length - 1, total)}">
${csrfField(p.csrfToken)}${keep}${v.all ? html`<input type="hidden" name="all" value="1">` : null}
<span class="selected-count muted small" data-selected-count aria-live="polite">Select links to act on several at once</span>
<button type="submit" name="action" value="deactivate" class="button secondary small" data-bulk hx-post="/dashboard/links/bulk" hx-target="#links-table">Pause selected</button>
<button type="submit" name="action" value="activate" class="button secondary small" data-bulk hx-post="/dashboard/links/bulk" hx-target="#links-table">Activate selected</button>
<button type="submit" name="action" value="delete" class="button danger small" data-bulk hx-post="/dashboard/links/bulk" hx-target="#links-table" hx-confirm="${v.all ? 'Delete the selected links, other users’ and anonymous ones among them? Their short URLs stop working.' : 'Delete the selected links? Their short URLs stop working.'}">Delete selected</button>
<span class="spacer"></span>
<span class="muted small">${first.toLocaleString('en')}–${(first + items.length - 1).toLocaleString('en')} of ${total.toLocaleString('en')}</span>
<a class="button secondary small" href="/dashboard/links.csv${viewQuery(v, { page: 1 })}" download>Export CSV</a>
</form>
<div class="table-wrap">
<table class="data links">
<caption class="sr-only">Links, sorted by ${v.sort} ${v.dir === 'asc' ? 'ascending' : 'descending'}</caption>
<thead><tr>
<th scope="col" class="select"><input type="checkbox" data-select-all="[data-select]" aria-label="Select all links on this page"></th>
${sortHeader(v, 'code', 'Short link')}${sortHeader(v, 'destination', 'Destination')}${sortHeader(v, 'title', 'Title')}
${sortHeader(v, 'clicks', 'Clicks', 'num')}${sortHeader(v, 'unique', 'Unique', 'num')}
<th scope="col">Status</th>${sortHeader(v, 'created', 'Created')}<th scope="col"><span class="sr-only">Actions</span></th>
</tr></thead>
<tbody>${items.map((l) => linkRow(l, p))}</tbody>
</table>
</div>
${pagination(p)}`;
}

export function linksPageBody(p: LinksPageProps): SafeHtml {
  const v = p.view;
  const created = p.created ? { url: p.shortUrl(p.created.code), id: p.created.id } : null;
  return html`<div class="page-head"><h1>Links</h1>
<div class="actions"><a class="button secondary" href="/dashboard/links/import">Import CSV</a><a class="button" href="/dashboard/links/new">New link</a></div></div>
${created ? html`<div class="success created" role="status" data-confirmation data-shows="link-${created.id}">Your short link is ready: <a href="${created.url}" target="_blank" rel="noopener">${created.url}</a>${copyButton(created.url, `Copy ${created.url}`)}</div>` : null}
${p.saved ? html`<div class="success" role="status" data-confirmation data-shows="link-${p.saved.id}">Changes to <strong>${p.saved.code}</strong> saved.</div>` : null}
<form id="links-filter" class="toolbar" role="search" method="get" action="/dashboard">
<label for="q" class="sr-only">Search links</label>
<input type="search" id="q" name="q" value="${v.q}" placeholder="Search by title, destination or code" autocomplete="off" maxlength="200"
 hx-get="/dashboard" hx-trigger="input changed delay:300ms, search" hx-include="#links-filter"${TABLE}>
<label for="status" class="sr-only">Status</label>
<select id="status" name="status" hx-get="/dashboard" hx-trigger="change" data-save-on-commit hx-include="#links-filter"${TABLE}>${STATUS_OPTIONS.map(([value, label]) => html`<option value="${value}"${v.status === value ? html` selected` : null}>${label}</option>`)}</select>
${p.isAdmin ? html`<label class="checkbox switch"><input type="checkbox" name="all" value="1"${v.all ? html` checked` : null} hx-get="/dashboard" hx-trigger="change" hx-include="#links-filter"${TABLE}> All users</label>` : null}
<noscript><button type="submit" class="button secondary small">Search</button></noscript>
</form>
<div id="links-table" class="links-table">${linksTable(p)}</div>`;
}

export interface ImportRowResult {
  line: number;
  url: string;
  /** the created link's short URL, or the error message */
  shortUrl?: string;
  error?: string;
}

/** What POST /dashboard/links/import answers into #import-result. */
/** fetchesTitles: the server is fetching the page titles of links created without one (OG_FETCH) */
export function importResult(r: { rows: ImportRowResult[]; fetchesTitles: boolean; notice?: string } | { error: string }): SafeHtml {
  if ('error' in r) return html`<p class="alert" role="alert">${r.error}</p>`;
  const ok = r.rows.filter((x) => x.shortUrl).length;
  const failed = r.rows.length - ok;
  return html`<section class="card stack" aria-labelledby="import-h">
<h2 id="import-h">Imported ${ok} of ${r.rows.length} ${r.rows.length === 1 ? 'row' : 'rows'}</h2>
${r.notice ? html`<p class="notice">${r.notice}</p>` : ''}${failed ? html`<p class="alert">${failed} ${failed === 1 ? 'row' : 'rows'} could not be imported; see the messages below.</p>` : html`<p class="success" role="status">Every row was imported.${r.fetchesTitles ? ' Titles are being fetched in the background.' : ''}</p>`}
<div class="table-wrap"><table class="data">
<thead><tr><th scope="col" class="num">Line</th><th scope="col">URL</th><th scope="col">Result</th></tr></thead>
<tbody>${r.rows.map(
    (x) => html`<tr class="${x.error ? 'failed' : 'created'}"><td data-label="Line" class="num">${x.line}</td><td data-label="URL" class="truncate" title="${displayUrl(x.url)}"><span>${displayUrl(x.url)}</span></td>
<td data-label="Result"><span>${x.shortUrl ? html`<span class="badge badge-active">Created</span> <a href="${x.shortUrl}" target="_blank" rel="noopener">${hostPath(x.shortUrl)}</a>` : html`<span class="badge badge-expired">Error</span> ${x.error}`}</span></td></tr>`,
  )}</tbody></table></div>
<p><a class="button secondary" href="/dashboard">Back to your links</a></p>
</section>`;
}

export function importPageBody(p: { csrfToken: string; maxRows: number; csv?: string; result?: SafeHtml | null }): SafeHtml {
  return html`<div class="page-head"><h1>Import links</h1><div class="actions"><a class="button secondary" href="/dashboard">Back to links</a></div></div>
<section class="card stack">
<p>A CSV with a header row naming a <code>url</code> column (and optionally <code>alias</code>, <code>title</code>, <code>expires_at</code> and <code>status</code>, as the export writes them; Shlink, Kutt, YOURLS and Bitly column names are understood too), or no header and one URL per line. Up to ${p.maxRows.toLocaleString('en')} rows at a time; each row is created or reported on its own.</p>
<form class="stack" method="post" action="/dashboard/links/import" hx-post="/dashboard/links/import" hx-target="#import-result" hx-indicator="#import-progress" hx-disabled-elt="find button[type=submit]">
${csrfField(p.csrfToken)}
<div class="field"><label for="csv-file">CSV file</label><input type="file" id="csv-file" accept=".csv,text/csv,text/plain" data-csv-into="#csv" aria-describedby="csv-file-hint">
<p class="hint" id="csv-file-hint">Choosing a file fills the box below, where you can check it before importing.</p></div>
<div class="field"><label for="csv">CSV</label><textarea id="csv" name="csv" rows="8" spellcheck="false" placeholder="url,alias,title&#10;https://example.com/spring-sale,spring,Spring sale">${p.csv ?? ''}</textarea></div>
<div class="form-actions"><button class="button" type="submit">Import</button>
<span id="import-progress" class="htmx-indicator progress-note" role="status"><span class="spinner" aria-hidden="true"></span> Importing…</span></div>
</form>
</section>
<div id="import-result" aria-live="polite">${p.result ?? null}</div>`;
}
