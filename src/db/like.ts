/**
 * Substring search with LIKE. The term is matched literally: % and _ (and the
 * escape character itself) are escaped, so searching "50%" does not match
 * every title that starts with "50".
 */
import { sql, type SQL, type SQLWrapper } from 'drizzle-orm';

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** `column LIKE '%term%'`, with the term taken literally. */
export function likeContains(column: SQLWrapper, term: string): SQL {
  return sql`${column} LIKE ${`%${escapeLike(term)}%`} ESCAPE '\\'`;
}
