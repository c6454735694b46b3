/**
 * The HX-Trigger header that makes public/js/dashboard.js show a toast (and,
 * with `gone`, remove what the page shows of a deleted object).
 * Header values must be ASCII, and messages carry user input (key names,
 * typographic quotes), so everything past ASCII is sent as a JSON \u escape.
 */
export function toastHeaders(message: string, o: { gone?: string | string[] } = {}): Record<string, string> {
  // gone: the objects no longer exist, so whatever the page shows of them (data-shows="<gone>") is taken away
  const gone = typeof o.gone === 'string' ? [o.gone] : (o.gone ?? []);
  const events = gone.length ? { toast: { message }, gone: { value: gone } } : { toast: { message } };
  const json = JSON.stringify(events).replace(/[^\x20-\x7e]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return { 'hx-trigger': json };
}
