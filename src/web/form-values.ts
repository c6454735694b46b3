/**
 * One form field or query parameter as text. The body parser gives a string
 * for a field sent once, an array for a repeated one and a File for an
 * upload; only a single string counts, so a doubled field cannot slip in a
 * second value. Two spellings because forms differ in what a missing field
 * means: textOf reads it as '' (a field the form always sends), optionalText
 * as undefined (a field whose absence means "leave it as it is"). Neither
 * trims: a password or a title keeps what was typed; callers trim where the
 * value is an identifier.
 */
export const textOf = (v: unknown): string => (typeof v === 'string' ? v : '');

export const optionalText = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
