/**
 * Charts drawn on the server as SVG: no chart library to download or embed,
 * nothing to run in the browser, and the same picture in every browser and
 * in the single binary. The SVG scales with its viewBox; colours come from
 * CSS classes (dashboard-extra.css) so dark mode works, and no inline style
 * is needed (the CSP forbids it). Accessibility: the SVG is one role="img"
 * with a summary, each day carries a <title> (the tooltip on hover), and a
 * visually hidden table holds every number for screen readers.
 */
import { html, type SafeHtml } from '../html.ts';

export interface DayValue {
  day: string; // YYYY-MM-DD
  clicks: number;
}

const DAY_MS = 86_400_000;
const W = 720;
const H = 240;
// room on the left for the counts at the size phones draw them (dashboard-extra.css)
const PAD = { left: 60, right: 12, top: 12, bottom: 34 };

const round = (n: number) => Math.round(n * 100) / 100;
const fmt = (n: number) => n.toLocaleString('en-US');
const plural = (n: number, one: string, many: string) => `${fmt(n)} ${n === 1 ? one : many}`;

/** Every day from `from` to `to` (inclusive, UTC), with 0 where the series has no row. */
export function fillDays(rows: readonly DayValue[], from: string, to: string): DayValue[] {
  const byDay = new Map(rows.map((r) => [r.day, r.clicks]));
  const out: DayValue[] = [];
  const end = Date.parse(`${to}T00:00:00Z`);
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= end; t += DAY_MS) {
    const day = new Date(t).toISOString().slice(0, 10);
    out.push({ day, clicks: byDay.get(day) ?? 0 });
  }
  return out;
}

/** A round step (1, 2 or 5 × 10^k, at least 1) so four steps reach max. */
export function niceStep(max: number): number {
  const raw = Math.max(1, max / 4);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw)!;
  return Math.max(1, Math.ceil(step));
}

export function shortDate(day: string): string {
  return new Date(`${day}T00:00:00Z`).toLocaleDateString('en-US', { month: 'short', day: 'numeric', timeZone: 'UTC' });
}

export interface TimeSeriesProps {
  /** what is charted, e.g. the link's name; hostile input, escaped */
  subject: string;
  from: string;
  to: string;
  clicks: readonly DayValue[];
  unique?: readonly DayValue[];
}

