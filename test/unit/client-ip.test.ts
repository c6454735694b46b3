/** Which address a budget counts. */
import { expect, test } from 'bun:test';
import { clientIp, throttleKey } from '../../src/http/client-ip.ts';

const from = (xff: string) => clientIp({ request: new Request('http://x/', { headers: { 'x-forwarded-for': xff } }), server: null } as never, true);

test('the proxy-appended (last) X-Forwarded-For entry, an IPv4 client written as ::ffff: unwrapped', () => {
  expect(from('10.9.9.1, 198.51.100.7')).toBe('198.51.100.7');
  expect(from('::ffff:198.51.100.8')).toBe('198.51.100.8');
});

test('an entry with the client port (Azure Application Gateway, IIS ARR) is the client, not the proxy', () => {
  expect(from('203.0.113.5:4711')).toBe('203.0.113.5');
  expect(from('1.1.1.1, 203.0.113.5:4711')).toBe('203.0.113.5');
  expect(from('[2001:db8::1]:4711')).toBe('2001:db8::1');
  expect(from('[2001:db8::2]')).toBe('2001:db8::2');
  expect(from('2001:db8::3')).toBe('2001:db8::3');
  // not an address with a port: ignored (no socket here, so no address at all)
  expect(from('203.0.113.5:')).toBeNull();
  expect(from('203.0.113.5:4711:1')).toBeNull();
});

test('IPv4 clients keep their own budgets; IPv6 ones share their /64', () => {
  expect(throttleKey('::ffff:10.0.1.1')).toBe('10.0.1.1');
  expect(throttleKey('::ffff:10.0.2.1')).toBe('10.0.2.1');
  expect(throttleKey('2001:db8:1:2::9')).toBe(throttleKey('2001:db8:1:2:ffff::1'));
  expect(throttleKey('2001:db8:1:3::9')).not.toBe(throttleKey('2001:db8:1:2::9'));
  expect(throttleKey(null)).toBe('unknown');
});
