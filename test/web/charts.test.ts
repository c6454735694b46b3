/** The server-rendered SVG charts: one bar per day (gaps filled with 0), titles with counts, escaping, accessibility. */
import { describe, expect, test } from 'bun:test';
import { barList, fillDays, niceStep, percent, timeSeriesChart } from '../../views/dashboard/charts.ts';

const count = (s: string, needle: string | RegExp) => (typeof needle === 'string' ? s.split(needle).length - 1 : (s.match(needle) ?? []).length);

describe('fillDays', () => {
  test('covers every day of the range, inclusive, with 0 where there is no row', () => {
    expect(fillDays([{ day: '2024-02-28', clicks: 2 }, { day: '2024-03-01', clicks: 5 }], '2024-02-27', '2024-03-02')).toEqual([
      { day: '2024-02-27', clicks: 0 },
      { day: '2024-02-28', clicks: 2 },
      { day: '2024-02-29', clicks: 0 },
      { day: '2024-03-01', clicks: 5 },
      { day: '2024-03-02', clicks: 0 },
    ]);
  });

  test('an empty series over one day is one zero day; a reversed range is empty', () => {
    expect(fillDays([], '2024-05-01', '2024-05-01')).toEqual([{ day: '2024-05-01', clicks: 0 }]);
    expect(fillDays([], '2024-05-02', '2024-05-01')).toEqual([]);
  });
});

describe('timeSeriesChart', () => {
  const svg = timeSeriesChart({
    subject: '<script>alert("x")</script>',
    from: '2024-01-01',
    to: '2024-01-05',
    clicks: [
      { day: '2024-01-01', clicks: 3 },
      { day: '2024-01-03', clicks: 1 },
    ],
    unique: [{ day: '2024-01-01', clicks: 2 }],
  }).value;

  test('the new-visitors line is drawn for a range of one day too: a level stroke across its bar, not a lone point', () => {
    const one = timeSeriesChart({ subject: 'x', from: '2024-01-01', to: '2024-01-01', clicks: [{ day: '2024-01-01', clicks: 4 }], unique: [{ day: '2024-01-01', clicks: 2 }] }).value;
    const points = /<polyline class="chart-line" points="([^"]+)"/.exec(one)![1]!.split(' ').map((p) => p.split(',').map(Number));
    expect(points).toHaveLength(2);
    expect(points[0]![1]).toBe(points[1]![1]);
    expect(points[1]![0]! - points[0]![0]!).toBeGreaterThan(100);
  });

  test('one bar per day, including the zero-filled days', () => {
    expect(count(svg, '<rect class="bar"')).toBe(5);
    expect(count(svg, '<g class="chart-day">')).toBe(5);
  });

  test('each day has a <title> with its date and counts (the hover tooltip)', () => {
    expect(svg).toContain('<title>2024-01-01: 3 clicks, 2 new visitors</title>');
    expect(svg).toContain('<title>2024-01-02: 0 clicks, 0 new visitors</title>');
    expect(svg).toContain('<title>2024-01-03: 1 click, 0 new visitors</title>');
  });

  test('is one labelled image with a summary, scales with its viewBox, and has a data table for screen readers', () => {
    expect(svg).toMatch(/<svg class="chart-svg" viewBox="0 0 \d+ \d+"[^>]* role="img" aria-label="Clicks per day for [^"]*: 4 clicks in total, most on 2024-01-01 \(3\)\."/);
    expect(svg).not.toMatch(/<svg[^>]* (width|height)=/);
    expect(count(svg, /<tr><th scope="row">2024-01-0\d<\/th>/g)).toBe(5);
    expect(svg).toContain('<div class="chart-data"><table>');
  });

  test('axis labels: y ticks from 0 and short dates on x', () => {
    expect(svg).toMatch(/text-anchor="end">0<\/text>/);
    expect(svg).toMatch(/text-anchor="end">3<\/text>/);
    expect(svg).toContain('>Jan 1</text>');
  });

  test('escapes the subject everywhere it appears', () => {
    expect(svg).not.toContain('<script>');
    expect(svg).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
  });

  test('bars are proportional: the tallest day reaches the top tick, an empty day has height 0', () => {
    const heights = [...svg.matchAll(/<rect class="bar"[^>]* height="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(heights[1]).toBe(0);
    expect(heights[0]).toBeCloseTo(heights[2]! * 3, 1);
  });

  test('a 90-day range stays one bar per day with at most a handful of date labels', () => {
    const big = timeSeriesChart({ subject: 'x', from: '2024-01-01', to: '2024-03-30', clicks: [] }).value;
    expect(count(big, '<rect class="bar"')).toBe(90);
    expect(count(big, 'text-anchor="middle"')).toBeLessThanOrEqual(7);
    expect(big).toContain('0 clicks in total.');
  });
});

describe('helpers', () => {
  test('niceStep picks 1, 2 or 5 × 10^k', () => {
    expect([0, 3, 4, 7, 9, 40, 41, 170, 1999].map(niceStep)).toEqual([1, 1, 1, 2, 5, 10, 20, 50, 500]);
  });

  test('percent: one decimal under 10 %, whole numbers above, 0 % of nothing', () => {
    expect([percent(1, 3), percent(1, 40), percent(0, 0), percent(5, 5)]).toEqual(['33%', '2.5%', '0%', '100%']);
  });
});

describe('barList', () => {
  test('numbers, shares and SVG bars (no inline styles), labels escaped', () => {
    const out = barList({ id: 'bd', title: 'Referrers', rows: [{ label: 'a"b<i>.example', count: 3 }, { label: 'Direct', detail: '<b>', count: 1 }] }).value;
    expect(out).toContain('a&quot;b&lt;i&gt;.example');
    expect(out).toContain('&lt;b&gt;');
    expect(out).toContain('3 <span class="muted">(75%)</span>');
    expect(out).toContain('<rect class="bar-fill" width="75" height="6"/>');
    expect(out).not.toContain('style=');
  });

  test('says so when there is nothing', () => {
    expect(barList({ id: 'x', title: 'Devices', rows: [] }).value).toContain('Nothing recorded in this period.');
  });
});
