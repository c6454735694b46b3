/**
 * Secrets at rest. Passwords (chosen by people, guessable) get bcrypt, run on
 * its own thread (bcrypt-pool.ts); tokens and API keys (256 or 192 random
 * bits) get SHA-256, which is enough for unguessable input and keeps
 * per-request key checks O(1). Every comparison of a secret-derived value is
 * constant-time.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { bcryptCompare, bcryptHash } from './bcrypt-pool.ts';

const BCRYPT_COST = 10;

// bcrypt reads only the first 72 bytes of its input: every password sharing those (72 ASCII characters,
// 18 emoji) would match. Longer passwords are hashed as their SHA-256 digest instead, marked by this prefix.
const BCRYPT_MAX_BYTES = 72;
const PREHASHED = 'sha256+';
const digest = (plain: string) => createHash('sha256').update(plain).digest('base64');

export async function hashPassword(plain: string): Promise<string> {
  if (Buffer.byteLength(plain) <= BCRYPT_MAX_BYTES) return bcryptHash(plain, BCRYPT_COST);
  return PREHASHED + (await bcryptHash(digest(plain), BCRYPT_COST));
}

export async function verifyPassword(plain: string, hash: string | null): Promise<boolean> {
  if (!hash) return false;
  try {
    // a hash without the prefix was made from the password itself (as every hash was before the prefix)
    return hash.startsWith(PREHASHED) ? await bcryptCompare(digest(plain), hash.slice(PREHASHED.length)) : await bcryptCompare(plain, hash);
  } catch {
    return false;
  }
}

export const sha256Hex = (value: string) => createHash('sha256').update(value).digest('hex');

export const randomHex = (bytes: number) => randomBytes(bytes).toString('hex');

export const randomBase64Url = (bytes: number) => randomBytes(bytes).toString('base64url');

/** Constant-time equality of two strings (false, not a throw, when lengths differ). */
export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  if (ab.length !== bb.length) {
    timingSafeEqual(ab, ab); // spend comparable time either way
    return false;
  }
  return timingSafeEqual(ab, bb);
}

/** True when the plain token hashes to the stored hash, compared in constant time. */
export const tokenMatches = (plain: string, storedHash: string | null) =>
  storedHash !== null && safeEqual(sha256Hex(plain), storedHash);

/** A human-typable password for the first admin: 20 characters from a 56-symbol alphabet (~116 bits). */
export function generatePassword(length = 20): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';
  const bytes = randomBytes(length * 2);
  let out = '';
  for (let i = 0; out.length < length && i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b < 224) out += alphabet[b % 56]; // 224 = 4*56: no modulo bias
  }
  return out.length === length ? out : generatePassword(length);
}
