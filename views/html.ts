/**
 * Escape-by-default HTML templates. Every ${value} in html`…` is escaped
 * unless it is itself the result of html`…` or raw(); arrays are joined.
 * Titles fetched from other sites are hostile input: they can only reach a
 * page through this function.
 */
const SAFE = Symbol('safe-html');

export interface SafeHtml {
  readonly [SAFE]: true;
  readonly value: string;
  toString(): string;
}

const safe = (value: string): SafeHtml => ({ [SAFE]: true, value, toString: () => value });

export const isSafeHtml = (v: unknown): v is SafeHtml => typeof v === 'object' && v !== null && SAFE in v;

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };
export const escapeHtml = (s: string) => s.replace(/[&<>"'`]/g, (c) => ESCAPES[c]!);

function render(v: unknown): string {
  if (v === null || v === undefined || v === false) return '';
  if (Array.isArray(v)) return v.map(render).join('');
  if (isSafeHtml(v)) return v.value;
  return escapeHtml(String(v));
}

export function html(strings: TemplateStringsArray, ...values: unknown[]): SafeHtml {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += render(values[i]) + strings[i + 1]!;
  return safe(out);
}

/** Marks trusted markup (our own SVG renderings) as safe. Never pass user input. */
export const raw = (markup: string): SafeHtml => safe(markup);
