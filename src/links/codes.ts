/**
 * Short codes: generated ones are 7 characters of nanoid's alphanumeric
 * alphabet (62^7 ≈ 3.5e12, so collisions are rare and retried); aliases are
 * 3–32 of [A-Za-z0-9_-]. Words that would shadow a route are reserved,
 * compared case-insensitively so "API" cannot pose as "api" either.
 */
import { customAlphabet } from 'nanoid';
import { CODE_PATTERN } from './reserved-codes.ts';

export const GENERATED_CODE_LENGTH = 7;
const ALPHANUMERIC = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
export const generateCode = customAlphabet(ALPHANUMERIC, GENERATED_CODE_LENGTH);

export { CODE_PATTERN, isReservedCode, RESERVED_CODES } from './reserved-codes.ts';
export const isValidCodeShape = (code: string) => CODE_PATTERN.test(code);
