/** Form field names as PHP (so every Laravel service) reads them: brackets nest, [] appends, numbered keys make lists. */
import { describe, expect, test } from 'bun:test';
import { phpFields } from '../../src/http/body.ts';

const plain = (v: unknown) => JSON.parse(JSON.stringify(v));

describe('phpFields', () => {
  test('brackets nest; [] appends; 0..n-1 keys are a list; flat names stay flat', () => {
    const fields = phpFields(
      new URLSearchParams('a=1&utm[utm_source]=news&utm[utm_medium]=mail&s[0][x]=1&s[1][x]=2&tags[]=p&tags[]=q&odd[2]=z&[lead]=v&un[closed=w'),
    );
    expect(plain(fields)).toEqual({
      a: '1',
      utm: { utm_source: 'news', utm_medium: 'mail' },
      s: [{ x: '1' }, { x: '2' }],
      tags: ['p', 'q'],
      odd: { '2': 'z' },
      '[lead]': 'v',
      'un[closed': 'w',
    });
  });

  test('a later field wins; __proto__ is data; nesting past 8 levels is dropped, as PHP drops it', () => {
    const fields = phpFields(new URLSearchParams('a=1&a[b]=2&c[d]=3&c=4&__proto__[polluted]=yes&deep[1][2][3][4][5][6][7][8][9]=x&ok[1][2][3][4][5][6][7][8]=y'));
    expect(plain(fields)).toMatchObject({ a: { b: '2' }, c: '4', ok: { '1': { '2': { '3': { '4': { '5': { '6': { '7': { '8': 'y' } } } } } } } } });
    expect(Object.keys(fields)).not.toContain('deep');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(fields)).toBeNull();
  });

  test('linear in the number of fields (a[]&a[]&… was quadratic), and bracketed fields past 1,000 are dropped as PHP drops them', () => {
    const fields = phpFields(new URLSearchParams(`${'a[]&'.repeat(200_000)}flat=kept&b[x]=late`));
    expect((fields.a as unknown[]).length).toBe(1000);
    expect(fields.flat).toBe('kept');
    expect(fields.b).toBeUndefined();
    // explicit indexes and appends share one count
    expect(plain(phpFields(new URLSearchParams('l[1]=x&l[]=y&l[0]=z')))).toEqual({ l: ['z', 'x', 'y'] });
  });

  test('a crafted name costs no more than a plain field: a 1 MB a[][][]… is dropped after reading nine brackets', () => {
    const fields = phpFields(new URLSearchParams(`a${'[]'.repeat(500_000)}=1&b[c]=2`));
    expect(plain(fields)).toEqual({ b: { c: '2' } });
  });
});
