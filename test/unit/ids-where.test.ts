/** idsWhere reads every matching id however many chunks they take, in order, giving other work turns between. */
import { expect, test } from 'bun:test';
import { idsWhere } from '../../src/db/text-search.ts';

test('every id across chunk boundaries, ascending, each read starting after the last id seen', async () => {
  const all = Array.from({ length: 12_345 }, (_, i) => i * 3 + 1);
  const reads: number[] = [];
  const ids = await idsWhere((after, limit) => {
    reads.push(after);
    return all.filter((id) => id > after).slice(0, limit).map((id) => ({ id }));
  });
  expect(ids).toEqual(all);
  expect(reads).toEqual([0, all[4999]!, all[9999]!]);
  expect(await idsWhere(() => [])).toEqual([]);
});
