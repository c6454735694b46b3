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

const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });

/**
 * The longest start of `s` that is at most `max` characters (code points) and
 * ends between two characters as a reader sees them: a cut never leaves half
 * an emoji, a flag or a letter without its accent.
 */
export function cutAt(s: string, max: number): string {
  if (s.length <= max) return s; // UTF-16 units ≥ code points: nothing to cut
  let end = 0;
  let chars = 0;
  for (const { segment } of graphemes.segment(s)) {
    const n = charLength(segment);
    if (chars + n > max) break;
    chars += n;
    end += segment.length;
  }
  return s.slice(0, end);
}
