/**
 * Link analytics: the page header, and the #analytics section that the range
 * picker swaps (htmx) without reloading the page. Everything a visitor or a
 * fetched page controls — titles, destinations, referrer domains, browser
 * names — goes through html`` and is escaped.
 */
import type { LinkAnalytics } from '../../src/clicks/analytics.service.ts';
import type { Link } from '../../src/links/links.types.ts';
import type { RangeChoice } from '../../src/web/analytics-range.ts';
import { html, type SafeHtml } from '../html.ts';
import { displayUrl, hostWrittenNote, titleChars } from '../url-display.ts';
import { barList, timeSeriesChart, type BarRow } from './charts.ts';
import { fieldErrorText, inputAria, type FieldError } from './field-error.ts';

export interface AnalyticsView {
  link: Link;
  shortUrl: string;
  range: RangeChoice;
  /** today's date, UTC: the day the presets end on, which is not everyone's today */
  today: string;
  /** null when the range could not be read (error says why) */
  data: LinkAnalytics | null;
  error?: FieldError;
}

const PRESET_LABELS: Record<string, string> = { '7': '7 days', '30': '30 days', '90': '90 days' };
const DEVICES: Record<string, string> = { desktop: 'Desktop', mobile: 'Mobile', tablet: 'Tablet', other: 'Other', bot: 'Bot' };
export const SOURCES: Record<string, string> = { link: 'Short link', qr: 'QR code scan' };
/** what the page calls a visit without a referrer */
export const DIRECT = 'Direct or unknown';

const fmt = (n: number) => n.toLocaleString('en-US');
const when = (ms: number | null) =>
  ms === null ? html`Never` : html`<time datetime="${new Date(ms).toISOString()}">${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC</time>`;

// a fetched title is the destination page's words: it must not turn the heading (or the page title) around
export const linkName = (link: Link) => titleChars(link.title?.trim() || link.code);
const base = (link: Link) => `/dashboard/links/${link.id}/analytics`;
const query = (r: RangeChoice) => (r.key === 'custom' ? `from=${r.from}&to=${r.to}` : `range=${r.key}`);

function rows(values: { value: string; clicks: number }[], labels: Record<string, string> = {}, unknown = 'Unknown'): BarRow[] {
  return values.map((v) => ({ label: v.value ? (labels[v.value] ?? v.value) : unknown, count: v.clicks }));
}

function picker(v: AnalyticsView): SafeHtml {
  const swap = (href: string) => html`href="${href}" hx-get="${href}" hx-target="#analytics" hx-swap="outerHTML" hx-push-url="true"`;
  // one message for the pair of dates, under the range-error id
  const err = v.error?.message;
  return html`<div class="range-picker">
<nav aria-label="Date range"><ul class="segmented">
${Object.entries(PRESET_LABELS).map(
  ([key, label]) => html`<li><a id="range-${key}" ${swap(`${base(v.link)}?range=${key}`)}${v.range.key === key ? html` aria-current="true"` : ''}>${label}</a></li>`,
)}
</ul></nav>
<form class="range-custom" method="get" action="${base(v.link)}" hx-get="${base(v.link)}" hx-target="#analytics" hx-swap="outerHTML" hx-push-url="true">
<label for="range-from">From</label>
<input type="date" id="range-from" name="from" value="${v.range.from}" required${inputAria('range', err, 'range-hint')}>
<label for="range-to">To</label>
<input type="date" id="range-to" name="to" value="${v.range.to}" required aria-describedby="range-hint">
<button type="submit" class="button secondary" id="range-apply">Apply</button>
${fieldErrorText('range', err, true)}
</form>
<a class="button secondary" href="${base(v.link)}.csv?${query(v.range)}" download>Export CSV</a>
<p class="hint" id="range-hint">Days are UTC days (midnight to midnight UTC); today is ${v.today} in UTC.</p>
</div>`;
}

