/**
 * The page templates' escaping: every interpolated value is escaped unless it
 * is itself a template or raw(), whatever it holds.
 */
import { describe, expect, test } from 'bun:test';
import { escapeHtml, html, raw } from '../../views/html.ts';

describe('escaping', () => {
  test('the six characters that can end an element, an attribute or a template become entities; nothing else changes', () => {
    expect(escapeHtml(`&<>"'\``)).toBe('&amp;&lt;&gt;&quot;&#39;&#96;');
    expect(escapeHtml('https://bücher.example/straße?q=日本語&e=😀\u0000')).toBe('https://bücher.example/straße?q=日本語&amp;e=😀\u0000');
    expect(escapeHtml('plain text')).toBe('plain text');
  });

  test('text that already looks like an entity is escaped again, so it shows as typed', () => {
    expect(escapeHtml('&#x27; &#39; &amp;')).toBe('&amp;#x27; &amp;#39; &amp;amp;');
  });

  test('values in a template are escaped, templates and raw() are not, arrays are joined, null and false are empty', () => {
    const title = '"><script>alert(1)</script>';
    expect(String(html`<a title="${title}">${[html`<b>${'x&y'}</b>`, raw('<i>ok</i>'), null, false, 0]}</a>`)).toBe(
      '<a title="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"><b>x&amp;y</b><i>ok</i>0</a>',
    );
  });

  test('a value of 200,000 quotes comes back as 200,000 entities', () => {
    const out = escapeHtml('"'.repeat(200_000));
    expect(out.length).toBe(200_000 * '&quot;'.length);
    expect(out.replaceAll('&quot;', '')).toBe('');
  });
});
