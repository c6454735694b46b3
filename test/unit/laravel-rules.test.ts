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
    expect(parseDate('2025-12-31 24:00')).toBe(Date.UTC(2026, 0, 1)); // the end of the day
    expect(parseDate('2025-12-31 24:01')).toBeNull();
    // four-digit years only, after the offset too: year 10000 would be answered as +010000-…
    expect(parseDate('9999-12-31T23:59:59Z')).toBe(Date.parse('9999-12-31T23:59:59Z'));
    expect(parseDate('9999-12-31T23:59:59-14:00')).toBeNull();
    expect(parseDate('0001-01-01T00:30:00+01:00')).toBeNull();
    for (const bad of ['tomorrow', '31/12/2025', '2025-13-01', '']) expect(parseDate(bad)).toBeNull();
  });

  test('dates: the other absolute forms PHP reads, as it reads them (slashes American, dashes and dots European), naive times UTC', () => {
    const jan15 = Date.UTC(2099, 0, 15);
    const at10 = Date.UTC(2099, 0, 15, 10);
    expect(parseDate('2099/01/15')).toBe(jan15);
    expect(parseDate('2099/1/15 10:00')).toBe(at10);
    expect(parseDate('01/15/2099 10:00:00')).toBe(at10);
    expect(parseDate('15-01-2099')).toBe(jan15);
    expect(parseDate('15.01.2099 10:00')).toBe(at10);
    for (const named of ['15 January 2099 10:00', 'Jan 15, 2099 10:00', 'January 15th 2099 10:00', 'thu, 15 jan 2099 10:00:00 GMT', '15-Jan-2099 10:00 UTC', 'Jan. 15 2099 10:00']) {
      expect([named, parseDate(named)]).toEqual([named, at10]);
    }
    expect(parseDate('Sept 15, 2099')).toBe(Date.UTC(2099, 8, 15));
    expect(parseDate('15 Jan 2099 10:00 +0200')).toBe(Date.UTC(2099, 0, 15, 8));
    expect(parseDate('15 Jan 2099 10:00:30.25 GMT-05:30')).toBe(Date.UTC(2099, 0, 15, 15, 30, 30, 250));
    // what JavaScript's toUTCString writes comes back to the same moment
    const moment = Date.UTC(2031, 5, 7, 1, 2, 3);
    expect(parseDate(new Date(moment).toUTCString())).toBe(moment);
    for (const bad of ['02/30/2099', '13/01/2099', '30-02-2099', '15 Foo 2099', '2099/01/15 25:00', '2099/01/15 10:60', '+1 week', 'next monday', '15 Jan 2099 10:00 +1500', '15 Jan 99', '15/01/2099']) {
      expect([bad, parseDate(bad)]).toEqual([bad, null]);
    }
  });

  test('dates: an offset of hours alone after a time (ISO 8601, PostgreSQL\'s +00); a weekday that is not the date\'s is refused', () => {
    expect(parseDate('2030-01-01T10:00:00+05')).toBe(Date.UTC(2030, 0, 1, 5));
    expect(parseDate('2030-01-01 10:00:00+00')).toBe(Date.UTC(2030, 0, 1, 10));
    expect(parseDate('2030-01-01 10:00:00.5 -03')).toBe(Date.UTC(2030, 0, 1, 13, 0, 0, 500));
    expect(parseDate('15 Jan 2099 10:00 GMT+02')).toBe(Date.UTC(2099, 0, 15, 8));
    // not after a date alone, where it would read as more of the date
    expect(parseDate('2030-01-01-05')).toBeNull();
    expect(parseDate('2030-01-01T10:00:00+15')).toBeNull();
    // 15 January 2099 is a Thursday
    expect(parseDate('Thu, 15 Jan 2099 10:00:00 GMT')).toBe(Date.UTC(2099, 0, 15, 10));
    expect(parseDate('Mon, 15 Jan 2099 10:00:00 GMT')).toBeNull();
    // the weekday of the date as written, in its own zone: Thursday 00:30 at +02:00 is Wednesday in UTC
    expect(parseDate('Thu, 15 Jan 2099 00:30:00 +0200')).toBe(Date.UTC(2099, 0, 14, 22, 30));
  });

  test('one message alone has no suffix', () => {
    expect(laravelMessage({ x: ['Only one.'] })).toBe('Only one.');
    expect(laravelMessage({ x: ['One.', 'Two.'] })).toBe('One. (and 1 more error)');
  });
});
