/**
 * The analytics export: one CSV with a row per day (clicks and unique
 * visitors) followed by a row per breakdown value, so a spreadsheet can
 * filter by the `section` column. Referrer domains, browser names and the
 * like come from visitors: a cell starting with = + - @ (or a tab or carriage
 * return) is prefixed with an apostrophe so spreadsheet programs show it as
 * text instead of running it as a formula (CSV injection). Labels are the
 * page's; a share is a number (the fraction of the section's clicks, 0-1) so
 * that it sums and sorts; a UTF-8 BOM first, or Excel on Windows reads the
 * file as ANSI and garbles every accented or non-Latin label.
 */
import type { LinkAnalytics } from '../clicks/analytics.service.ts';
import type { DayValue } from '../../views/dashboard/charts.ts';
import { fillDays } from '../../views/dashboard/charts.ts';
import { DIRECT, SOURCES } from '../../views/dashboard/analytics.ts';
import { csvLine as line } from './links-csv.ts';

export function analyticsCsv(a: LinkAnalytics): string {
  const rows: string[] = [`\uFEFF${line(['section', 'key', 'label', 'clicks', 'unique_clicks', 'share'])}`];
  const unique = new Map(a.uniqueOverTime.map((d) => [d.day, d.clicks]));
  for (const d of fillDays(a.clicksOverTime as DayValue[], a.range.from, a.range.to)) {
    rows.push(line(['day', d.day, null, d.clicks, unique.get(d.day) ?? 0, null]));
  }
  const section = (name: string, items: { key: string; label: string | null; clicks: number }[]) => {
    const total = items.reduce((s, i) => s + i.clicks, 0);
    for (const i of items) rows.push(line([name, i.key, i.label, i.clicks, null, total ? Number((i.clicks / total).toFixed(4)) : 0]));
  };
  section('country', a.countries.map((c) => ({ key: c.code ?? '', label: c.name, clicks: c.clicks })));
  // labelled as the page labels them: an empty key is a value no parser could name
  const plain = (vs: { value: string; clicks: number }[]) => vs.map((v) => ({ key: v.value, label: v.value === '' ? 'Unknown' : null, clicks: v.clicks }));
  section('device', plain(a.devices));
  section('os', plain(a.os));
  section('browser', plain(a.browsers));
  section('referrer', a.referrers.map((v) => ({ key: v.value, label: v.value === '' ? DIRECT : null, clicks: v.clicks })));
  section('source', a.sources.map((v) => ({ key: v.value, label: SOURCES[v.value] ?? null, clicks: v.clicks })));
  return rows.join('\r\n') + '\r\n';
}
