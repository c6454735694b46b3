import { describe, expect, test } from 'bun:test';
import { createHmac } from 'node:crypto';
import type { RawClick } from '../../src/clicks/clicks.types.ts';
import { createEnricher, parseUserAgent, referrerDomain } from '../../src/clicks/visitor.ts';

const UA = {
  iphone:
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1',
  chromeWindows: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
  ipad: 'Mozilla/5.0 (iPad; CPU OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1',
  androidChrome:
    'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36',
  firefoxMac: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14.4; rv:125.0) Gecko/20100101 Firefox/125.0',
};

const click = (over: Partial<RawClick> = {}): RawClick => ({
  linkId: 1,
  at: 1_700_000_000_000,
  ip: '198.51.100.23',
  userAgent: UA.chromeWindows,
  referrer: null,
  source: 'link',
  ...over,
});

describe('parseUserAgent', () => {
  test('iPhone Safari is a mobile iOS Mobile Safari visit', () => {
    expect(parseUserAgent(UA.iphone)).toEqual({ deviceType: 'mobile', os: 'iOS', browser: 'Mobile Safari', isBot: false });
  });

  test('Chrome on Windows is a desktop visit', () => {
    expect(parseUserAgent(UA.chromeWindows)).toEqual({ deviceType: 'desktop', os: 'Windows', browser: 'Chrome', isBot: false });
  });

  test('an iPad is a tablet', () => {
    const facts = parseUserAgent(UA.ipad);
    expect(facts.deviceType).toBe('tablet');
    expect(facts.os).toBe('iOS');
    expect(facts.isBot).toBe(false);
  });

  test('Android Chrome is mobile, Firefox on a Mac is desktop', () => {
    expect(parseUserAgent(UA.androidChrome)).toMatchObject({ deviceType: 'mobile', os: 'Android' });
    expect(parseUserAgent(UA.firefoxMac)).toMatchObject({ deviceType: 'desktop', os: 'Mac OS', browser: 'Firefox' });
  });

  test.each([
    'Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)',
    'facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)',
    'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
    'Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)',
    'TelegramBot (like TwitterBot)',
    'WhatsApp/2.23.20.0',
    'curl/8.0',
    'python-requests/2.31.0',
    'Bun/1.4.5',
    'python-httpx/0.27.0',
    'GuzzleHttp/7',
    '',
  ])('%p is a bot with no device details', (ua) => {
    expect(parseUserAgent(ua)).toEqual({ deviceType: 'bot', os: null, browser: null, isBot: true });
  });
});

describe('referrerDomain', () => {
  test('keeps only the host, lower-cased and without www.', () => {
    expect(referrerDomain('https://www.Google.com/search?q=secret+stuff')).toBe('google.com');
    expect(referrerDomain('https://news.ycombinator.com/item?id=1')).toBe('news.ycombinator.com');
    expect(referrerDomain('http://t.co/abc')).toBe('t.co');
  });

  test('no referrer, or one that is not a URL, is null', () => {
    expect(referrerDomain(null)).toBeNull();
    expect(referrerDomain('')).toBeNull();
    expect(referrerDomain('not a url')).toBeNull();
  });
});

describe('createEnricher', () => {
  const country = (ip: string) => (ip === '8.8.8.8' ? 'US' : ip === '198.51.100.23' ? 'DE' : null);
  const enrich = createEnricher({ secret: 'secret-one', country });

  test('turns raw facts into a stored click', () => {
    const c = enrich(click({ userAgent: UA.iphone, referrer: 'https://www.reddit.com/r/x', source: 'qr', ip: '8.8.8.8' }));
    expect(c).toMatchObject({
      linkId: 1,
      at: 1_700_000_000_000,
      referrerDomain: 'reddit.com',
      countryCode: 'US',
      deviceType: 'mobile',
      os: 'iOS',
      browser: 'Mobile Safari',
      isBot: false,
      source: 'qr',
    });
  });

  test('the visitor hash is stable for the same address and browser', () => {
    expect(enrich(click()).visitorHash).toBe(enrich(click({ at: 1_800_000_000_000, linkId: 2 })).visitorHash);
  });

  test('the visitor hash changes with the address, the browser and the install secret', () => {
    const base = enrich(click()).visitorHash;
    expect(base).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(enrich(click({ ip: '198.51.100.24' })).visitorHash).not.toBe(base);
    expect(enrich(click({ userAgent: UA.firefoxMac })).visitorHash).not.toBe(base);
    const otherInstall = createEnricher({ secret: 'secret-two', country });
    expect(otherInstall(click()).visitorHash).not.toBe(base);
  });

  test('the visitor hash is HMAC-SHA256 of address NUL user agent, as stored by every earlier version (uniques survive an upgrade)', () => {
    for (const [ip, ua] of [['198.51.100.23', UA.chromeWindows], ['2001:db8::42', UA.iphone], ['8.8.8.8', 'curl/8.0 ünïcode']] as const) {
      const want = createHmac('sha256', 'secret-one').update(`${ip}\u0000${ua}`).digest('base64url').slice(0, 22);
      expect(enrich(click({ ip, userAgent: ua })).visitorHash).toBe(want);
    }
  });

  test('the raw IP address never appears in what is stored', () => {
    for (const ip of ['198.51.100.23', '2001:db8::42', '8.8.8.8']) {
      const stored = JSON.stringify(enrich(click({ ip })));
      expect(stored).not.toContain(ip);
      expect(Object.keys(enrich(click({ ip })))).not.toContain('ip');
    }
  });

  test('without an address there is no visitor hash and no country', () => {
    const c = enrich(click({ ip: null }));
    expect(c.visitorHash).toBeNull();
    expect(c.countryCode).toBeNull();
  });

  test('an unknown country is null, not an empty string', () => {
    expect(enrich(click({ ip: '203.0.113.9' })).countryCode).toBeNull();
  });

  test('a missing or bot user agent is stored as a bot', () => {
    expect(enrich(click({ userAgent: null }))).toMatchObject({ isBot: true, deviceType: 'bot' });
    expect(enrich(click({ userAgent: 'facebookexternalhit/1.1' }))).toMatchObject({ isBot: true, deviceType: 'bot' });
  });
});
