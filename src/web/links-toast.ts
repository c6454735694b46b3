/**
 * The HX-Trigger header that makes public/js/dashboard.js show a toast.
 * Header values must be ASCII, and messages carry user input (key names,
 * typographic quotes), so everything past ASCII is sent as a JSON \u escape.
 */
export function toastHeaders(message: string): Record<string, string> {
  const json = JSON.stringify({ toast: { message } }).replace(/[^\x20-\x7e]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return { 'hx-trigger': json };
}
