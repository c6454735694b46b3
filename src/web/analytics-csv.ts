/**
 * The analytics export: one CSV with a row per day (clicks and unique
 * visitors) followed by a row per breakdown value, so a spreadsheet can
 * filter by the `section` column. Referrer domains, browser names and the
 * like come from visitors: a cell starting with = + - @ (or a tab or carriage
 * return) is prefixed with an apostrophe so spreadsheet programs show it as
 * text instead of running it as a formula (CSV injection).
 */
import type { LinkAnalytics } from '../clicks/analytics.service.ts';
import type { DayValue } from '../../views/dashboard/charts.ts';
import { fillDays, percent } from '../../views/dashboard/charts.ts';
import { csvLine as line } from './links-csv.ts';

export function analyticsCsv(a: LinkAnalytics): string {
  const rows: string[] = [line(['section', 'key', 'label', 'clicks', 'unique_clicks', 'share'])];
  const unique = new Map(a.uniqueOverTime.map((d) => [d.day, d.clicks]));
  for (const d of fillDays(a.clicksOverTime as DayValue[], a.range.from, a.range.to)) {
    rows.push(line(['day', d.day, null, d.clicks, unique.get(d.day) ?? 0, null]));
  }
  const section = (name: string, items: { key: string; label: string | null; clicks: number }[]) => {
    const total = items.reduce((s, i) => s + i.clicks, 0);
    for (const i of items) rows.push(line([name, i.key, i.label, i.clicks, null, percent(i.clicks, total)]));
  };
  section('country', a.countries.map((c) => ({ key: c.code ?? '', label: c.name, clicks: c.clicks })));
  const plain = (vs: { value: string; clicks: number }[]) => vs.map((v) => ({ key: v.value, label: null, clicks: v.clicks }));
  section('device', plain(a.devices));
  section('os', plain(a.os));
  section('browser', plain(a.browsers));
  section('referrer', plain(a.referrers));
  section('source', plain(a.sources));
  return rows.join('\r\n') + '\r\n';
}
