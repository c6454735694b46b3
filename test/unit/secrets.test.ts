import { describe, expect, test } from 'bun:test';
import bcrypt from 'bcryptjs';
import { hashPassword, verifyPassword } from '../../src/accounts/secrets.ts';
import { charLength } from '../../src/text.ts';

describe('passwords', () => {
  test('past 72 bytes every byte still counts (bcrypt alone reads only the first 72)', async () => {
    const long = 'é'.repeat(36) + 'tail'; // 76 bytes
    const hash = await hashPassword(long);
    expect(await verifyPassword(long, hash)).toBe(true);
    expect(await verifyPassword('é'.repeat(36) + 'tall', hash)).toBe(false);
    expect(await verifyPassword('é'.repeat(36), hash)).toBe(false);
  });

  test('up to 72 bytes the hash is plain bcrypt, and hashes made before the long-password rule still verify', async () => {
    const hash = await hashPassword('correct horse');
    expect(hash).toStartWith('$2');
    expect(await verifyPassword('correct horse', hash)).toBe(true);
    const legacy = await bcrypt.hash('x'.repeat(80), 4);
    expect(await verifyPassword('x'.repeat(80), legacy)).toBe(true);
    expect(await verifyPassword('x', null)).toBe(false);
    expect(await verifyPassword('x', 'sha256+not-a-hash')).toBe(false);
  });
});

describe('charLength', () => {
  test('counts code points: an emoji is one character, a lone surrogate one too', () => {
    expect(charLength('')).toBe(0);
    expect(charLength('abc')).toBe(3);
    expect(charLength('😀😀')).toBe(2);
    expect(charLength('a😀b')).toBe(3);
    expect(charLength('\ud83d')).toBe(1);
    expect(charLength('\ude00\ud83d')).toBe(2);
    expect(charLength('é')).toBe(1);
  });
});
