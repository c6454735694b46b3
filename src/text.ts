/**
 * Lengths as people count them. The documented limits ("4–128 characters",
 * Laravel's max:255, which uses mb_strlen) count characters, while a JS
 * string's length counts UTF-16 units: an emoji is one character but two units.
 */

/** Unicode code points in `s` (a lone surrogate counts as one). */
export function charLength(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length - 1; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}
