import { describe, expect, test } from 'bun:test';
import { pageWindow } from '../../src/paging.ts';

describe('pageWindow', () => {
  test('a missing or malformed page is page 1; the page size is 1 to 100, 15 when unsaid', () => {
    for (const page of [NaN, 0, -3, 0.5]) expect(pageWindow({ page, perPage: 20 })).toEqual({ page: 1, perPage: 20, offset: 0 });
    expect(pageWindow({ page: 3.9, perPage: NaN })).toEqual({ page: 3, perPage: 15, offset: 30 });
    expect(pageWindow({ page: 2, perPage: 10_000 })).toEqual({ page: 2, perPage: 100, offset: 100 });
  });

  test('a page however far keeps an exact integer offset (1e308 once made an infinite OFFSET)', () => {
    for (const page of [1e308, Infinity, 2 ** 60, Number.MAX_VALUE]) {
      for (const perPage of [1, 20, 100]) {
        const w = pageWindow({ page, perPage });
        expect(Number.isSafeInteger(w.page) && Number.isSafeInteger(w.offset)).toBe(true);
        expect(w.offset).toBe((w.page - 1) * w.perPage);
      }
    }
  });
});