function summary(v: AnalyticsView, d: LinkAnalytics): SafeHtml {
  const stat = (label: string, value: SafeHtml | string) => html`<div class="stat"><dt>${label}</dt><dd>${value}</dd></div>`;
  return html`<dl class="stats">
${stat('Clicks', fmt(d.summary.totalClicks))}
${d.summary.uniqueScope === 'lifetime' ? stat('Unique visitors', fmt(d.summary.uniqueClicks)) : stat('New visitors', fmt(d.summary.uniqueClicks))}
${stat('Last click', when(d.summary.lastClickedAt))}
${stat('All-time clicks', fmt(v.link.totalClicks))}
</dl>`;
}

function emptyState(v: AnalyticsView): SafeHtml {
  return html`<div class="empty-state">
<h2>No clicks yet</h2>
<p>Share your link: clicks appear here within a second.</p>
<p><code class="short-url">${v.shortUrl}</code></p>
<p><a class="button secondary" href="/dashboard/qrcodes/new?link_id=${v.link.id}">Make a QR code for it</a></p>
</div>`;
}

export function analyticsSection(v: AnalyticsView): SafeHtml {
  const d = v.data;
  if (d && v.link.totalClicks === 0 && d.summary.totalClicks === 0) return html`<section id="analytics" class="analytics" data-view-summary="No clicks yet.">${emptyState(v)}</section>`;
  const range = html`${v.range.from} to ${v.range.to}`;
  // read out when another range is picked (public/js/dashboard.js): the numbers change with nothing focused on them
  const said = d ? `${v.range.from} to ${v.range.to}: ${fmt(d.summary.totalClicks)} ${d.summary.totalClicks === 1 ? 'click' : 'clicks'}.` : null;
  return html`<section id="analytics" class="analytics" aria-labelledby="analytics-range"${said ? html` data-view-summary="${said}"` : null}>
${picker(v)}
<h2 id="analytics-range" class="range-title">${range}</h2>
${d
  ? html`${summary(v, d)}
<div class="card chart-card">${timeSeriesChart({ subject: linkName(v.link), from: d.range.from, to: d.range.to, clicks: d.clicksOverTime, unique: d.uniqueOverTime })}</div>
<div class="breakdowns">
${barList({ id: 'bd-source', title: 'Source', rows: rows(d.sources, SOURCES), otherClicks: d.otherClicks.source })}
${barList({ id: 'bd-country', title: 'Countries', rows: d.countries.map((c) => ({ label: c.name, detail: c.code ?? undefined, count: c.clicks })), otherClicks: d.otherClicks.country })}
${barList({ id: 'bd-device', title: 'Devices', rows: rows(d.devices, DEVICES), otherClicks: d.otherClicks.device })}
${barList({ id: 'bd-os', title: 'Operating systems', rows: rows(d.os), otherClicks: d.otherClicks.os })}
${barList({ id: 'bd-browser', title: 'Browsers', rows: rows(d.browsers), otherClicks: d.otherClicks.browser })}
${barList({ id: 'bd-referrer', title: 'Referrers', rows: rows(d.referrers, {}, DIRECT), otherClicks: d.otherClicks.referrer })}
</div>`
  : html`<p class="muted">Pick a valid range to see the numbers.</p>`}
</section>`;
}

function idn(destination: string): SafeHtml | null {
  const note = hostWrittenNote(destination);
  return note ? html` <span class="small" id="host-written">(${note})</span>` : null;
}

export function analyticsPage(v: AnalyticsView): SafeHtml {
  return html`<header class="page-head"><div>
<p class="eyebrow"><a href="/dashboard">Links</a> / Analytics</p>
<h1 class="link-title">${linkName(v.link)}</h1>
<p class="muted clamp-3" title="${displayUrl(v.link.destination)}"><a href="${v.shortUrl}">${v.shortUrl}</a> → <span class="destination">${displayUrl(v.link.destination)}</span>${idn(v.link.destination)}</p>
${v.link.expiresAt === null ? null : html`<p class="muted small" id="link-expiry">${v.link.expiresAt <= Date.now() ? 'Expired' : 'Expires'} ${when(v.link.expiresAt)}</p>`}
</div></header>
${analyticsSection(v)}`;
}
