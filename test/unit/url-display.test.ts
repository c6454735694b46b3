/** The display form of a destination (views/url-display.ts): what a person judging where a link goes reads. */
import { expect, test } from 'bun:test';
import { displayHostPath, displayUrl } from '../../views/url-display.ts';

test('a user:password@ before the host is left out, as address bars do: the host shown is the one visited', () => {
  expect(displayUrl('https://apple.com@evil.example/x')).toBe('https://evil.example/x');
  expect(displayHostPath('https://user:pw@evil.example/login?next=1')).toBe('evil.example/login?next=1');
});

test('a look-alike host is shown in ASCII and a hidden character percent-encoded; the rest stays readable', () => {
  expect(displayUrl('https://аррӏе.com/münchen')).toBe('https://xn--80ak6aa92e.com/münchen');
  expect(displayUrl('https://example.com/a\u200bb')).toBe('https://example.com/a%E2%80%8Bb');
});
