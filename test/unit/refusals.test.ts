/**
 * The collector behind "every refusal at once": the first refusal is what is thrown, as a
 * check-at-a-time threw it, and a storage failure after the input was already refused does not
 * turn a 4xx into a 503 (checks used to stop at the first refusal, before reaching storage).
 */
import { expect, test } from 'bun:test';
import { DomainError } from '../../src/errors.ts';
import { Refusals, refusalsIn } from '../../src/refusals.ts';

const refuse = (code: 'VALIDATION' | 'CODE_TAKEN' | 'FEATURE_DENIED' | 'UNAVAILABLE', field?: string) => () => {
  throw new DomainError(code, `${code} ${field ?? ''}`.trim(), field ? { field } : {});
};

test('the first refusal is thrown with its own code and meta, listing all', () => {
  const r = new Refusals();
  r.passes(refuse('VALIDATION', 'url'));
  r.passes(refuse('FEATURE_DENIED'));
  r.passes(refuse('CODE_TAKEN', 'code'));
  const thrown = (() => {
    try {
      r.throwIfAny();
    } catch (e) {
      return e as DomainError;
    }
  })()!;
  expect([thrown.code, thrown.meta.field, thrown.message]).toEqual(['VALIDATION', 'url', 'VALIDATION url']);
  expect(refusalsIn(thrown).map((x) => [x.code, x.field])).toEqual([['VALIDATION', 'url'], ['FEATURE_DENIED', null], ['CODE_TAKEN', 'code']]);
});

test('storage failing in a later check answers the refusal already found; with none found, the failure itself', async () => {
  const r = new Refusals();
  r.passes(refuse('VALIDATION', 'url'));
  const after = await r.passesAsync(async () => refuse('UNAVAILABLE')()).catch((e: DomainError) => e.code);
  expect(after).toBe('VALIDATION');
  const clean = new Refusals();
  expect(await clean.passesAsync(async () => refuse('UNAVAILABLE')()).catch((e: DomainError) => e.code)).toBe('UNAVAILABLE');
  expect(() => new Refusals().check(() => { throw new TypeError('a bug'); })).toThrow(TypeError);
});
