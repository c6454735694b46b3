/**
 * Turns raw click facts into what is stored: device, OS and browser from the
 * user agent (ua-parser-js 1.x, MIT), bot flag, referrer domain, country from
 * the embedded IP database, and a pseudonymous visitor hash (HMAC of IP and
 * user agent under a per-install secret). The raw IP is dropped here. Parses
 * are memoised because real traffic repeats a few user agents and addresses.
 */
import { UAParser } from 'ua-parser-js';
import { agentKind, isBotUserAgent } from './bots.ts';
import type { DeviceType, EnrichedClick, RawClick } from './clicks.types.ts';

const BOT: UaFacts = { deviceType: 'bot', os: null, browser: null, isBot: true };
// a script calling an API that counts its callers: a click, from no device a person holds
const SCRIPT: UaFacts = { deviceType: 'other', os: null, browser: null, isBot: false };

export type CountryLookup = (ip: string) => string | null;

interface UaFacts {
  deviceType: DeviceType;
  os: string | null;
  browser: string | null;
  isBot: boolean;
}

function memo<V>(max: number, compute: (key: string) => V): (key: string) => V {
  const cache = new Map<string, V>();
  return (key) => {
    let v = cache.get(key);
    if (v === undefined) {
      v = compute(key);
      if (cache.size >= max) cache.clear();
      cache.set(key, v);
    }
    return v;
  };
}

export function parseUserAgent(ua: string): UaFacts {
  if (isBotUserAgent(ua)) return BOT;
  const r = new UAParser(ua).getResult();
  const t = r.device.type;
  const deviceType: DeviceType = t === 'mobile' || t === 'wearable' ? 'mobile' : t === 'tablet' ? 'tablet' : t === undefined ? 'desktop' : 'other';
  return { deviceType, os: r.os.name ?? null, browser: r.browser.name ?? null, isBot: false };
}

export function referrerDomain(referrer: string | null): string | null {
  if (!referrer) return null;
  try {
    const host = new URL(referrer).hostname.toLowerCase();
    return host.replace(/^www\./, '') || null;
  } catch {
    return null;
  }
}

export function createEnricher(deps: { secret: string; country: CountryLookup }) {
  const ua = memo(5000, (s) => parseUserAgent(s));
  const country = memo(20000, (ip) => deps.country(ip) ?? '');
  // Bun's hasher keyed with the secret is HMAC-SHA256 as node:crypto's createHmac computes it, in half the time (0.5 against 1.0 µs)
  const visitor = memo(20000, (ipAndUa) => new Bun.CryptoHasher('sha256', deps.secret).update(ipAndUa).digest('base64url').slice(0, 22));
  return (raw: RawClick): EnrichedClick => {
    let facts = raw.userAgent ? ua(raw.userAgent) : BOT;
    if (facts.isBot && raw.viaApi && agentKind(raw.userAgent) === 'tool') facts = SCRIPT;
    const visitorHash = raw.ip ? visitor(`${raw.ip}\u0000${raw.userAgent ?? ''}`) : null;
    return {
      linkId: raw.linkId,
      at: raw.at,
      referrerDomain: referrerDomain(raw.referrer),
      countryCode: raw.ip ? country(raw.ip) || null : null,
      deviceType: facts.deviceType,
      os: facts.os,
      browser: facts.browser,
      isBot: facts.isBot,
      source: raw.source,
      visitorHash,
    };
  };
}