export function timeSeriesChart(p: TimeSeriesProps): SafeHtml {
  const days = fillDays(p.clicks, p.from, p.to);
  const unique = p.unique ? fillDays(p.unique, p.from, p.to) : null;
  const n = Math.max(days.length, 1);
  const max = Math.max(0, ...days.map((d) => d.clicks), ...(unique ?? []).map((d) => d.clicks));
  const step = niceStep(max);
  const top = step * Math.max(1, Math.ceil(max / step));
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const slot = plotW / n;
  const barW = slot * (n > 60 ? 0.85 : 0.7);
  const y = (v: number) => PAD.top + plotH - (v / top) * plotH;
  const total = days.reduce((s, d) => s + d.clicks, 0);
  const peak = days.reduce((best, d) => (d.clicks > best.clicks ? d : best), days[0] ?? { day: p.from, clicks: 0 });
  const summary =
    `Clicks per day for ${p.subject}, ${p.from} to ${p.to}: ${plural(total, 'click', 'clicks')} in total` +
    (total > 0 ? `, most on ${peak.day} (${fmt(peak.clicks)}).` : '.');

  const ticks: number[] = [];
  for (let v = 0; v <= top; v += step) ticks.push(v);
  const every = Math.ceil(n / 6);

  const grid = ticks.map(
    (v) => html`<line class="chart-grid" x1="${PAD.left}" x2="${W - PAD.right}" y1="${round(y(v))}" y2="${round(y(v))}"/><text class="chart-axis" x="${PAD.left - 6}" y="${round(y(v) + 4)}" text-anchor="end">${fmt(v)}</text>`,
  );
  const bars = days.map((d, i) => {
    const x = PAD.left + i * slot;
    const u = unique?.[i]?.clicks;
    const tip = `${d.day}: ${plural(d.clicks, 'click', 'clicks')}` + (u === undefined ? '' : `, ${plural(u, 'new visitor', 'new visitors')}`);
    return html`<g class="chart-day"><title>${tip}</title><rect class="hit" x="${round(x)}" y="${PAD.top}" width="${round(slot)}" height="${plotH}"/><rect class="bar" x="${round(x + (slot - barW) / 2)}" y="${round(y(d.clicks))}" width="${round(barW)}" height="${round(plotH - (y(d.clicks) - PAD.top))}"/></g>`;
  });
  // one day is one point, which a polyline does not draw: a level stroke across the day's bar instead
  const linePoints = (d: DayValue, i: number) =>
    n === 1 ? `${round(PAD.left + (slot - barW) / 2)},${round(y(d.clicks))} ${round(PAD.left + (slot + barW) / 2)},${round(y(d.clicks))}` : `${round(PAD.left + (i + 0.5) * slot)},${round(y(d.clicks))}`;
  const line = unique ? html`<polyline class="chart-line" points="${unique.map(linePoints).join(' ')}"/>` : '';
  const labels = days.map((d, i) =>
    i % every === 0 ? html`<text class="chart-axis" x="${round(PAD.left + (i + 0.5) * slot)}" y="${H - 10}" text-anchor="middle">${shortDate(d.day)}</text>` : '',
  );

  return html`<figure class="chart">
<svg class="chart-svg" viewBox="0 0 ${W} ${H}" preserveAspectRatio="xMidYMid meet" role="img" aria-label="${summary}" focusable="false">
<g>${grid}</g><g>${bars}</g>${line}<g>${labels}</g>
</svg>
<figcaption class="chart-legend"><span class="key key-bar">Clicks</span>${unique ? html` <span class="key key-line">New visitors</span>` : ''}</figcaption>
<div class="chart-data"><table>
<caption>${summary}</caption>
<thead><tr><th scope="col">Date</th><th scope="col">Clicks</th>${unique ? html`<th scope="col">New visitors</th>` : ''}</tr></thead>
<tbody>${days.map((d, i) => html`<tr><th scope="row">${d.day}</th><td>${d.clicks}</td>${unique ? html`<td>${unique[i]!.clicks}</td>` : ''}</tr>`)}</tbody>
</table></div>
</figure>`;
}

export interface BarRow {
  /** hostile input (referrer domains, browser names): escaped */
  label: string;
  /** a secondary label, e.g. a country code */
  detail?: string;
  count: number;
}

/** Percent with one decimal below 10 %, whole numbers above. */
export function percent(count: number, total: number): string {
  if (total <= 0) return '0%';
  const p = (count / total) * 100;
  return `${p < 10 ? Math.round(p * 10) / 10 : Math.round(p)}%`;
}

/** A ranked list with a number, a share and a bar per row (bars are SVG: widths without inline styles). */
export function barList(p: { id: string; title: string; rows: readonly BarRow[]; empty?: string; otherClicks?: number }): SafeHtml {
  // the values beyond those listed, as one row: shares are of every click, not of the listed ones
  const rows = p.otherClicks ? [...p.rows, { label: 'Other', count: p.otherClicks }] : p.rows;
  const total = rows.reduce((s, r) => s + r.count, 0);
  const body =
    rows.length === 0
      ? html`<p class="muted small">${p.empty ?? 'Nothing recorded in this period.'}</p>`
      : html`<ol class="bar-list">${rows.map(
          (r) => html`<li>
<span class="bar-label">${r.label}${r.detail ? html` <span class="muted">${r.detail}</span>` : ''}</span>
<span class="bar-num">${fmt(r.count)} <span class="muted">(${percent(r.count, total)})</span></span>
<svg class="bar-track" viewBox="0 0 100 6" preserveAspectRatio="none" aria-hidden="true" focusable="false"><rect class="bar-fill" width="${round(total ? (r.count / total) * 100 : 0)}" height="6"/></svg>
</li>`,
        )}</ol>`;
  return html`<section class="breakdown" aria-labelledby="${p.id}"><h3 id="${p.id}">${p.title}</h3>${body}</section>`;
}
