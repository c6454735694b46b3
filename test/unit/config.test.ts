/** Configuration edges an operator can hit: empty values, BASE_URL shapes, bare switches before a command. */
import { describe, expect, test } from 'bun:test';
import { ConfigError, extractConfigFlags, loadConfig } from '../../src/config.ts';

describe('loadConfig', () => {
  test('an empty PORT is the default 8080, as an empty value is for every key', () => {
    expect(loadConfig({ PORT: '' }).port).toBe(8080);
    expect(loadConfig({ LOG_LEVEL: '' }).logLevel).toBe('info');
    expect(loadConfig({ PORT: '0' }).port).toBe(0);
    expect(() => loadConfig({ PORT: 'abc' })).toThrow(ConfigError);
  });

  test('a bad LOG_LEVEL names the value given; METRICS_TOKEN is long enough to resist guessing, or refused', () => {
    expect(() => loadConfig({ LOG_LEVEL: 'verbose' })).toThrow('LOG_LEVEL must be one of debug, info, warn, error, silent, got "verbose"');
    expect(loadConfig({}).metricsToken).toBeNull();
    expect(loadConfig({ METRICS_TOKEN: 'a'.repeat(16) }).metricsToken).toBe('a'.repeat(16));
    expect(loadConfig({}, { METRICS_TOKEN: 'b'.repeat(24) }).metricsToken).toBe('b'.repeat(24));
    for (const bad of ['short', 'a'.repeat(15), 'has a space in it 0123']) expect(() => loadConfig({ METRICS_TOKEN: bad })).toThrow('METRICS_TOKEN must be at least 16 characters');
  });

  test('PORT is written in digits: hex, exponents, fractions, signs and spaces are refused, not read as some other port', () => {
    for (const port of ['0x50', '0x4805', '1e3', '1.8433e4', '80.0', '+80', '-1', ' 80', '0b1010', '65536', '123456']) {
      expect(() => loadConfig({ PORT: port })).toThrow(`PORT must be 0-65535, got "${port}"`);
    }
    expect(loadConfig({ PORT: '65535' }).port).toBe(65535);
    expect(loadConfig({ PORT: '08080' }).port).toBe(8080);
  });

  test('CLICK_RETENTION_DAYS is 90 by default, 0 keeps raw clicks forever, and is written in digits like PORT', () => {
    expect(loadConfig({}).clickRetentionDays).toBe(90);
    expect(loadConfig({ CLICK_RETENTION_DAYS: '' }).clickRetentionDays).toBe(90);
    expect(loadConfig({ CLICK_RETENTION_DAYS: '0' }).clickRetentionDays).toBe(0);
    expect(loadConfig({ CLICK_RETENTION_DAYS: '365' }, { CLICK_RETENTION_DAYS: '30' }).clickRetentionDays).toBe(30);
    expect(loadConfig({}, extractConfigFlags(['--click-retention-days', '7', 'serve']).flags).clickRetentionDays).toBe(7);
    for (const bad of ['-1', '1e3', '0x10', '30.5', ' 30', '30d', 'forever', '36501', '123456']) {
      expect(() => loadConfig({ CLICK_RETENTION_DAYS: bad })).toThrow(`CLICK_RETENTION_DAYS must be a whole number of days 0-36500 (0 keeps raw clicks forever), got "${bad}"`);
    }
    expect(() => extractConfigFlags(['--click-retention-days'])).toThrow('--click-retention-days needs a value');
  });

  test('BASE_URL is an origin: a trailing slash is fine, a path, query or credentials are refused', () => {
    expect(loadConfig({ BASE_URL: 'https://Sho.rt/' }).baseUrl).toBe('https://sho.rt');
    expect(loadConfig({ BASE_URL: 'http://go' }).baseUrl).toBe('http://go');
    for (const bad of ['https://sho.rt/links/', 'https://sho.rt/?a=1', 'https://u:p@sho.rt', 'https://sho.rt/#f']) {
      expect(() => loadConfig({ BASE_URL: bad })).toThrow(/BASE_URL must be an origin/);
    }
    expect(() => loadConfig({ BASE_URL: 'sho.rt' })).toThrow(/BASE_URL must be an http\(s\) URL/);
  });

  test('ROOT_REDIRECT and NOT_FOUND_REDIRECT are unset by default, or an absolute http(s) URL kept as a valid Location', () => {
    expect([loadConfig({}).rootRedirect, loadConfig({}).notFoundRedirect]).toEqual([null, null]);
    expect([loadConfig({ ROOT_REDIRECT: '' }).rootRedirect, loadConfig({ NOT_FOUND_REDIRECT: '' }).notFoundRedirect]).toEqual([null, null]);
    expect(loadConfig({ ROOT_REDIRECT: 'https://example.com' }).rootRedirect).toBe('https://example.com/');
    expect(loadConfig({ NOT_FOUND_REDIRECT: 'HTTP://Example.com/gone?from=short#top' }).notFoundRedirect).toBe('http://example.com/gone?from=short#top');
    // non-ASCII would not be a valid header: serialised once here (punycode host, percent-encoded path)
    expect(loadConfig({ NOT_FOUND_REDIRECT: 'https://bücher.example/über' }).notFoundRedirect).toBe('https://xn--bcher-kva.example/%C3%BCber');
    // the flag wins, as for every setting
    expect(loadConfig({ ROOT_REDIRECT: 'https://env.example/' }, { ROOT_REDIRECT: 'https://flag.example/' }).rootRedirect).toBe('https://flag.example/');
  });

  test('a ROOT_REDIRECT or NOT_FOUND_REDIRECT that is not an absolute http(s) URL is refused, naming the setting and the value', () => {
    const bad = ['/home', 'example.com', '//example.com/', 'javascript:alert(1)', 'ftp://example.com/', 'data:text/html,hi', 'https:example.com', 'https://', 'http://exa mple.com/', 'https://user:pass@example.com/', 'not a url at all'];
    for (const name of ['ROOT_REDIRECT', 'NOT_FOUND_REDIRECT'] as const) {
      for (const value of bad) {
        expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
        expect(() => loadConfig({ [name]: value })).toThrow(`${name} must be an absolute http(s) URL such as https://example.com/ (no credentials), got "${value}"`);
      }
      expect(() => loadConfig({}, { [name]: 'javascript:alert(1)' })).toThrow(`${name} must be an absolute http(s) URL`);
    }
  });

  test('a ROOT_REDIRECT or NOT_FOUND_REDIRECT that would send visitors back to itself on this server is refused', () => {
    const base = { BASE_URL: 'https://sho.rt' };
    for (const root of ['https://sho.rt', 'https://SHO.RT/']) expect(() => loadConfig({ ...base, ROOT_REDIRECT: root })).toThrow('ROOT_REDIRECT would send visitors back to itself on this server');
    for (const gone of ['https://sho.rt/gone', 'https://sho.rt/s/gone', 'https://sho.rt/preview/gone/', 'https://sho.rt/abc?x=1']) {
      expect(() => loadConfig({ ...base, NOT_FOUND_REDIRECT: gone })).toThrow('NOT_FOUND_REDIRECT would send visitors back to itself on this server');
    }
    // this server's other pages, or the same path elsewhere, are no loop
    expect(loadConfig({ ...base, ROOT_REDIRECT: 'https://sho.rt/dashboard', NOT_FOUND_REDIRECT: 'https://sho.rt/' })).toMatchObject({ rootRedirect: 'https://sho.rt/dashboard', notFoundRedirect: 'https://sho.rt/' });
    expect(loadConfig({ ...base, ROOT_REDIRECT: 'https://www.sho.rt/', NOT_FOUND_REDIRECT: 'https://sho.rt:8443/gone' })).toMatchObject({ rootRedirect: 'https://www.sho.rt/', notFoundRedirect: 'https://sho.rt:8443/gone' });
    expect(loadConfig({ ...base, NOT_FOUND_REDIRECT: 'https://sho.rt/docs' }).notFoundRedirect).toBe('https://sho.rt/docs');
  });
});

