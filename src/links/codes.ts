/**
 * Short codes: generated ones are 7 characters of nanoid's alphanumeric
 * alphabet (62^7 ≈ 3.5e12, so collisions are rare and retried); aliases are
 * 3–32 of [A-Za-z0-9_-]. Words that would shadow a route are reserved,
 * compared case-insensitively so "API" cannot pose as "api" either.
 */
import { customAlphabet } from 'nanoid';

export const GENERATED_CODE_LENGTH = 7;
const ALPHANUMERIC = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
export const generateCode = customAlphabet(ALPHANUMERIC, GENERATED_CODE_LENGTH);

export const RESERVED_CODES: ReadonlySet<string> = new Set([
  'api', 's', 'v1', 'dashboard', 'preview', 'docs', 'openapi.json', 'healthz', 'metrics',
  'login', 'logout', 'shorten', 'mcp', 'public', 'assets', 'favicon.ico', 'robots.txt',
]);

export const CODE_PATTERN = /^[A-Za-z0-9_-]{3,32}$/;

export const isReservedCode = (code: string) => RESERVED_CODES.has(code.toLowerCase());
export const isValidCodeShape = (code: string) => CODE_PATTERN.test(code);
