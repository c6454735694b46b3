export type ClickSource = 'link' | 'qr';

/** What the redirect path hands over: raw request facts, enriched later off the hot path. */
export interface RawClick {
  linkId: number;
  at: number;
  ip: string | null;
  userAgent: string | null;
  referrer: string | null;
  source: ClickSource;
  /** made through an API that counts its callers (HTTP tools included), not by following the short link */
  viaApi?: boolean;
}

export type DeviceType = 'desktop' | 'mobile' | 'tablet' | 'bot' | 'other';

/** A click as stored: no raw IP, only a keyed hash of it. */
export interface EnrichedClick {
  linkId: number;
  at: number;
  referrerDomain: string | null;
  countryCode: string | null;
  deviceType: DeviceType;
  os: string | null;
  browser: string | null;
  isBot: boolean;
  source: ClickSource;
  visitorHash: string | null;
}
