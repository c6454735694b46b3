/**
 * Substring search that ignores case in every script, as the MySQL
 * collations behind the hosted APIs do ("über" finds "Über"). SQLite's LIKE
 * folds ASCII letters only, and without ICU neither lower() nor a collation
 * does better. An ASCII term keeps plain LIKE (the common case, and ~5x
 * cheaper than GLOB over a large table); a term with other letters is
 * prefiltered by LIKE with those letters as _ and confirmed by a GLOB whose
 * classes hold each letter's forms ("über" → *[üÜ][bB][eE][rR]*). The term
 * is always matched literally.
 */
import { sql, type SQL, type SQLWrapper } from 'drizzle-orm';

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** A letter's one-character case forms, itself first (ß → SS has no one-character upper form). */
const formsOf = (ch: string) => [...new Set([ch, ch.toLowerCase(), ch.toUpperCase()])].filter((f) => [...f].length === 1);

/** The GLOB pattern for "contains term, any case"; GLOB's own * ? [ are put in classes to be literal. */
export function containsPattern(term: string): string {
  let pattern = '';
  for (const ch of term) {
    const forms = formsOf(ch);
    pattern += forms.length > 1 || '*?['.includes(ch) ? `[${forms.join('')}]` : ch;
  }
  return `*${pattern}*`;
}

/** `column` contains `term`, ignoring case, the term taken literally. */
export function containsText(column: SQLWrapper, term: string): SQL {
  const like = sql`${column} LIKE ${`%${[...term].map((ch) => (ch > '\x7f' && formsOf(ch).length > 1 ? '_' : escapeLike(ch))).join('')}%`} ESCAPE '\\'`;
  return /^[\x00-\x7f]*$/.test(term) ? like : sql`(${like} AND ${column} GLOB ${containsPattern(term)})`;
}
