import { describe, expect, test } from 'bun:test';
import { DomainError } from '../../src/errors.ts';
import { Rules, laravelMessage, parseDate } from '../../src/http/laravel.ts';

describe('Laravel-style rules', () => {
  test('collects every failure and throws one VALIDATION error with meta.errors', () => {
    const v = new Rules({ a: '', b: 'x', c: 'yes', d: 11, e: 'zz' });
    v.string('a', { required: true });
    v.string('b', { min: 3 });
    v.boolean('c');
    v.integer('d', { min: 0, max: 10 });
    v.oneOf('e', ['L', 'M']);
    let error: DomainError | undefined;
    try {
      v.check();
    } catch (e) {
      error = e as DomainError;
    }
    expect(error?.code).toBe('VALIDATION');
    expect(error?.meta.errors).toEqual({
      a: ['The a field is required.'],
      b: ['The b field must be at least 3 characters.'],
      c: ['The c field must be true or false.'],
      d: ['The d field must be between 0 and 10.'],
      e: ['The selected e is invalid.'],
    });
    expect(error?.message).toBe('The a field is required. (and 4 more errors)');
  });

  test('form strings are accepted where Laravel accepts them', () => {
    const v = new Rules({ n: '42', b: '1', f: 'false' });
    expect(v.integer('n')).toBe(42);
    expect(v.boolean('b')).toBe(true);
    expect(v.boolean('f')).toBe(false);
    v.check();
  });

  test('dates: ISO, space-separated and date-only forms; naive times are UTC', () => {
    expect(parseDate('2025-12-31 23:59:59')).toBe(Date.UTC(2025, 11, 31, 23, 59, 59));
    expect(parseDate('2025-12-31T23:59:59.000000Z')).toBe(Date.UTC(2025, 11, 31, 23, 59, 59));
    expect(parseDate('2025-12-31T23:59:59+02:00')).toBe(Date.UTC(2025, 11, 31, 21, 59, 59));
    expect(parseDate('2025-12-31')).toBe(Date.UTC(2025, 11, 31));
    // four-digit years only, after the offset too: year 10000 would be answered as +010000-…
    expect(parseDate('9999-12-31T23:59:59Z')).toBe(Date.parse('9999-12-31T23:59:59Z'));
    expect(parseDate('9999-12-31T23:59:59-14:00')).toBeNull();
    expect(parseDate('0001-01-01T00:30:00+01:00')).toBeNull();
    for (const bad of ['tomorrow', '31/12/2025', '2025-13-01', '']) expect(parseDate(bad)).toBeNull();
  });

  test('one message alone has no suffix', () => {
    expect(laravelMessage({ x: ['Only one.'] })).toBe('Only one.');
    expect(laravelMessage({ x: ['One.', 'Two.'] })).toBe('One. (and 1 more error)');
  });
});
