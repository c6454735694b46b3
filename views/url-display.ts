/**
 * A destination as shown to a person deciding whether to go there (the safety
 * preview, the dashboard, the QR list). Escaping is not enough: https://аррӏе.com
 * (Cyrillic letters) reads as apple.com, and a U+202E in "invoice‮gpj.exe" makes
 * it read "invoiceexe.jpg". So, as browsers' address bars do with such URLs,
 * the host is shown in its ASCII (punycode) form and every character that is
 * invisible or reorders the text around it is percent-encoded; the rest of the
 * path stays readable. Only the display changes: what is stored, linked to and
 * sent in Location is the destination itself.
 */
import { domainToUnicode } from 'node:url';

// controls, format characters (bidi overrides and isolates, zero-width, soft hyphen, BOM), separators
// other than the space, default-ignorables (Hangul fillers, variation selectors) and lone surrogates
const HIDDEN = /[\p{Cc}\p{Cf}\p{Z}\p{Default_Ignorable_Code_Point}\p{Cs}]/gu;
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * `s` with its invisible and direction-changing characters percent-encoded; also for names a person
 * acts on (an email in the users table, a key in a confirm dialog), where a hidden character makes two
 * rows look the same or turns the rest of a sentence around.
 */
export const visibleChars = (s: string) =>
  s.replace(HIDDEN, (c) => (c === ' ' ? c : LONE_SURROGATE.test(c) ? '%EF%BF%BD' : encodeURIComponent(c)));

// in a title only what reorders text or is a control: emoji joiners, variation selectors, no-break and
// zero-width non-joining spaces are part of ordinary writing there (French, Persian, every emoji sequence)
const REORDERING = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]|\p{Cs}/gu;

/** A title with its direction-changing and control characters percent-encoded, nothing else. */
export const titleChars = (s: string) => s.replace(REORDERING, (c) => (LONE_SURROGATE.test(c) ? '%EF%BF%BD' : encodeURIComponent(c)));

/** The display form of a URL: ASCII host, hidden characters made visible (see above). */
export function displayUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return visibleChars(raw);
  }
  const m = /^[a-z][a-z0-9+.-]*:\/\/([^/?#\\]*)/i.exec(raw);
  if (!m) return visibleChars(raw);
  // without its user:password@, as address bars show it: 'https://apple.com@evil.example/' is evil.example's
  return `${url.protocol}//${url.host}${visibleChars(raw.slice(m[0].length))}`;
}

/** The display form without its http(s):// (the dashboard's compact columns). */
export const displayHostPath = (raw: string) => displayUrl(raw).replace(/^https?:\/\//i, '');

/** The host in the letters it was written in, when that differs from its ASCII form (an internationalised name). */
export function unicodeHostOf(raw: string): string | null {
  try {
    const host = new URL(raw).hostname;
    const unicode = domainToUnicode(host);
    return unicode && unicode !== host ? visibleChars(unicode) : null;
  } catch {
    return null;
  }
}

/**
 * What the dashboard says beside a destination whose host is internationalised: the name in its own
 * letters, after the ASCII form it shows first. Someone who typed münchen.de or пример.рф should
 * recognise their link, while the ASCII form stays what they read first (see the top of this file).
 */
export function hostWrittenNote(raw: string): string | null {
  const unicode = unicodeHostOf(raw);
  return unicode ? `an international domain name, written ${unicode}` : null;
}
