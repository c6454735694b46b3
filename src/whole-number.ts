/**
 * A whole number as a person types it, read the same way by every front end
 * (the dashboard's plan form, `shrinkray plan set`), so that one value is not
 * taken by one and refused by the other. Decimal digits, optionally with a
 * fraction or an exponent, as a number input may send them (1e3 is 1000,
 * 60.0 is 60); not Number() alone, which would also take 0x10, Infinity and
 * ' '. Null for anything else: a sign, a fraction that is not whole (2.5),
 * or a value past 2^53 that would be stored as another number.
 */
const DECIMAL = /^\s*\d+(\.\d+)?(e\+?\d+)?\s*$/i;

export function parseWholeNumber(text: string): number | null {
  if (!DECIMAL.test(text)) return null;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : null;
}