describe('extractConfigFlags', () => {
  test('a bare switch before the command does not take the command as its value', () => {
    expect(extractConfigFlags(['--anonymous-links', 'serve'])).toEqual({ flags: { ANONYMOUS_LINKS: 'true' }, rest: ['serve'] });
    expect(extractConfigFlags(['--trust-proxy', 'backup', 'x.db'])).toEqual({ flags: { TRUST_PROXY: 'true' }, rest: ['backup', 'x.db'] });
    expect(extractConfigFlags(['--trust-proxy', 'off', 'serve'])).toEqual({ flags: { TRUST_PROXY: 'off' }, rest: ['serve'] });
    expect(extractConfigFlags(['--port', '9000', 'serve'])).toEqual({ flags: { PORT: '9000' }, rest: ['serve'] });
    // after the command, a bare switch takes only an on/off word: the next word is the command's argument
    expect(extractConfigFlags(['backup', '--trust-proxy', '/tmp/x.db'])).toEqual({ flags: { TRUST_PROXY: 'true' }, rest: ['backup', '/tmp/x.db'] });
    expect(extractConfigFlags(['backup', '--trust-proxy', 'no', '/tmp/x.db'])).toEqual({ flags: { TRUST_PROXY: 'no' }, rest: ['backup', '/tmp/x.db'] });
    // before it, any other word is taken as its value, to be refused as one (not run as a command "maybe")
    expect(extractConfigFlags(['--trust-proxy', 'maybe'])).toEqual({ flags: { TRUST_PROXY: 'maybe' }, rest: [] });
  });

  test('a key that needs a value refuses a bare flag instead of taking "true" (a folder named true, a host named true)', () => {
    for (const argv of [['--data-dir'], ['--host', '--port', '9000'], ['--port'], ['--base-url', '--trust-proxy'], ['--LOG_LEVEL']]) {
      expect(() => extractConfigFlags(argv)).toThrow(ConfigError);
    }
    expect(() => extractConfigFlags(['--data-dir'])).toThrow('--data-dir needs a value');
    expect(() => extractConfigFlags(['--not-found-redirect'])).toThrow('--not-found-redirect needs a value');
    expect(extractConfigFlags(['--root-redirect', 'https://example.com/', 'serve'])).toEqual({ flags: { ROOT_REDIRECT: 'https://example.com/' }, rest: ['serve'] });
    expect(extractConfigFlags(['--NOT_FOUND_REDIRECT=https://example.com/gone']).flags).toEqual({ NOT_FOUND_REDIRECT: 'https://example.com/gone' });
    expect(extractConfigFlags(['--trust-proxy']).flags).toEqual({ TRUST_PROXY: 'true' });
  });

  test('an empty flag value counts as unset, so the environment still applies', () => {
    const { flags } = extractConfigFlags(['--port=', '--data-dir=', '--og-fetch=']);
    const config = loadConfig({ PORT: '9001', DATA_DIR: '/srv/short', OG_FETCH: 'false' }, flags);
    expect(config.port).toBe(9001);
    expect(config.dataDir).toBe('/srv/short');
    expect(config.ogFetch).toBe(false);
    expect(loadConfig({ PORT: '9001' }, extractConfigFlags(['--port=9002']).flags).port).toBe(9002);
  });
});
